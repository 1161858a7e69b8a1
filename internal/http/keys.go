package http

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
)

// KeyList is a tenant's API keys: ids, scopes and dates, never secrets.
type KeyList struct {
	Data []intake.APIKey `json:"data"`
}

// registerKeys mounts key management for a tenant's administrators: the
// admin scope lists the tenant's keys and revokes them. Keys are created
// with `intake keys create` (the only place a secret is shown).
func (s *Server) registerKeys() {
	tags := []string{"API keys"}
	huma.Register(s.api, huma.Operation{
		OperationID: "list-keys", Method: http.MethodGet, Path: "/api/v1/keys",
		Summary: "List the tenant's API keys", Tags: tags, Security: secured(intake.ScopeAdmin),
		Description: "Every key of the calling key's tenant, revoked ones included (with revoked_at): id, scopes, " +
			"created_at. Secrets are never shown: they are stored hashed.",
	}, func(ctx context.Context, _ *struct{}) (*struct{ Body KeyList }, error) {
		keys, err := s.Store.ListAPIKeys(ctx, tenant(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		if keys == nil {
			keys = []intake.APIKey{}
		}
		return &struct{ Body KeyList }{Body: KeyList{Data: keys}}, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "revoke-key", Method: http.MethodDelete, Path: "/api/v1/keys/{id}", DefaultStatus: http.StatusNoContent,
		Summary: "Revoke an API key", Tags: tags, Security: secured(intake.ScopeAdmin),
		Description: "The key stops working at once (keys are checked against the database on every request, " +
			"with no cache). Revoking a revoked key is no error; another tenant's key is 404. A key may revoke itself.",
	}, func(ctx context.Context, in *struct {
		ID int64 `path:"id"`
	}) (*struct{}, error) {
		if err := s.Store.RevokeAPIKey(ctx, tenant(ctx), in.ID); err != nil {
			return nil, s.problem(ctx, err)
		}
		s.Logger.InfoContext(ctx, "api key revoked", "tenant_id", tenant(ctx), "key_id", in.ID)
		return nil, nil
	})
}
