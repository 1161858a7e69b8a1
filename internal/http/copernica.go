package http

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect/copernica"
	"github.com/intake/intake/internal/imports"
)

// registerCopernica serves Copernica's REST v3 imports: POST and PUT
// /v3/imports (plain handlers: the body is JSON or form-encoded, as the
// PHP client sends either) and GET /v3/import/{id}.
func (s *Server) registerCopernica() {
	tags := []string{"Copernica"}
	desc := "Copernica's import: database (a contact group of the tenant, created on first use), name, action " +
		"(add, update, \"update or add\", \"ignore or add\", delete; default add), keyFields (Copernica names: Email, " +
		"Contactpersoon, …; an unknown name is a custom field; Order.OrderID a subprofile key), ignoreEmptyFields, " +
		"removeMissing (within the database), deleteTarget, location, source (string or array), format, delimiter, " +
		"autostart; followups and rebuild are accepted and do nothing. JSON or form-encoded. Key: ?access_token=KEY. " +
		"Answers 201 with the new import's id in X-Created, Location and the body. Every request error is a 400 with " +
		"{\"error\": {\"message\", \"fields\"}} (Copernica's client treats only 400 as failure): a value outside the documented " +
		"lists, source with location, a keyFields column the source lacks. The trailing-slash form (imports/) is served too."
	for _, m := range []string{http.MethodPost, http.MethodPut} {
		op := s.idempotent(huma.Operation{
			OperationID: "copernica-create-import-" + map[string]string{http.MethodPost: "post", http.MethodPut: "put"}[m],
			Method:      m, Path: "/v3/imports", Summary: "Copernica: create an import", Tags: tags,
			Security: secured(intake.ScopeImports), Description: desc,
			Responses: map[string]*huma.Response{
				"201": {Description: "{\"ID\": id}; the id is in X-Created too."},
				"400": copernicaFailureResponse(s),
			},
		})
		s.api.OpenAPI().AddOperation(&op)
	}
	s.mux.Handle("GET /v3/import/{id}", s.guard(intake.ScopeImports, copernicaShape, http.HandlerFunc(s.copernicaGet)))
	s.api.OpenAPI().AddOperation(&huma.Operation{
		OperationID: "copernica-get-import", Method: http.MethodGet, Path: "/v3/import/{id}",
		Summary: "Copernica: an import's state", Tags: tags, Security: secured(intake.ScopeImports),
		Description: "ID, name, database, status (waiting, queued, running, finished, failed, cancelled), action, keyFields, " +
			"created/started/finished (UTC, YYYY-MM-DD HH:MM:SS), progress, statistics and the first 25 errors " +
			"(a profile removed by removeMissing by its contact id and key, not a row). An unknown id is a 400, as every Copernica error.",
		Parameters: []*huma.Param{{Name: "id", In: "path", Required: true, Schema: &huma.Schema{Type: "integer"}}},
		Responses: map[string]*huma.Response{
			"200": {Description: "The import.", Content: map[string]*huma.MediaType{"application/json": {
				Schema: s.api.OpenAPI().Components.Schemas.Schema(reflect.TypeOf(copernica.Import{}), true, "")}}},
			"400": copernicaFailureResponse(s),
		},
	})
}

// copernicaShape answers Copernica's routes: every request error is a 400
// (its PHP client treats 400, and only 400, as failure) with the body
// {"error": {"message", "fields"}} as application/json (the client parses
// only that media type); 401 and 403 stay for the key.
var copernicaShape = shape{
	status: func(status int) int {
		switch {
		case status == http.StatusUnauthorized, status == http.StatusForbidden, status >= 500:
			return status
		case status >= 400:
			return http.StatusBadRequest
		}
		return status
	},
	errorBody: func(status int, msg string, err error) any {
		if status >= 500 {
			return copernica.FailureOf("Internal error.", nil)
		}
		var ie *intake.Error
		var fields []intake.FieldError
		if errors.As(err, &ie) {
			fields = slices.Clone(ie.Fields)
		}
		for i := range fields {
			if fields[i].Field == "mapping" {
				fields[i].Field = "keyFields" // Copernica's only required columns are its key fields
			}
		}
		return copernica.FailureOf(msg, fields)
	},
}

func copernicaFailureResponse(s *Server) *huma.Response {
	return &huma.Response{Description: "Any request error (a bad parameter or file, an unknown import): {\"error\": {\"message\", \"fields\"}}.",
		Content: map[string]*huma.MediaType{"application/json": {
			Schema: s.api.OpenAPI().Components.Schemas.Schema(reflect.TypeOf(copernica.Failure{}), true, "")}}}
}

// copernicaGet is GET /v3/import/{id}.
func (s *Server) copernicaGet(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, copernicaShape, intake.Errorf(intake.ENOTFOUND, "No import has id %q.", r.PathValue("id")))
		return
	}
	im, err := s.Imports.Get(ctx, tenant(ctx), id)
	var errs []intake.RowError
	if err == nil {
		errs, err = s.Imports.FirstErrors(ctx, &im, 25)
	}
	if err != nil {
		s.fail(w, r, copernicaShape, err)
		return
	}
	writeJSON(w, http.StatusOK, copernica.View(im, errs))
}

// answerCopernica answers a Copernica create: 201 {"ID": id} with the id
// in X-Created and Location, and the warnings.
func answerCopernica(_ *Server, w http.ResponseWriter, _ *http.Request, c imports.Created) error {
	id := fmt.Sprint(c.Import.ID)
	w.Header().Set("X-Created", id)
	w.Header().Set("Location", "/v3/import/"+id)
	writeJSON(w, http.StatusCreated, copernica.Created{ID: c.Import.ID, Warnings: append(c.Warnings, c.Import.Warnings...)})
	return nil
}
