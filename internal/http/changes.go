package http

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect/native"
	"github.com/intake/intake/internal/store"
)

// ChangeList is a page of an import's changes with its summary.
type ChangeList struct {
	Data       []store.Change `json:"data"`
	NextCursor string         `json:"next_cursor,omitempty"`
	Summary    map[string]any `json:"summary" doc:"Rows per outcome (created, updated, unchanged, skipped, failed, partial, deleted, removed) and, under fields, per field how many updates changed it to a value and how many cleared it."`
}

// UndoBody asks for an undo.
type UndoBody struct {
	Force bool `json:"force,omitempty" doc:"Restore records changed since the import too (default false: they are skipped and reported with both values)."`
}

// registerChanges adds the change set and undo routes.
func (s *Server) registerChanges() {
	tags := []string{"Imports"}
	huma.Register(s.api, huma.Operation{
		OperationID: "list-import-changes", Method: http.MethodGet, Path: "/api/v1/imports/{id}/changes",
		Summary: "Page an import's changes", Tags: tags, Security: secured(intake.ScopeImports),
		Description: "The change set of an import run with preview=true (or mode validate): per row its outcome and, " +
			"for updates, each field's before and after; POST …/start then writes it. For an import that wrote " +
			"(a file or a bulk call), what it did, from its undo records: per record (kind, record_id) created, " +
			"updated, unchanged or deleted, with each field's before and after. Filter by outcome and by a field the row changes.",
	}, func(ctx context.Context, in *struct {
		ID      int64  `path:"id"`
		Outcome string `query:"outcome" enum:"created,updated,unchanged,skipped,failed,partial,deleted,removed,"`
		Field   string `query:"field"`
		Cursor  string `query:"cursor"`
		Limit   int    `query:"limit" minimum:"1" maximum:"1000" default:"100"`
	}) (*struct{ Body ChangeList }, error) {
		after, ok := decodeCursor(in.Cursor)
		if !ok {
			return nil, huma.Error422UnprocessableEntity("The cursor is not valid.")
		}
		page, err := s.Imports.Changes(ctx, tenant(ctx), in.ID, store.ChangeFilter{After: after, Limit: in.Limit, Outcome: in.Outcome, Field: in.Field})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := ChangeList{Data: page.Data, Summary: map[string]any{"fields": page.Summary.Fields}}
		if out.Data == nil {
			out.Data = []store.Change{}
		}
		for o, n := range page.Summary.Outcomes {
			out.Summary[o] = n
		}
		if page.Next != 0 {
			out.NextCursor = encodeCursor(page.Next)
		}
		return &struct{ Body ChangeList }{Body: out}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "undo-import", Method: http.MethodPost, Path: "/api/v1/imports/{id}/undo",
		Summary: "Undo an import", Tags: tags, Security: secured(intake.ScopeImports), DefaultStatus: http.StatusAccepted,
		Description: "Starts a job of kind undo that removes what the import created, restores what it changed and brings " +
			"back what it deleted; records changed since are skipped and reported unless force is true. Asking again " +
			"answers the same undo job. Available for the tenant's undo window (default 30 days).",
	}, func(ctx context.Context, in *struct {
		ID   int64 `path:"id"`
		Body *UndoBody
	}) (*struct{ Body native.ImportView }, error) {
		force := in.Body != nil && in.Body.Force
		return s.respondImport(ctx)(s.Imports.Undo(ctx, tenant(ctx), in.ID, force))
	})
}
