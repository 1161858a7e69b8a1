package http

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/webhook"
)

// WebhookList is a page of webhooks, in id order, without secrets.
type WebhookList struct {
	Data       []intake.Webhook `json:"data"`
	NextCursor string           `json:"next_cursor,omitempty" doc:"Pass as ?cursor= for the next page; absent on the last page."`
}

// DeliveryList is a page of a webhook's deliveries, newest first.
type DeliveryList struct {
	Data       []intake.WebhookDelivery `json:"data"`
	NextCursor string                   `json:"next_cursor,omitempty" doc:"Pass as ?cursor= for the next (older) page; absent on the last page."`
}

// NewWebhook is the body of POST /api/v1/webhooks.
type NewWebhook struct {
	URL         string   `json:"url" doc:"An http(s) URL; private and loopback addresses only when the operator allows them (--location-allow-private)." example:"https://example.com/intake-events"`
	Events      []string `json:"events" doc:"Event types (import.completed, import.failed, import.cancelled, import.undone, contact.created, contact.updated, contact.deleted, participant.*, record.*), or * for all." example:"[\"import.completed\",\"contact.created\"]"`
	Description string   `json:"description,omitempty"`
}

// WebhookPatch is the body of PATCH /api/v1/webhooks/{id}.
type WebhookPatch struct {
	URL         *string  `json:"url,omitempty"`
	Events      []string `json:"events,omitempty"`
	Description *string  `json:"description,omitempty"`
	Status      *string  `json:"status,omitempty" enum:"active,paused" doc:"paused stops deliveries (they wait); active resumes them and forgets past failures."`
}

func (s *Server) registerWebhooks() {
	tags, scope := []string{"Webhooks"}, secured(intake.ScopeImports)
	huma.Register(s.api, huma.Operation{
		OperationID: "create-webhook", Method: http.MethodPost, Path: "/api/v1/webhooks", DefaultStatus: http.StatusCreated,
		Summary: "Subscribe a URL to events", Tags: tags, Security: scope,
		Description: "Answers the webhook with its signing `secret`, shown only now (see POST …/rotate). Deliveries are signed: " +
			"`Intake-Signature: t=UNIX,v1=hex(HMAC-SHA256(secret, \"t.body\"))`.",
	}, func(ctx context.Context, in *struct{ Body NewWebhook }) (*struct{ Body intake.Webhook }, error) {
		w, err := s.Webhooks.Create(ctx, tenant(ctx), in.Body.URL, in.Body.Events, in.Body.Description)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body intake.Webhook }{Body: w}, nil
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "list-webhooks", Method: http.MethodGet, Path: "/api/v1/webhooks",
		Summary: "List webhooks", Tags: tags, Security: scope,
	}, func(ctx context.Context, in *pageInput) (*struct{ Body WebhookList }, error) {
		after, err := cursorOf(in.Cursor)
		if err != nil {
			return nil, err
		}
		ws, err := s.Webhooks.List(ctx, tenant(ctx), after, in.Limit)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &struct{ Body WebhookList }{Body: WebhookList{Data: append([]intake.Webhook{}, ws...)}}
		if len(ws) > 0 && len(ws) == in.Limit {
			out.Body.NextCursor = encodeCursor(ws[len(ws)-1].ID)
		}
		return out, nil
	})
	s.registerWebhook(tags, scope)
	s.registerDeliveries(tags, scope)
}

// registerWebhook mounts the routes of one webhook.
func (s *Server) registerWebhook(tags []string, scope []map[string][]string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "get-webhook", Method: http.MethodGet, Path: "/api/v1/webhooks/{id}",
		Summary: "Get a webhook", Tags: tags, Security: scope, Description: "Without its secret; a paused one says why in paused_reason.",
	}, func(ctx context.Context, in *contactInput) (*struct{ Body intake.Webhook }, error) {
		return s.webhookAnswer(ctx, func() (intake.Webhook, error) { return s.Webhooks.Get(ctx, tenant(ctx), in.ID) })
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "update-webhook", Method: http.MethodPatch, Path: "/api/v1/webhooks/{id}",
		Summary: "Change, pause or resume a webhook", Tags: tags, Security: scope,
	}, func(ctx context.Context, in *struct {
		ID   int64 `path:"id"`
		Body WebhookPatch
	}) (*struct{ Body intake.Webhook }, error) {
		p := webhook.Patch{URL: in.Body.URL, Events: in.Body.Events, Description: in.Body.Description, Status: in.Body.Status}
		return s.webhookAnswer(ctx, func() (intake.Webhook, error) { return s.Webhooks.Update(ctx, tenant(ctx), in.ID, p) })
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "rotate-webhook-secret", Method: http.MethodPost, Path: "/api/v1/webhooks/{id}/rotate",
		Summary: "Rotate a webhook's signing secret", Tags: tags, Security: scope,
		Description: "Answers the webhook with its new secret, shown only now; attempts from now on are signed with it.",
	}, func(ctx context.Context, in *contactInput) (*struct{ Body intake.Webhook }, error) {
		return s.webhookAnswer(ctx, func() (intake.Webhook, error) { return s.Webhooks.Rotate(ctx, tenant(ctx), in.ID) })
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "delete-webhook", Method: http.MethodDelete, Path: "/api/v1/webhooks/{id}", DefaultStatus: http.StatusNoContent,
		Summary: "Delete a webhook", Tags: tags, Security: scope, Description: "Its pending deliveries end unsent.",
	}, func(ctx context.Context, in *contactInput) (*struct{}, error) {
		if err := s.Webhooks.Delete(ctx, tenant(ctx), in.ID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}

func (s *Server) registerDeliveries(tags []string, scope []map[string][]string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "list-webhook-deliveries", Method: http.MethodGet, Path: "/api/v1/webhooks/{id}/deliveries",
		Summary: "A webhook's deliveries", Tags: tags, Security: scope,
		Description: "Newest first: each event's delivery with its attempts, the last status code or error and, while pending, the next attempt.",
	}, func(ctx context.Context, in *struct {
		ID     int64  `path:"id"`
		Cursor string `query:"cursor" doc:"Opaque cursor from a previous page's next_cursor."`
		Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"50"`
	}) (*struct{ Body DeliveryList }, error) {
		before, err := cursorOf(in.Cursor)
		if err != nil {
			return nil, err
		}
		ds, err := s.Webhooks.Deliveries(ctx, tenant(ctx), in.ID, before, in.Limit)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &struct{ Body DeliveryList }{Body: DeliveryList{Data: append([]intake.WebhookDelivery{}, ds...)}}
		if len(ds) > 0 && len(ds) == in.Limit {
			out.Body.NextCursor = encodeCursor(ds[len(ds)-1].ID)
		}
		return out, nil
	})
}

func (s *Server) webhookAnswer(ctx context.Context, fn func() (intake.Webhook, error)) (*struct{ Body intake.Webhook }, error) {
	w, err := fn()
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &struct{ Body intake.Webhook }{Body: w}, nil
}
