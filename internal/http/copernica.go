package http

import (
	"context"
	"fmt"
	"net/http"

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
		"Answers 201 with the new import's id in X-Created, Location and the body."
	for _, m := range []string{http.MethodPost, http.MethodPut} {
		op := s.idempotent(huma.Operation{
			OperationID: "copernica-create-import-" + map[string]string{http.MethodPost: "post", http.MethodPut: "put"}[m],
			Method:      m, Path: "/v3/imports", Summary: "Copernica: create an import", Tags: tags,
			Security: secured(intake.ScopeImports), Description: desc,
			Responses: map[string]*huma.Response{
				"201": {Description: "{\"ID\": id}; the id is in X-Created too."},
				"422": {Description: "A bad parameter or file."},
			},
		})
		s.api.OpenAPI().AddOperation(&op)
	}
	huma.Register(s.api, huma.Operation{
		OperationID: "copernica-get-import", Method: http.MethodGet, Path: "/v3/import/{id}",
		Summary: "Copernica: an import's state", Tags: tags, Security: secured(intake.ScopeImports),
		Description: "ID, name, database, status (waiting, queued, running, finished, failed, cancelled), action, keyFields, " +
			"created/started/finished (UTC, YYYY-MM-DD HH:MM:SS), progress, statistics and the first 25 errors.",
	}, func(ctx context.Context, in *importIDInput) (*struct{ Body copernica.Import }, error) {
		im, err := s.Imports.Get(ctx, tenant(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		errs, err := s.Imports.FirstErrors(ctx, &im, 25)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body copernica.Import }{Body: copernica.View(im, errs)}, nil
	})
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
