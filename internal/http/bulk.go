package http

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect/plandocket"
)

func (s *Server) registerBulk() {
	huma.Register(s.api, s.idempotent(huma.Operation{
		OperationID: "bulk-import-contacts", Method: http.MethodPost, Path: "/api/v1/bulk-import/contacts",
		Summary: "Import contacts (synchronous, max 1000)", Tags: []string{"Bulk import"},
		Security: secured(intake.ScopeContacts), MaxBodyBytes: 32 << 20,
		Description: "Plandocket's bulk import. Runs in one transaction and answers with per-record outcomes. " +
			"More than 1000 records → 413. skip_on_error=false and any invalid record → 422 and nothing written.",
		Errors: []int{401, 403, 413, 422},
	}), func(ctx context.Context, in *struct{ Body plandocket.BulkRequest }) (*struct{ Body plandocket.BulkResponse }, error) {
		reg, err := s.Imports.Registry(ctx, tenant(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		spec, recs, warnings, err := plandocket.Translate(&in.Body, reg)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		res, items, err := s.Imports.Bulk(ctx, tenant(ctx), reg, spec, recs)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out, err := plandocket.Respond(res, items, warnings)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body plandocket.BulkResponse }{Body: out}, nil
	})
}
