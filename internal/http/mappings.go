package http

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
)

// MappingBody is a saved mapping as a request gives it.
type MappingBody struct {
	Name    string            `json:"name" doc:"The mapping's name, to pass as mapping_name." example:"Salesforce contacts"`
	Mapping map[string]string `json:"mapping" doc:"Header → field (\"\" leaves a column out)." example:"{\"Account Name\":\"company\",\"Mailing Zip\":\"postal_code\"}"`
	Headers []string          `json:"headers,omitempty" doc:"The headers the mapping was made for."`
}

// MappingList is the tenant's saved mappings.
type MappingList struct {
	Data []intake.SavedMapping `json:"data"`
}

// registerMappings adds the saved mappings' routes: a named mapping a
// person keeps for an exporter's files, passed to an upload as
// mapping_name. Reading and saving them takes the imports scope.
func (s *Server) registerMappings() {
	tags, scope := []string{"Imports"}, secured(intake.ScopeImports)
	huma.Register(s.api, huma.Operation{
		OperationID: "list-mappings", Method: http.MethodGet, Path: "/api/v1/mappings",
		Summary: "List saved mappings", Tags: tags, Security: scope,
	}, func(ctx context.Context, _ *struct{}) (*struct{ Body MappingList }, error) {
		ms, err := s.Imports.SavedMappings(ctx, tenant(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body MappingList }{Body: MappingList{Data: ms}}, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "save-mapping", Method: http.MethodPost, Path: "/api/v1/mappings",
		Summary: "Save a named mapping", Tags: tags, Security: scope,
		Description: "Creates the mapping or replaces the one of that name. Pass its name as mapping_name to an upload: " +
			"its columns are mapped by it (the upload's own mapping wins) and the job says mapping_source {\"saved\": NAME}.",
	}, func(ctx context.Context, in *struct{ Body MappingBody }) (*struct{ Body intake.SavedMapping }, error) {
		m, err := s.Imports.SaveMapping(ctx, tenant(ctx), intake.SavedMapping{Name: in.Body.Name, Mapping: in.Body.Mapping, Headers: in.Body.Headers})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body intake.SavedMapping }{Body: m}, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "get-mapping", Method: http.MethodGet, Path: "/api/v1/mappings/{name}",
		Summary: "Get a saved mapping", Tags: tags, Security: scope,
	}, func(ctx context.Context, in *struct {
		Name string `path:"name"`
	}) (*struct{ Body intake.SavedMapping }, error) {
		m, err := s.Imports.SavedMapping(ctx, tenant(ctx), in.Name)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body intake.SavedMapping }{Body: m}, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "delete-mapping", Method: http.MethodDelete, Path: "/api/v1/mappings/{name}", DefaultStatus: http.StatusNoContent,
		Summary: "Delete a saved mapping", Tags: tags, Security: scope,
	}, func(ctx context.Context, in *struct {
		Name string `path:"name"`
	}) (*struct{}, error) {
		if err := s.Imports.DeleteMapping(ctx, tenant(ctx), in.Name); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}
