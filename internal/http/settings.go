package http

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/intake/intake"
)

// SettingsBody is a tenant's settings as the API shows and takes them.
type SettingsBody struct {
	Region       string `json:"region" doc:"Default phone region (ISO 3166-1 alpha-2, e.g. DE) for numbers without a country code, used when neither the row's country nor the import's region names one. Empty: the server's default (--region)." example:"DE"`
	UndoDisabled bool   `json:"undo_disabled" required:"false" doc:"Turns off recording what imports change: imports then cannot be undone (and run a little faster). Previews still work."`
	UndoDays     int    `json:"undo_days" required:"false" doc:"How many days an import can be undone; 0 means 30. Never longer than the server's retention of imports." minimum:"0" maximum:"3650"`
}

// registerSettings adds the tenant's settings routes. Reading them takes
// the imports scope (so an imports-only key can see which region applies;
// contacts passes too); changing them takes contacts, as defining a
// custom field does: both change how every later import reads values.
func (s *Server) registerSettings() {
	tags := []string{"Settings"}
	huma.Register(s.api, huma.Operation{
		OperationID: "get-settings", Method: http.MethodGet, Path: "/api/v1/settings",
		Summary: "Get the tenant's settings", Tags: tags, Security: secured(intake.ScopeImports),
	}, func(ctx context.Context, _ *struct{}) (*struct{ Body SettingsBody }, error) {
		set, err := s.Directory.Settings(ctx, tenant(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body SettingsBody }{Body: SettingsBody(set)}, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "update-settings", Method: http.MethodPut, Path: "/api/v1/settings",
		Summary: "Change the tenant's settings", Tags: tags, Security: secured(intake.ScopeContacts),
		Description: "Replaces the settings. A region applies to imports and contact writes from then on; " +
			"running jobs keep the region they started with.",
	}, func(ctx context.Context, in *struct{ Body SettingsBody }) (*struct{ Body SettingsBody }, error) {
		set, err := s.Directory.SaveSettings(ctx, tenant(ctx), intake.Settings(in.Body))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body SettingsBody }{Body: SettingsBody(set)}, nil
	})
}
