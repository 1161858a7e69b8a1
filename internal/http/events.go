package http

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect/plandocket"
	"github.com/intake/intake/internal/store"
)

// EventList is a page of events.
type EventList struct {
	Data       []intake.Event `json:"data"`
	NextCursor string         `json:"next_cursor,omitempty" doc:"Pass as ?cursor= for the next page; absent on the last page."`
}

// ParticipantList is a page of an event's participants, each with its contact.
type ParticipantList struct {
	Data       []intake.Participant `json:"data"`
	NextCursor string               `json:"next_cursor,omitempty" doc:"Pass as ?cursor= for the next page; absent on the last page."`
}

// EventCreate is a new event.
type EventCreate struct {
	Key      string     `json:"key" minLength:"1" maxLength:"100" pattern:"^[A-Za-z0-9][A-Za-z0-9._-]*$" doc:"Unique per tenant; letters, digits, . _ and -. Participant imports name the event by it (event_key)."`
	Name     string     `json:"name,omitempty" maxLength:"255"`
	StartsAt *time.Time `json:"starts_at,omitempty" doc:"RFC 3339, e.g. 2026-05-01T09:00:00Z."`
}

type eventKeyInput struct {
	Key string `path:"key"`
}

// registerEvents registers the events routes and the participants bulk
// import (Plandocket). All of them take the participants scope.
func (s *Server) registerEvents() {
	tags, sec := []string{"Events"}, secured(intake.ScopeParticipants)
	s.registerListEvents(tags, sec)
	s.registerCreateEvent(tags, sec)
	s.registerGetEvent(tags, sec)
	s.registerDeleteEvent(tags, sec)
	s.registerListParticipants(tags, sec)
	s.registerBulkParticipants()
}

func (s *Server) registerListEvents(tags []string, sec []map[string][]string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "list-events", Method: http.MethodGet, Path: "/api/v1/events",
		Summary: "List events", Tags: tags, Security: sec, Description: "Cursor-paged in id order.",
	}, func(ctx context.Context, in *pageInput) (*struct{ Body EventList }, error) {
		after, err := cursorOf(in.Cursor)
		if err != nil {
			return nil, err
		}
		es, err := s.Store.ListEvents(ctx, tenant(ctx), after, in.Limit)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &struct{ Body EventList }{Body: EventList{Data: append([]intake.Event{}, es...)}}
		if len(es) > 0 && len(es) == in.Limit {
			out.Body.NextCursor = encodeCursor(es[len(es)-1].ID)
		}
		return out, nil
	})
}

// registerCreateEvent registers creating an event; a retried POST with the
// same Idempotency-Key answers the first result.
func (s *Server) registerCreateEvent(tags []string, sec []map[string][]string) {
	huma.Register(s.api, s.idempotent(huma.Operation{
		OperationID: "create-event", Method: http.MethodPost, Path: "/api/v1/events", DefaultStatus: http.StatusCreated,
		Summary: "Create an event", Tags: tags, Security: sec, Errors: []int{401, 403, 409, 422},
		Description: "A key the tenant already uses → 409.",
	}), func(ctx context.Context, in *struct{ Body EventCreate }) (*struct{ Body intake.Event }, error) {
		e := intake.Event{Key: in.Body.Key, Name: in.Body.Name, StartsAt: in.Body.StartsAt}
		if err := s.Directory.CreateEvent(ctx, tenant(ctx), &e); err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body intake.Event }{Body: e}, nil
	})
}

func (s *Server) registerGetEvent(tags []string, sec []map[string][]string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "get-event", Method: http.MethodGet, Path: "/api/v1/events/{key}",
		Summary: "Get an event", Tags: tags, Security: sec,
	}, func(ctx context.Context, in *eventKeyInput) (*struct{ Body intake.Event }, error) {
		e, err := s.Store.GetEvent(ctx, tenant(ctx), in.Key)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body intake.Event }{Body: e}, nil
	})
}

func (s *Server) registerDeleteEvent(tags []string, sec []map[string][]string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "delete-event", Method: http.MethodDelete, Path: "/api/v1/events/{key}", DefaultStatus: http.StatusNoContent,
		Summary: "Delete an event", Tags: tags, Security: sec,
		Description: "Deletes the event and its participants (cascade); their contacts stay.",
	}, func(ctx context.Context, in *eventKeyInput) (*struct{}, error) {
		if err := s.Directory.DeleteEvent(ctx, tenant(ctx), in.Key); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}

func (s *Server) registerListParticipants(tags []string, sec []map[string][]string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "list-participants", Method: http.MethodGet, Path: "/api/v1/events/{key}/participants",
		Summary: "List an event's participants", Tags: tags, Security: sec,
		Description: "Cursor-paged in id order, each with its status and contact; ?status= filters on the status exactly.",
	}, func(ctx context.Context, in *struct {
		Key    string `path:"key"`
		Cursor string `query:"cursor" doc:"Opaque cursor from a previous page's next_cursor."`
		Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"50"`
		Status string `query:"status" doc:"Only participants with this status (exact)."`
	}) (*struct{ Body ParticipantList }, error) {
		after, err := cursorOf(in.Cursor)
		if err != nil {
			return nil, err
		}
		e, err := s.Store.GetEvent(ctx, tenant(ctx), in.Key)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		ps, err := s.Store.ListParticipants(ctx, tenant(ctx), e.ID, store.ParticipantFilter{After: after, Limit: in.Limit, Status: in.Status})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &struct{ Body ParticipantList }{Body: ParticipantList{Data: append([]intake.Participant{}, ps...)}}
		if len(ps) > 0 && len(ps) == in.Limit {
			out.Body.NextCursor = encodeCursor(ps[len(ps)-1].ID)
		}
		return out, nil
	})
}

func (s *Server) registerBulkParticipants() {
	huma.Register(s.api, s.idempotent(bulkOperation(huma.Operation{
		OperationID: "bulk-import-participants", Method: http.MethodPost, Path: "/api/v1/bulk-import/participants",
		Summary: "Import participants of an event (synchronous, max 1000)", Tags: []string{"Bulk import"},
		Security: secured(intake.ScopeParticipants),
		Description: "Plandocket's participant import: the contacts request plus event_key (required) and create_contacts " +
			"(default true). Each record is a contact's fields plus status; its contact is found by match_field and created " +
			"when absent (create_contacts=true; the participants scope covers it) or failed with contact_not_found. " +
			"Existing contacts are never changed (change them with /api/v1/bulk-import/contacts and the contacts scope). Adding a contact to an event twice updates its participant. " +
			"No event_key or no such event → 422.",
		Errors: []int{400, 401, 403, 413, 422, 503},
	})), func(ctx context.Context, in *bulkInput) (*bulkOutput[plandocket.ParticipantsResponse], error) {
		done, warnings, err := s.runBulk(ctx, in.RawBody, plandocket.TranslateParticipants)
		if err != nil {
			return nil, err
		}
		out, err := plandocket.RespondParticipants(done.Result, done.Items, warnings)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &bulkOutput[plandocket.ParticipantsResponse]{ImportID: done.Import.ID, Body: out}, nil
	})
	s.documentBulk("/api/v1/bulk-import/participants")
}
