package http

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
	"github.com/intake/intake/internal/dialect/native"
	"github.com/intake/intake/internal/imports"
)

// Limits on what an upload request may carry besides the file. Options
// are bounded in number and in total, not only one by one: repeated
// fields (match_fields=…&match_fields=…) append, and 150 fields of 1 MiB
// each once took gigabytes through the dialect's parsing.
const (
	maxFieldBytes  = 1 << 20  // one multipart form field
	maxOptionBytes = 1 << 20  // all option fields of one request together
	maxOptions     = 100      // option fields in one request
	maxJSONBody    = 64 << 20 // a JSON import body (base64 data or source inline)
)

// optionBudget counts a request's option fields against the limits.
type optionBudget struct{ n, bytes int }

func (b *optionBudget) take(size int) error {
	b.n++
	b.bytes += size
	switch {
	case b.n > maxOptions:
		return intake.Errorf(intake.ETOOLARGE, "A request may carry at most %d option fields.", maxOptions)
	case b.bytes > maxOptionBytes:
		return intake.Errorf(intake.ETOOLARGE, "The option fields of a request may total at most 1 MiB.")
	}
	return nil
}

// writeProblem writes a problem+json error from a raw handler, in the same
// shape huma writes them.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	se := s.problem(r.Context(), err).(huma.StatusError)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(se.GetStatus())
	json.NewEncoder(w).Encode(se)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	jsonEncode(w, v)
}

// jsonEncode writes v as JSON; the status is sent already, so an encoding
// failure (a client gone) has no one left to tell.
func jsonEncode(w http.ResponseWriter, v any) { json.NewEncoder(w).Encode(v) }

func tooLarge(limit int64) error {
	return intake.Errorf(intake.ETOOLARGE, "The request is larger than the %d bytes allowed.", limit)
}

// readErr remembers the error of the request body it reads, so a body cut
// off by the client or stalled past the idle limit is told apart from a
// storage failure.
type readErr struct {
	r   io.Reader
	err error
}

func (e *readErr) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF {
		e.err = err
	}
	return n, err
}

// bodyError is the answer to an upload whose body could not be read: 408
// when it stalled, 413 when it was over the limit, 400 when it was cut off
// or malformed; err (the service's) otherwise.
func bodyError(readErr, err error) error {
	var mbe *http.MaxBytesError
	var ne net.Error
	var cut *bodyCutError
	switch {
	case readErr == nil:
		return err
	case errors.As(readErr, &mbe):
		return tooLarge(mbe.Limit)
	case errors.As(readErr, &cut):
		return huma.NewError(http.StatusRequestTimeout, cut.msg)
	case errors.Is(readErr, os.ErrDeadlineExceeded) || errors.As(readErr, &ne) && ne.Timeout():
		return huma.NewError(http.StatusRequestTimeout, "The upload stalled: no data arrived for too long.")
	}
	return huma.Error400BadRequest("The upload was cut off or is malformed: the body ended before the file did.")
}

// decodeJSONBody decodes a JSON import body (at most maxJSONBody) into v:
// 413 past the limit, 400 when it is not JSON.
func decodeJSONBody(r *http.Request, v any) error {
	if err := json.NewDecoder(io.LimitReader(r.Body, maxJSONBody+1)).Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) || errors.Is(err, io.ErrUnexpectedEOF) && r.ContentLength > maxJSONBody {
			return intake.Errorf(intake.ETOOLARGE, "A JSON import body may be at most 64 MiB; upload larger files as multipart/form-data.")
		}
		if isTimeout(err) {
			return bodyError(err, err)
		}
		return huma.Error400BadRequest("The body is not valid JSON: " + err.Error())
	}
	return nil
}

// receiveJSON reads the JSON shapes: PackageX's data URI (or an array),
// Copernica's source (string or array) or location URL, plus options.
func (s *Server) receiveJSON(ctx context.Context, r *http.Request, tenantID int64, p *dialect.Params) (imports.Upload, error) {
	var body map[string]json.RawMessage
	if err := decodeJSONBody(r, &body); err != nil {
		return imports.Upload{}, err
	}
	format := ""
	var budget optionBudget
	for k, raw := range body {
		switch k {
		case "data", "source", "location":
			if string(raw) != "null" {
				p.Add(k, "") // the shape, for the dialect; the content is the file
			}
			continue
		}
		if err := budget.take(len(k) + len(raw)); err != nil {
			return imports.Upload{}, err
		}
		var str string
		switch {
		case json.Unmarshal(raw, &str) == nil:
		case string(raw) != "null":
			str = string(raw)
		case k != "headers":
			continue
		}
		p.Add(k, str)
		if k == "format" {
			format = strings.ToLower(str)
		}
	}
	data, src, location := body["data"], body["source"], body["location"]
	switch {
	case data != nil && string(data) != "null":
		var uri string
		if err := json.Unmarshal(data, &uri); err != nil {
			// PackageX also takes data as an array of objects.
			return s.Imports.Save(ctx, tenantID, bytes.NewReader(data), "data.json", "json")
		}
		b, mt, err := decodeDataURI(uri)
		if err != nil {
			return imports.Upload{}, intake.Invalid(err.Error(), intake.FieldError{Field: "data", Message: err.Error()})
		}
		if format == "" {
			format = mt
		}
		return s.Imports.Save(ctx, tenantID, bytes.NewReader(b), "data", format)
	case src != nil && string(src) != "null":
		var str string
		if json.Unmarshal(src, &str) == nil {
			return s.Imports.Save(ctx, tenantID, strings.NewReader(str), "source", format)
		}
		return s.Imports.Save(ctx, tenantID, bytes.NewReader(src), "source.json", "json")
	case location != nil && string(location) != "null":
		var u string
		json.Unmarshal(location, &u)
		return s.Imports.Remote(tenantID, u, format)
	}
	return imports.Upload{}, nil
}

// decodeDataURI decodes "data:text/csv;base64,…" and says which format its
// media type names ("" when it names none we know). A bare base64 string
// is taken too (PackageX documents data as "a base64-encoded file"): its
// format is "", so the upload is sniffed as any file without a name is.
func decodeDataURI(uri string) ([]byte, string, error) {
	rest, ok := strings.CutPrefix(uri, "data:")
	if !ok {
		if b, err := decodeBase64(uri); err == nil && len(b) > 0 {
			return b, "", nil
		}
		return nil, "", errors.New("data must be a base64-encoded file, or a data URI such as data:text/csv;base64,…")
	}
	meta, payload, ok := strings.Cut(rest, ",")
	if !ok {
		return nil, "", errors.New("data URI has no comma before its payload")
	}
	var b []byte
	var err error
	if strings.HasSuffix(meta, ";base64") {
		meta = strings.TrimSuffix(meta, ";base64")
		if b, err = decodeBase64(payload); err != nil {
			return nil, "", errors.New("data URI payload is not valid base64")
		}
	} else {
		s, err := url.PathUnescape(payload)
		if err != nil {
			return nil, "", errors.New("data URI payload is not valid")
		}
		b = []byte(s)
	}
	mt, _, _ := mime.ParseMediaType(meta)
	formats := map[string]string{"text/csv": "csv", "text/tab-separated-values": "tsv", "application/json": "json",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}
	return b, formats[mt], nil
}

// decodeBase64 decodes standard base64, padded or not, ignoring the line
// breaks an encoder (base64 -w76, MIME) puts in; the URL-safe alphabet
// too, as some clients send it.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	s = strings.TrimRight(s, "=")
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawURLEncoding.DecodeString(s)
	}
	return b, err
}

// answerNative answers POST /api/v1/imports: 201 with the job.
func answerNative(s *Server, w http.ResponseWriter, r *http.Request, c imports.Created) error {
	v, err := s.view(r.Context(), c.Import)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/imports/%d", c.Import.ID))
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// receive reads an import request's body, whatever its shape: multipart
// (a file part and option fields), JSON (data, source or location and
// options) or a form-encoded body (Copernica's PHP client: source or
// location and options). The file is streamed to storage; up.Key is ""
// when the request carried none.
func (s *Server) receive(w http.ResponseWriter, r *http.Request, tenantID int64) (dialect.Params, imports.Upload, error) {
	ctx := r.Context()
	var params dialect.Params
	limit := s.Imports.MaxUploadBytes + 4*maxFieldBytes
	if r.ContentLength > limit {
		return nil, imports.Upload{}, intake.Errorf(intake.ETOOLARGE, "The upload is %d bytes; at most %d are allowed.", r.ContentLength, s.Imports.MaxUploadBytes)
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" || mt == "application/x-www-form-urlencoded" {
		// These bodies are read whole into memory: they count against the
		// JSON budget until their file is stored.
		release, err := s.budget.acquire(ctx, s.budget.weight(r, maxJSONBody), w.Header())
		if err != nil {
			return nil, imports.Upload{}, err
		}
		defer release()
	}
	var up imports.Upload
	var err error
	switch mt {
	case "multipart/form-data":
		up, err = s.receiveMultipart(ctx, r, tenantID, &params)
	case "application/json":
		up, err = s.receiveJSON(ctx, r, tenantID, &params)
	case "application/x-www-form-urlencoded":
		up, err = s.receiveForm(ctx, r, tenantID, &params)
	default:
		err = huma.NewError(http.StatusUnsupportedMediaType, "Send multipart/form-data with a file part, or JSON (or a form) with data, source or location.")
	}
	return params, up, err
}

// view renders a job with its first 25 row errors.
func (s *Server) view(ctx context.Context, im intake.Import) (native.ImportView, error) {
	errs, err := s.Imports.FirstErrors(ctx, &im, 25)
	if err != nil {
		return native.ImportView{}, err
	}
	return native.View(im, errs), nil
}
