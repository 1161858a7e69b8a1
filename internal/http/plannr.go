package http

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
	"github.com/intake/intake/internal/dialect/native"
	"github.com/intake/intake/internal/dialect/plannr"
	"github.com/intake/intake/internal/imports"
)

// registerPlannr serves Plannr's imports: POST /api/v1/import (a plain
// handler: it streams the multipart file like POST /api/v1/imports), GET
// /api/v1/import/{uuid}, PUT /api/v1/import/{uuid}/mapping and POST
// /api/v1/import/{uuid}/start. Every answer is the seed's import object;
// errors are Laravel's {"message", "errors"} bodies, as Plannr's.
func (s *Server) registerPlannr() {
	guard := func(h http.HandlerFunc) http.Handler { return s.guard(intake.ScopeImports, plannrShape, h) }
	s.mux.Handle("GET /api/v1/import", guard(s.plannrList))
	s.mux.Handle("GET /api/v1/import/{uuid}", guard(s.plannrGet))
	s.mux.Handle("PUT /api/v1/import/{uuid}/mapping", guard(s.plannrMapping))
	s.mux.Handle("POST /api/v1/import/{uuid}/start", guard(s.plannrStart))
	tags := []string{"Plannr"}
	answer := map[string]*huma.Response{
		"200": {Description: "The import object.", Content: map[string]*huma.MediaType{"application/json": {Schema: s.plannrSchema()}}},
		"404": {Description: "{\"message\": …}: no import with this uuid for this key's tenant."},
		"422": {Description: "{\"message\": …, \"errors\": {field: [messages]}} (Laravel's validation body)."},
	}
	create := s.idempotent(huma.Operation{
		OperationID: "plannr-create-import", Method: http.MethodPost, Path: "/api/v1/import",
		Summary: "Plannr: create an import", Tags: tags, Security: secured(intake.ScopeImports),
		Description: "multipart/form-data: type (required: clients, or business_staff_members, charges, group_scheme_members, " +
			"notes, plans, premiums, tasks, valuations: each a collection of that name), mode (required: store, update, validate) " +
			"and file (required: CSV). clients are contacts matched on email; other types are records of their collection " +
			"(created from the headers on first use), linked to their client by a client, client_uuid or client_email column. " +
			"The import waits for its mapping (status awaiting_mapping): check it, PUT /api/v1/import/{uuid}/mapping if needed, " +
			"then POST /api/v1/import/{uuid}/start. Answers 200 with the import object.",
		Responses: answer,
	})
	s.api.OpenAPI().AddOperation(&create)
	list := huma.Operation{OperationID: "plannr-list-imports", Method: http.MethodGet, Path: "/api/v1/import", Summary: "Plannr: list imports",
		Tags: tags, Security: secured(intake.ScopeImports),
		Description: "The index route: the tenant's imports, newest first, each the import object without headers and mapping " +
			"(as the seed says) and without the error report's size (read one import for it). Laravel's cursor pages: " +
			"{data, links: {first, last, prev, next}, meta: {path, per_page, next_cursor, prev_cursor}}; follow links.next " +
			"(or send ?cursor=meta.next_cursor). per_page 1–100, default 15.",
		Parameters: []*huma.Param{{Name: "cursor", In: "query", Schema: &huma.Schema{Type: "string"}},
			{Name: "per_page", In: "query", Schema: &huma.Schema{Type: "integer", Minimum: ptr(1.0), Maximum: ptr(float64(plannr.MaxPerPage))}}},
		Responses: map[string]*huma.Response{"200": {Description: "A page of imports.", Content: map[string]*huma.MediaType{"application/json": {
			Schema: s.api.OpenAPI().Components.Schemas.Schema(reflect.TypeOf(plannr.Page{}), true, "")}}},
			"422": answer["422"]},
	}
	s.api.OpenAPI().AddOperation(&list)
	for _, op := range []huma.Operation{
		{OperationID: "plannr-get-import", Method: http.MethodGet, Path: "/api/v1/import/{uuid}", Summary: "Plannr: an import",
			Description: "The import object: status, counts, progress and the first 25 failed records; poll it while it runs."},
		{OperationID: "plannr-set-mapping", Method: http.MethodPut, Path: "/api/v1/import/{uuid}/mapping", Summary: "Plannr: set an import's mapping",
			Description: "JSON {\"mapping\": {header: field}} (or form fields mapping[header]=field) while the import is awaiting_mapping; " +
				"headers left out keep their suggested field, a field \"\" or \"ignore\" leaves a column out. 409 once it has started."},
		{OperationID: "plannr-start-import", Method: http.MethodPost, Path: "/api/v1/import/{uuid}/start", Summary: "Plannr: start an import",
			Description: "Starts an import awaiting its mapping (with the mapping it shows); 422 names the required fields no header maps to. " +
				"Starting a started import again changes nothing."},
	} {
		op.Tags, op.Security, op.Responses = tags, secured(intake.ScopeImports), answer
		op.Parameters = []*huma.Param{{Name: "uuid", In: "path", Required: true, Schema: &huma.Schema{Type: "string", Format: "uuid"}}}
		s.api.OpenAPI().AddOperation(&op)
	}
}

// plannrSchema is the import object's schema, for the docs.
func (s *Server) plannrSchema() *huma.Schema {
	return s.api.OpenAPI().Components.Schemas.Schema(reflect.TypeOf(plannr.Importer{}), true, "")
}

// plannrShape answers errors in Laravel's shape, as Plannr's.
var plannrShape = shape{errorBody: func(status int, msg string, err error) any {
	if status == http.StatusInternalServerError {
		return plannr.Failure{Message: "Server Error"}
	}
	var ie *intake.Error
	var fields []intake.FieldError
	if errors.As(err, &ie) {
		fields = ie.Fields
	}
	if status == http.StatusUnprocessableEntity && len(fields) == 0 {
		field := "request"
		if intake.ErrorCode(err) == intake.EUNSUPPORTED {
			field = "file"
		}
		fields = []intake.FieldError{{Field: field, Message: msg}}
	}
	return plannr.FailureOf(msg, fields)
}}

// answerPlannr answers a Plannr create: 200 with the import object.
func answerPlannr(s *Server, w http.ResponseWriter, r *http.Request, c imports.Created) error {
	return s.plannrObject(w, r, c.Import)
}

// plannrImport returns the job id a request's uuid names (404 when it
// names none of the tenant's).
func (s *Server) plannrImport(w http.ResponseWriter, r *http.Request) (intake.Principal, int64, bool) {
	p, _ := intake.PrincipalFromContext(r.Context())
	id, ok := plannr.ParseUUID(p.Tenant.ID, r.PathValue("uuid"))
	if !ok {
		s.fail(w, r, plannrShape, intake.Errorf(intake.ENOTFOUND, "No import has uuid %q.", r.PathValue("uuid")))
	}
	return p, id, ok
}

func (s *Server) plannrGet(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.plannrImport(w, r)
	if !ok {
		return
	}
	im, err := s.Imports.Get(r.Context(), p.Tenant.ID, id)
	s.plannrAnswer(w, r, p, im, err)
}

func (s *Server) plannrStart(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.plannrImport(w, r)
	if !ok {
		return
	}
	im, err := s.Imports.Start(r.Context(), p.Tenant.ID, id)
	s.plannrAnswer(w, r, p, im, err)
}

func (s *Server) plannrMapping(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, id, ok := s.plannrImport(w, r)
	if !ok {
		return
	}
	mapping, err := readPlannrMapping(w, r)
	var im intake.Import
	if err == nil {
		im, err = s.Imports.Get(ctx, p.Tenant.ID, id)
	}
	var reg *intake.Registry
	if err == nil {
		reg, err = s.Directory.Registry(ctx, p.Tenant.ID)
	}
	var req intake.ImportRequest
	if err == nil {
		req, err = native.Patch(dialect.Params{{Key: "mapping", Value: mapping}}, &im, reg)
	}
	if err == nil {
		im, err = s.Imports.Patch(ctx, p.Tenant.ID, id, req)
	}
	s.plannrAnswer(w, r, p, im, err)
}

// readPlannrMapping reads PUT …/mapping's body: JSON {"mapping": {…}}, or
// a form (urlencoded or multipart) with mapping[header]=field fields or a
// mapping field holding JSON. It returns the mapping as JSON text.
func readPlannrMapping(w http.ResponseWriter, r *http.Request) (string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFieldBytes)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" || mt == "" {
		var body struct {
			Mapping json.RawMessage `json:"mapping"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil && err != io.EOF {
			return "", huma.Error400BadRequest("The body is not valid JSON: " + err.Error())
		}
		raw := string(body.Mapping)
		if raw == "null" {
			raw = ""
		}
		return plannr.Mapping(raw, nil)
	}
	if err := r.ParseMultipartForm(maxFieldBytes); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return "", huma.Error400BadRequest("The form cannot be read: " + err.Error())
	}
	form := map[string]string{}
	for k, vs := range r.Form {
		if h, ok := strings.CutPrefix(k, "mapping["); ok && strings.HasSuffix(h, "]") && len(vs) > 0 {
			form[strings.TrimSuffix(h, "]")] = vs[0]
		}
	}
	return plannr.Mapping(r.Form.Get("mapping"), form)
}

// plannrAnswer answers 200 with the import object, or err.
func (s *Server) plannrAnswer(w http.ResponseWriter, r *http.Request, _ intake.Principal, im intake.Import, err error) {
	if err == nil {
		err = s.plannrObject(w, r, im)
	}
	if err != nil {
		s.fail(w, r, plannrShape, err)
	}
}

// plannrObject answers 200 with the import object.
func (s *Server) plannrObject(w http.ResponseWriter, r *http.Request, im intake.Import) error {
	ctx := r.Context()
	p, _ := intake.PrincipalFromContext(ctx)
	// Several errors may be of one row: read more than 25 to show 25 records.
	errs, err := s.Imports.FirstErrors(ctx, &im, 4*plannr.MaxErrors)
	rep := plannr.Report{Size: -1, URL: fmt.Sprintf("%s://%s/api/v1/imports/%d/errors.csv", scheme(r), r.Host, im.ID)}
	if err == nil && im.HasReport() && im.ExpiredAt == nil && im.Status.Final() {
		var n countWriter
		err = s.writeErrorsCSV(ctx, &n, im)
		rep.Size = int64(n)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, plannr.View(im, errs, plannr.AccountOf(p.Tenant), rep))
	return nil
}

// scheme is the scheme the client used: https behind a TLS-terminating
// proxy that says so, or on a TLS listener.
func scheme(r *http.Request) string {
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		return "https"
	}
	return "http"
}

// countWriter counts the bytes written to it.
type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

// plannrList is the index route: a page of the tenant's imports.
func (s *Server) plannrList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, _ := intake.PrincipalFromContext(ctx)
	perPage, before, err := plannrPaging(r.URL.Query())
	var ims []intake.Import
	if err == nil {
		ims, err = s.Imports.List(ctx, p.Tenant.ID, before, perPage)
	}
	items := make([]plannr.Summary, 0, len(ims))
	for i := 0; err == nil && i < len(ims); i++ {
		var errs []intake.RowError
		errs, err = s.Imports.FirstErrors(ctx, &ims[i], 4*plannr.MaxErrors)
		rep := plannr.Report{Size: -1, URL: fmt.Sprintf("%s://%s/api/v1/imports/%d/errors.csv", scheme(r), r.Host, ims[i].ID)}
		items = append(items, plannr.Summarize(ims[i], errs, plannr.AccountOf(p.Tenant), rep))
	}
	if err != nil {
		s.fail(w, r, plannrShape, err)
		return
	}
	next := ""
	if len(ims) == perPage {
		next = encodeCursor(ims[len(ims)-1].ID)
	}
	writeJSON(w, http.StatusOK, plannr.PageOf(items, fmt.Sprintf("%s://%s/api/v1/import", scheme(r), r.Host), perPage, next))
}

// plannrPaging reads the index route's per_page and cursor; a bad one is
// a 422 naming it, in Laravel's shape.
func plannrPaging(q url.Values) (int, int64, error) {
	perPage := plannr.DefaultPerPage
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > plannr.MaxPerPage {
			msg := fmt.Sprintf("The per page field must be an integer between 1 and %d.", plannr.MaxPerPage)
			return 0, 0, intake.Invalid(msg, intake.FieldError{Field: "per_page", Value: v, Message: msg})
		}
		perPage = n
	}
	before, ok := decodeCursor(q.Get("cursor"))
	if !ok {
		msg := "The cursor is not valid: use meta.next_cursor of a previous page."
		return 0, 0, intake.Invalid(msg, intake.FieldError{Field: "cursor", Value: q.Get("cursor"), Message: msg})
	}
	return perPage, before, nil
}
