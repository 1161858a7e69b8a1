package http

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
)

// SelectionList is a page of selections, in id order.
type SelectionList struct {
	Data       []intake.Selection `json:"data"`
	NextCursor string             `json:"next_cursor,omitempty" doc:"Pass as ?cursor= for the next page; absent on the last page."`
}

// NewSelection is the body of POST /api/v1/selections.
type NewSelection struct {
	Name   string            `json:"name" example:"VIP newsletter"`
	Filter map[string]string `json:"filter" doc:"The contact list's query parameters: group, location, event, tag, q, email, customer_number, external_id, custom.NAME." example:"{\"group\":\"Newsletter\",\"tag\":\"vip\"}"`
}

func (s *Server) registerSelections() {
	tags, scope := []string{"Selections"}, secured(intake.ScopeContacts)
	huma.Register(s.api, huma.Operation{
		OperationID: "create-selection", Method: http.MethodPost, Path: "/api/v1/selections", DefaultStatus: http.StatusCreated,
		Summary: "Save a selection", Tags: tags, Security: scope,
		Description: "A named filter over contacts; its members are built at once and rebuilt on demand or after an import with rebuild=true.",
	}, func(ctx context.Context, in *struct{ Body NewSelection }) (*struct{ Body intake.Selection }, error) {
		return s.selectionAnswer(ctx, func() (intake.Selection, error) {
			return s.Selections.Create(ctx, tenant(ctx), in.Body.Name, in.Body.Filter)
		})
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "list-selections", Method: http.MethodGet, Path: "/api/v1/selections",
		Summary: "List selections", Tags: tags, Security: scope,
	}, func(ctx context.Context, in *pageInput) (*struct{ Body SelectionList }, error) {
		after, err := cursorOf(in.Cursor)
		if err != nil {
			return nil, err
		}
		ss, err := s.Selections.List(ctx, tenant(ctx), after, in.Limit)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &struct{ Body SelectionList }{Body: SelectionList{Data: append([]intake.Selection{}, ss...)}}
		if len(ss) > 0 && len(ss) == in.Limit {
			out.Body.NextCursor = encodeCursor(ss[len(ss)-1].ID)
		}
		return out, nil
	})
	s.registerSelection(tags, scope)
}

// registerSelection mounts the routes of one selection.
func (s *Server) registerSelection(tags []string, scope []map[string][]string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "get-selection", Method: http.MethodGet, Path: "/api/v1/selections/{id}",
		Summary: "Get a selection", Tags: tags, Security: scope, Description: "With its count and rebuilt_at.",
	}, func(ctx context.Context, in *contactInput) (*struct{ Body intake.Selection }, error) {
		return s.selectionAnswer(ctx, func() (intake.Selection, error) { return s.Selections.Get(ctx, tenant(ctx), in.ID) })
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "rebuild-selection", Method: http.MethodPost, Path: "/api/v1/selections/{id}/rebuild",
		Summary: "Rebuild a selection now", Tags: tags, Security: scope,
	}, func(ctx context.Context, in *contactInput) (*struct{ Body intake.Selection }, error) {
		return s.selectionAnswer(ctx, func() (intake.Selection, error) { return s.Selections.Rebuild(ctx, tenant(ctx), in.ID) })
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "delete-selection", Method: http.MethodDelete, Path: "/api/v1/selections/{id}", DefaultStatus: http.StatusNoContent,
		Summary: "Delete a selection", Tags: tags, Security: scope, Description: "Its members (contacts) stay.",
	}, func(ctx context.Context, in *contactInput) (*struct{}, error) {
		if err := s.Selections.Delete(ctx, tenant(ctx), in.ID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "list-selection-contacts", Method: http.MethodGet, Path: "/api/v1/selections/{id}/contacts",
		Summary: "A selection's members", Tags: tags, Security: scope, Description: "Cursor-paged in id order, as of the last rebuild.",
	}, func(ctx context.Context, in *struct {
		ID     int64  `path:"id"`
		Cursor string `query:"cursor" doc:"Opaque cursor from a previous page's next_cursor."`
		Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"50"`
	}) (*struct{ Body ContactList }, error) {
		after, err := cursorOf(in.Cursor)
		if err != nil {
			return nil, err
		}
		cs, err := s.Selections.Contacts(ctx, tenant(ctx), in.ID, after, in.Limit)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &struct{ Body ContactList }{Body: ContactList{Data: append([]intake.Contact{}, cs...)}}
		if len(cs) > 0 && len(cs) == in.Limit {
			out.Body.NextCursor = encodeCursor(cs[len(cs)-1].ID)
		}
		return out, nil
	})
}

func (s *Server) selectionAnswer(ctx context.Context, fn func() (intake.Selection, error)) (*struct{ Body intake.Selection }, error) {
	sel, err := fn()
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &struct{ Body intake.Selection }{Body: sel}, nil
}
