package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect/plandocket"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/imports"
)

func (s *Server) registerBulk() {
	huma.Register(s.api, s.idempotent(bulkOperation(huma.Operation{
		OperationID: "bulk-import-contacts", Method: http.MethodPost, Path: "/api/v1/bulk-import/contacts",
		Summary: "Import contacts (synchronous, max 1000)", Tags: []string{"Bulk import"},
		Security: secured(intake.ScopeContacts),
		Description: "Plandocket's bulk import. Runs in one transaction and answers with per-record outcomes. " +
			"More than 1000 records → 413. skip_on_error=false and any invalid record → 422 and nothing written. " +
			"event_key and create_contacts (the participants endpoint's) are accepted and ignored.",
		Errors: []int{400, 401, 403, 413, 422, 503},
	})), func(ctx context.Context, in *bulkInput) (*bulkOutput[plandocket.BulkResponse], error) {
		done, warnings, err := s.runBulk(ctx, in.RawBody, plandocket.Translate)
		if err != nil {
			return nil, err
		}
		out, err := plandocket.Respond(done.Result, done.Items, warnings)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &bulkOutput[plandocket.BulkResponse]{ImportID: done.Import.ID, Body: out}, nil
	})
	s.documentBulk("/api/v1/bulk-import/contacts")
	s.registerBulkList()
}

// runBulk is a bulk call's use case, the same for every resource: decode
// the body (refusing duplicate keys), translate it with the tenant's
// registry, check the key may write what it asks for, and run it as a
// recorded job of its own. Errors come out as problems.
func (s *Server) runBulk(ctx context.Context, raw []byte,
	translate func(*plandocket.BulkRequest, *intake.Registry) (intake.ImportSpec, importer.Records, []string, error)) (imports.Bulked, []string, error) {
	body, err := decodeBulk(raw)
	if err != nil {
		return imports.Bulked{}, nil, err
	}
	p, _ := intake.PrincipalFromContext(ctx)
	reg, err := s.Directory.Registry(ctx, p.Tenant.ID)
	if err != nil {
		return imports.Bulked{}, nil, s.problem(ctx, err)
	}
	spec, recs, warnings, err := translate(&body, reg)
	if err == nil {
		err = authorizeImport(p, spec)
	}
	if err != nil {
		return imports.Bulked{}, nil, s.problem(ctx, err)
	}
	done, err := s.Imports.BulkRecorded(ctx, p.Tenant.ID, reg, spec, recs, s.bulkTrace(ctx, spec))
	if err != nil {
		return imports.Bulked{}, nil, s.problem(ctx, err)
	}
	return done, warnings, nil
}

// bulkOutput is a bulk answer in the seed's shape, with the job the call
// ran as in a header: its changes and its undo are that import's
// (/api/v1/imports/{id}/changes, …/undo).
type bulkOutput[T any] struct {
	ImportID int64 `header:"Intake-Import-Id" doc:"The import this call ran as: GET /api/v1/imports/{id}/changes lists what it changed, POST /api/v1/imports/{id}/undo takes it back."`
	Body     T
}

// bulkTrace renders a bulk import's trace in Plandocket's terms, with the
// key that sent it.
func (s *Server) bulkTrace(ctx context.Context, spec intake.ImportSpec) func(importer.Result) intake.BulkImport {
	p, _ := intake.PrincipalFromContext(ctx)
	return func(res importer.Result) intake.BulkImport { return plandocket.Record(p.Tenant.ID, p.KeyID, spec, res) }
}

// requestIDKey holds a request's requestIDOf in its context (logRequests).
type requestIDKey struct{}

// requestIDOf is a request's id and whether the client sent it.
type requestIDOf struct {
	id   string
	sent bool
}

// requestID is the seed's meta.request_id: the X-Request-Id the request
// sent, as sent, so a client matches a body with its request; else the id
// the server made (and answered in that header) in the seed's req_ form.
func requestID(ctx context.Context) string {
	if rid, ok := ctx.Value(requestIDKey{}).(requestIDOf); ok && rid.id != "" {
		if rid.sent {
			return rid.id
		}
		return "req_" + rid.id
	}
	b := make([]byte, 8)
	rand.Read(b)
	return "req_" + hex.EncodeToString(b)
}

func (s *Server) registerBulkList() {
	tags := []string{"Bulk import"}
	sec := secured(intake.ScopeContacts, intake.ScopeParticipants)
	huma.Register(s.api, huma.Operation{
		OperationID: "list-bulk-imports", Method: http.MethodGet, Path: "/api/v1/bulk-import",
		Summary: "List past bulk imports", Tags: tags, Security: sec,
		Description: "Plandocket's list, newest first, in its envelope {data, meta: {request_id}}: each bulk import with " +
			"bulk-import_id, created_at and updated_at (Unix seconds), the endpoint's resource, mode, counts and the key " +
			"that sent it. Takes the contacts or the participants scope.",
	}, func(ctx context.Context, in *struct {
		Cursor string `query:"cursor"`
		Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20"`
	}) (*struct{ Body plandocket.BulkImportList }, error) {
		before, ok := decodeCursor(in.Cursor)
		if !ok {
			return nil, huma.Error422UnprocessableEntity("The cursor is not valid.")
		}
		bs, err := s.Store.ListBulkImports(ctx, tenant(ctx), before, in.Limit)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		next := ""
		if len(bs) == in.Limit {
			next = encodeCursor(bs[len(bs)-1].ID)
		}
		return &struct{ Body plandocket.BulkImportList }{Body: plandocket.List(bs, requestID(ctx), next)}, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "get-bulk-import", Method: http.MethodGet, Path: "/api/v1/bulk-import/{id}",
		Summary: "Get a past bulk import", Tags: tags, Security: sec,
		Description: "One bulk import in the seed's envelope; another tenant's id → 404.",
	}, func(ctx context.Context, in *importIDInput) (*struct{ Body plandocket.BulkImportOne }, error) {
		b, err := s.Store.GetBulkImport(ctx, tenant(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body plandocket.BulkImportOne }{Body: plandocket.BulkImportOne{Data: plandocket.View(b),
			Meta: plandocket.Meta{RequestID: requestID(ctx)}}}, nil
	})
}
