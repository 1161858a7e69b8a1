package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect/textus"
	"github.com/intake/intake/internal/source"
)

const textusMedia = "application/vnd.textus+jsonld"

// registerTextUs serves TextUs's contact upload, POST
// /{account}/contacts/upload (a plain handler: multipart, and the seed's
// exact error bodies), and GET /{account}/contact_imports/{slug}.
func (s *Server) registerTextUs() {
	s.mux.Handle("GET /{account}/contact_imports/{slug}", s.guard(intake.ScopeContacts, textUsShape, http.HandlerFunc(s.textUsGet)))
	tags := []string{"TextUs"}
	op := s.idempotent(huma.Operation{
		OperationID: "textus-upload", Method: http.MethodPost, Path: "/{account}/contacts/upload",
		Summary: "TextUs: upload contacts as CSV", Tags: tags, Security: secured(intake.ScopeContacts),
		Description: "account is the key's tenant (another → 404). multipart: file (CSV) and headers (a JSON array, repeated " +
			"fields or a comma list: the field of each column; name required). Or JSON {file: a data URI, headers: [...]}. " +
			"A first row that names the headers is the header row; otherwise the file has none and every row is data. " +
			"Phones default to region US. 201 {\"contact_import_slug\": …}; 422 with the seed's bodies.",
		Responses: map[string]*huma.Response{"201": {Description: "{\"contact_import_slug\": \"contact-import-1\"}"},
			"404": {Description: "No such account for this key."}, "422": {Description: "{\"error\": …} or {\"errors\": […]}"}},
	})
	s.api.OpenAPI().AddOperation(&op)
	s.api.OpenAPI().AddOperation(&huma.Operation{
		OperationID: "textus-get-import", Method: http.MethodGet, Path: "/{account}/contact_imports/{slug}",
		Summary: "TextUs: a contact import by slug", Tags: tags, Security: secured(intake.ScopeContacts),
	})
}

// textUsShape answers in TextUs's media type when the client asked for
// it, with the seed's error bodies: {"error": …} when the key, its scope
// or the account is wrong, {"errors": […]} for a bad request, and a
// translation's Failure as it is.
var textUsShape = shape{
	media: func(r *http.Request) string {
		if strings.Contains(r.Header.Get("Accept"), textusMedia) {
			return textusMedia
		}
		return "application/json"
	},
	errorBody: func(status int, msg string, err error) any {
		switch status {
		case http.StatusInternalServerError:
			return textus.Failure{Error: "Internal error."}
		case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
			return textus.Failure{Error: msg}
		}
		return textus.Body(err, msg)
	},
}

// textUsAccount checks that the path's account is the key's tenant:
// another tenant's account is answered as one that does not exist.
func textUsAccount(r *http.Request) error {
	p, _ := intake.PrincipalFromContext(r.Context())
	if r.PathValue("account") != p.Tenant.Slug {
		return intake.Errorf(intake.ENOTFOUND, "Not found.")
	}
	return nil
}

// receiveTextUs reads the upload (see readTextUs). A file that is not a
// CSV is a file problem TextUs answers after the headers (the seed's
// examples check headers first); a missing file is answered before them.
func receiveTextUs(s *Server, w http.ResponseWriter, r *http.Request, tenantID int64) (received, error) {
	if err := textUsAccount(r); err != nil {
		return received{}, err
	}
	in, err := s.readTextUs(w, r, tenantID)
	var ff fileFailure
	switch {
	case errors.As(err, &ff):
		in.fileProblem = textus.Fail(ff.Failure)
	case source.FileCode(err) == "unsupported_format" || intake.ErrorCode(err) == intake.EUNSUPPORTED:
		in.fileProblem = textus.Fail(textus.ErrNotCSV)
	default:
		return in, err
	}
	return in, nil
}

// readTextUs reads the upload: multipart (file, headers) or the JSON
// body of the seed's examples ({"file": a data URI, "headers": [...]}).
func (s *Server) readTextUs(w http.ResponseWriter, r *http.Request, tenantID int64) (received, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		var in received
		in.params.Add("format", "csv") // TextUs takes CSV only: anything else is refused as not a CSV
		if mt != "multipart/form-data" {
			return in, huma.NewError(http.StatusUnsupportedMediaType, "Send multipart/form-data with file and headers.")
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.Imports.MaxUploadBytes+4*maxFieldBytes)
		var err error
		in.upload, err = s.receiveMultipart(r.Context(), r, tenantID, &in.params)
		return in, err
	}
	var body struct {
		File    json.RawMessage `json:"file"`
		Headers json.RawMessage `json:"headers"`
	}
	var in received
	if err := decodeJSONBody(r, &body); err != nil {
		return in, err
	}
	if len(body.Headers) > 0 && string(body.Headers) != "null" {
		var str string
		if json.Unmarshal(body.Headers, &str) != nil {
			str = string(body.Headers)
		}
		in.params.Add("headers", str)
	}
	var file string
	if json.Unmarshal(body.File, &file) != nil || strings.TrimSpace(file) == "" {
		return in, nil // no file
	}
	b, _, err := decodeDataURI(file)
	switch {
	case err == nil:
	case !strings.HasSuffix(strings.ToLower(file), ".csv"):
		return in, fileFailure{textus.ErrNotCSV}
	default:
		// Only a file name: the seed's JSON names a file without its content.
		return in, fileFailure{textus.Failure{Error: "File is required: " + strconv.Quote(file) +
			" is only a file name. Send the file itself: multipart file=@" + file + ", or its content as a data URI (data:text/csv;base64,…)."}}
	}
	in.upload, err = s.Imports.Save(r.Context(), tenantID, bytes.NewReader(b), "file.csv", "csv")
	return in, err
}

// fileFailure is a file problem found while reading the body, answered
// after the headers are checked.
type fileFailure struct{ textus.Failure }

func (f fileFailure) Error() string { return f.Failure.Error + strings.Join(f.Failure.Errors, " ") }

func (s *Server) textUsGet(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, _ := intake.PrincipalFromContext(ctx)
	id, ok := textus.ParseSlug(r.PathValue("slug"))
	var im intake.Import
	err := textUsAccount(r)
	if err == nil && !ok {
		err = intake.Errorf(intake.ENOTFOUND, "Not found.")
	}
	if err == nil {
		im, err = s.Imports.Get(ctx, p.Tenant.ID, id)
	}
	var errs []intake.RowError
	if err == nil {
		errs, err = s.Imports.FirstErrors(ctx, &im, 25)
	}
	if err != nil {
		s.write(w, r, textUsShape, statusOf(intake.ErrorCode(err)), textus.Failure{Error: intake.ErrorMessage(err)})
		return
	}
	s.write(w, r, textUsShape, http.StatusOK, textus.View(im, errs))
}
