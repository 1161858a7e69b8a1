package http

import (
	"context"
	"errors"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
	"github.com/intake/intake/internal/imports"
)

// receiveForm reads a form-encoded import body, as Copernica's PHP client
// sends it (http_build_query): source (the file's text) or location, and
// options; arrays arrive as keyFields[0]=…, keyFields[]=… and are given to
// the dialect under their bare name. The body is bounded like a JSON body.
func (s *Server) receiveForm(ctx context.Context, r *http.Request, tenantID int64, p *dialect.Params) (imports.Upload, error) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || len(raw) > maxJSONBody:
		return imports.Upload{}, intake.Errorf(intake.ETOOLARGE, "A form-encoded import body may be at most 64 MiB; upload larger files as multipart/form-data.")
	case err != nil:
		return imports.Upload{}, bodyError(err, err)
	}
	values, err := url.ParseQuery(string(raw))
	if err != nil {
		return imports.Upload{}, intake.Invalid("The form body cannot be read: " + err.Error())
	}
	var budget optionBudget
	format, source, location := "", "", ""
	for _, key := range slices.Sorted(maps.Keys(values)) { // keyFields[0] before keyFields[1]
		vs := values[key]
		name := key
		if i := strings.IndexByte(key, '['); i > 0 {
			name = key[:i] // keyFields[0], keyFields[] → keyFields
		}
		for _, v := range vs {
			switch name {
			case "source":
				source = v
				p.Add(name, "")
				continue
			case "location":
				location = v
				p.Add(name, "")
				continue
			case "format":
				format = strings.ToLower(v)
			}
			if err := budget.take(len(name) + len(v)); err != nil {
				return imports.Upload{}, err
			}
			p.Add(name, v)
		}
	}
	switch {
	case source != "":
		return s.Imports.Save(ctx, tenantID, strings.NewReader(source), "source", format)
	case location != "":
		return s.Imports.Remote(tenantID, location, format)
	}
	return imports.Upload{}, nil
}

// maxFormDrain bounds what is read of a multipart body after one of its
// option limits was hit, so the 413 reaches a client still sending
// instead of a reset connection (the server closes a connection whose
// request body was left unread). Past it the answer is sent anyway.
const maxFormDrain = 64 << 20

// receiveMultipart reads a multipart upload part by part: the file part is
// streamed to storage as it arrives; other parts are options. The whole
// form is read before it is judged: a file the service refuses (not a
// format it reads, empty) is drained and remembered, and the parts after
// it are still read, so a dialect that checks its options first (TextUs's
// headers) sees them whatever order the client sent the parts in.
func (s *Server) receiveMultipart(ctx context.Context, r *http.Request, tenantID int64, p *dialect.Params) (imports.Upload, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return imports.Upload{}, huma.Error400BadRequest("The multipart body cannot be read: " + err.Error())
	}
	f := form{s: s, tenantID: tenantID, p: p}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return f.up, f.refused
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return f.up, tooLarge(mbe.Limit)
			}
			if isTimeout(err) {
				return f.up, bodyError(err, err)
			}
			return f.up, huma.Error400BadRequest("The multipart body is malformed: " + err.Error())
		}
		if err := f.part(ctx, part); err != nil {
			if intake.ErrorCode(err) == intake.ETOOLARGE {
				io.Copy(io.Discard, io.LimitReader(r.Body, maxFormDrain))
			}
			return f.up, err
		}
	}
}

// form is a multipart form being read.
type form struct {
	s        *Server
	tenantID int64
	p        *dialect.Params
	budget   optionBudget
	up       imports.Upload
	// refused is what the service said of a file it did not take.
	refused error
}

// part reads one part: the file, or an option.
func (f *form) part(ctx context.Context, part *multipart.Part) error {
	name := part.FormName()
	if name == "file" || part.FileName() != "" {
		return f.file(ctx, part)
	}
	v, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
	if isTimeout(err) {
		return bodyError(err, err)
	}
	if err != nil {
		return huma.Error400BadRequest("The multipart body is malformed: " + err.Error())
	}
	if len(v) > maxFieldBytes {
		return intake.Errorf(intake.ETOOLARGE, "Field %q is larger than 1 MiB.", name)
	}
	if err := f.budget.take(len(v)); err != nil {
		return err
	}
	f.p.Add(name, string(v))
	return nil
}

// file streams the file part to storage. A file the service refuses for
// what it is (its format, empty) is drained and remembered (refused); a
// body problem, a file over the limit or a storage failure ends the read.
func (f *form) file(ctx context.Context, part *multipart.Part) error {
	if f.up.Key != "" || f.refused != nil {
		return intake.Invalid("Send one file per import.")
	}
	format := ""
	for _, x := range *f.p {
		if x.Key == "format" {
			format = strings.ToLower(x.Value)
		}
	}
	body := &readErr{r: part}
	up, err := f.s.Imports.Save(ctx, f.tenantID, body, part.FileName(), format)
	switch code := intake.ErrorCode(err); {
	case err == nil:
		f.up = up
		return nil
	case body.err != nil || code == intake.EINTERNAL || code == intake.ETOOLARGE:
		return bodyError(body.err, err)
	}
	if _, derr := io.Copy(io.Discard, body); derr != nil {
		return bodyError(body.err, derr)
	}
	f.refused = err
	return nil
}
