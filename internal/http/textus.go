package http

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
	"github.com/intake/intake/internal/dialect/textus"
	"github.com/intake/intake/internal/imports"
	"github.com/intake/intake/internal/source"
)

const textusMedia = "application/vnd.textus+jsonld"

// registerTextUs serves TextUs's contact upload, POST
// /{account}/contacts/upload (a plain handler: multipart, and the seed's
// exact error bodies), and GET /{account}/contact_imports/{slug}.
func (s *Server) registerTextUs() {
	s.mux.HandleFunc("POST /{account}/contacts/upload", s.textUsUpload)
	s.mux.HandleFunc("GET /{account}/contact_imports/{slug}", s.textUsGet)
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

// textUsWrite answers in TextUs's media type when the client asked for it.
func textUsWrite(w http.ResponseWriter, r *http.Request, status int, v any) {
	ct := "application/json"
	if strings.Contains(r.Header.Get("Accept"), textusMedia) {
		ct = textusMedia
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// textUsFail answers an error in TextUs's shape.
func (s *Server) textUsFail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(intake.ErrorCode(err))
	if se, ok := err.(huma.StatusError); ok {
		status = se.GetStatus()
	}
	if status == http.StatusInternalServerError {
		s.Logger.ErrorContext(r.Context(), "internal error", "err", err)
		textUsWrite(w, r, status, textus.Failure{Error: "Internal error."})
		return
	}
	msg := intake.ErrorMessage(err)
	if se, ok := err.(huma.StatusError); ok {
		msg = se.Error()
	}
	textUsWrite(w, r, status, textus.Failure{Errors: []string{msg}})
}

// textUsAccount admits the request and checks that account is the key's
// tenant: another tenant's account is answered as one that does not exist.
func (s *Server) textUsAccount(w http.ResponseWriter, r *http.Request) (intake.Principal, bool) {
	p, ok := s.admit(w, r, intake.ScopeContacts, func(w http.ResponseWriter, r *http.Request, err error) {
		textUsWrite(w, r, statusOf(intake.ErrorCode(err)), textus.Failure{Error: intake.ErrorMessage(err)})
	})
	if ok && r.PathValue("account") != p.Tenant.Slug {
		textUsWrite(w, r, http.StatusNotFound, textus.Failure{Error: "Not found."})
		return p, false
	}
	return p, ok
}

func (s *Server) textUsUpload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.textUsAccount(w, r)
	if !ok {
		return
	}
	up, headers, err := s.receiveTextUs(w, r, p.Tenant.ID)
	// A file problem is answered after the headers' (the seed's examples
	// check headers first), but a missing file before them.
	var fileFail *textus.Failure
	var ff fileFailure
	switch {
	case errors.As(err, &ff):
		fileFail = &ff.Failure
	case source.FileCode(err) == "unsupported_format" || intake.ErrorCode(err) == intake.EUNSUPPORTED:
		fileFail = &textus.ErrNotCSV
	case err != nil:
		s.Imports.Discard(ctx, up)
		s.textUsFail(w, r, err)
		return
	case up.Key == "":
		textUsWrite(w, r, http.StatusUnprocessableEntity, textus.ErrFileRequired)
		return
	}
	reg, err := s.Imports.Registry(ctx, p.Tenant.ID)
	if err != nil {
		s.Imports.Discard(ctx, up)
		s.textUsFail(w, r, err)
		return
	}
	req, fail := textus.Translate(textus.Headers(headers), reg)
	if fail == nil {
		fail = fileFail
	}
	if fail != nil {
		s.Imports.Discard(ctx, up)
		textUsWrite(w, r, http.StatusUnprocessableEntity, fail)
		return
	}
	if up, err = s.textUsHeaderRow(ctx, up, req.Columns.ByPosition, reg); err == nil {
		var im intake.Import
		if im, err = s.createJob(ctx, p, up, req, nil); err == nil {
			textUsWrite(w, r, http.StatusCreated, map[string]string{"contact_import_slug": textus.Slug(im.ID)})
			return
		}
	}
	s.textUsFail(w, r, err)
}

// textUsHeaderRow gives a file without a header row the headers as its
// first line, so no row is taken for a header and lost.
func (s *Server) textUsHeaderRow(ctx context.Context, up imports.Upload, headers []string, reg *intake.Registry) (imports.Upload, error) {
	first, err := s.Imports.FirstRow(ctx, up)
	if err != nil || textus.IsHeaderRow(first, headers, reg) {
		return up, err
	}
	return s.Imports.WithHeader(ctx, up, headers)
}

// receiveTextUs reads the upload: multipart (file, headers) or the JSON
// body of the seed's examples ({"file": a data URI, "headers": [...]}).
func (s *Server) receiveTextUs(w http.ResponseWriter, r *http.Request, tenantID int64) (imports.Upload, []string, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		var params dialect.Params
		params.Add("format", "csv") // TextUs takes CSV only: anything else is refused as not a CSV
		if mt != "multipart/form-data" {
			return imports.Upload{}, nil, huma.NewError(http.StatusUnsupportedMediaType, "Send multipart/form-data with file and headers.")
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.Imports.MaxUploadBytes+4*maxFieldBytes)
		up, err := s.receiveMultipart(r.Context(), r, tenantID, &params)
		var headers []string
		for _, x := range params {
			if x.Key == "headers" || x.Key == "headers[]" {
				headers = append(headers, x.Value)
			}
		}
		return up, headers, err
	}
	var body struct {
		File    json.RawMessage `json:"file"`
		Headers json.RawMessage `json:"headers"`
	}
	if err := decodeJSONBody(r, &body); err != nil {
		return imports.Upload{}, nil, err
	}
	var headers []string
	if len(body.Headers) > 0 && string(body.Headers) != "null" {
		headers = []string{string(body.Headers)}
		var str string
		if json.Unmarshal(body.Headers, &str) == nil {
			headers = []string{str}
		}
	}
	var file string
	if json.Unmarshal(body.File, &file) != nil || strings.TrimSpace(file) == "" {
		return imports.Upload{}, headers, nil // no file
	}
	b, _, err := decodeDataURI(file)
	switch {
	case err == nil:
	case !strings.HasSuffix(strings.ToLower(file), ".csv"):
		return imports.Upload{}, headers, fileFailure{textus.ErrNotCSV}
	default:
		// Only a file name: the seed's JSON names a file without its content.
		return imports.Upload{}, headers, fileFailure{textus.Failure{Error: "File is required: " + strconv.Quote(file) +
			" is only a file name. Send the file itself: multipart file=@" + file + ", or its content as a data URI (data:text/csv;base64,…)."}}
	}
	up, err := s.Imports.Save(r.Context(), tenantID, bytes.NewReader(b), "file.csv", "csv")
	return up, headers, err
}

// fileFailure is a file problem found while reading the body, answered
// after the headers are checked.
type fileFailure struct{ textus.Failure }

func (f fileFailure) Error() string { return f.Failure.Error + strings.Join(f.Failure.Errors, " ") }

func (s *Server) textUsGet(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.textUsAccount(w, r)
	if !ok {
		return
	}
	id, ok := textus.ParseSlug(r.PathValue("slug"))
	var im intake.Import
	var err error = intake.Errorf(intake.ENOTFOUND, "Not found.")
	if ok {
		im, err = s.Imports.Get(ctx, p.Tenant.ID, id)
	}
	var errs []intake.RowError
	if err == nil {
		errs, err = s.Imports.FirstErrors(ctx, &im, 25)
	}
	if err != nil {
		textUsWrite(w, r, statusOf(intake.ErrorCode(err)), textus.Failure{Error: intake.ErrorMessage(err)})
		return
	}
	textUsWrite(w, r, http.StatusOK, textus.View(im, errs))
}
