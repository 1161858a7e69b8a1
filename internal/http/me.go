package http

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
)

// Me is the calling key: its tenant and scopes. The web importer shows it
// after sign-in, and a client checks a key with it before it uploads.
type Me struct {
	Tenant string   `json:"tenant" doc:"The tenant's slug." example:"acme"`
	Scopes []string `json:"scopes" doc:"The key's scopes." example:"[\"contacts\",\"imports\"]"`
	KeyID  int64    `json:"key_id" doc:"The key's id (see intake keys list)." example:"1"`
}

// registerMe mounts GET /api/v1/me. Any valid key may call it, whatever its
// scopes: it is how a client learns what the key may do.
func (s *Server) registerMe() {
	huma.Register(s.api, huma.Operation{
		OperationID: "get-me", Method: http.MethodGet, Path: "/api/v1/me",
		Summary: "Who am I", Tags: []string{"API keys"}, Security: secured(intake.KnownScopes...),
		Description: "The calling key's tenant, scopes and id. Any valid key may call it.",
	}, func(ctx context.Context, _ *struct{}) (*struct{ Body Me }, error) {
		p, _ := intake.PrincipalFromContext(ctx)
		scopes := p.Scopes
		if scopes == nil {
			scopes = []string{}
		}
		return &struct{ Body Me }{Body: Me{Tenant: p.Tenant.Slug, Scopes: scopes, KeyID: p.KeyID}}, nil
	})
}
