package store

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/intake/intake"
)

// Webhooks keep a tenant's webhook subscriptions and their deliveries
// (webhook.Service is their one user).
type Webhooks interface {
	// CreateWebhook stores a new subscription of w.TenantID and sets its ID
	// and timestamps.
	CreateWebhook(ctx context.Context, w *intake.Webhook) error
	// ListWebhooks returns up to limit subscriptions with id > after, in id
	// order, without their secrets.
	ListWebhooks(ctx context.Context, tenantID, after int64, limit int) ([]intake.Webhook, error)
	// GetWebhook returns one subscription with its secret; ENOTFOUND if it
	// is not the tenant's.
	GetWebhook(ctx context.Context, tenantID, id int64) (intake.Webhook, error)
	// UpdateWebhook reads a subscription, lets fn change it and stores it
	// (URL, events, description, secret, status, reason, failing since);
	// ENOTFOUND if it is not the tenant's.
	UpdateWebhook(ctx context.Context, tenantID, id int64, fn func(*intake.Webhook) error) (intake.Webhook, error)
	// DeleteWebhook removes a subscription and its deliveries; ENOTFOUND
	// if it is not the tenant's.
	DeleteWebhook(ctx context.Context, tenantID, id int64) error
	// ListDeliveries returns up to limit deliveries of a subscription with
	// id < before (0 = newest), newest first.
	ListDeliveries(ctx context.Context, tenantID, webhookID, before int64, limit int) ([]intake.WebhookDelivery, error)
	// PendingDelivery returns a delivery with its event's body; ENOTFOUND
	// if it is not the tenant's (deleted with its webhook).
	PendingDelivery(ctx context.Context, tenantID, id int64) (intake.WebhookDelivery, []byte, error)
	// SaveDeliveryAttempt stores an attempt's outcome: d's status,
	// attempts, status code, error and next attempt.
	SaveDeliveryAttempt(ctx context.Context, tenantID int64, d *intake.WebhookDelivery) error
}

// WebhookEvent is an event as the outbox stores it: its id (evt_…), type
// and the body every delivery of it sends.
type WebhookEvent struct {
	ID   string
	Type string
	Body []byte
	At   time.Time
}

// Selections keep a tenant's selections (saved contact filters) and their
// materialised members.
type Selections interface {
	// CreateSelection stores a new selection of s.TenantID and sets its ID
	// and CreatedAt; ECONFLICT when the tenant has one of that name.
	CreateSelection(ctx context.Context, s *intake.Selection) error
	// ListSelections returns up to limit selections with id > after.
	ListSelections(ctx context.Context, tenantID, after int64, limit int) ([]intake.Selection, error)
	// GetSelection returns one selection; ENOTFOUND if it is not the tenant's.
	GetSelection(ctx context.Context, tenantID, id int64) (intake.Selection, error)
	// DeleteSelection removes a selection and its members; ENOTFOUND if
	// it is not the tenant's.
	DeleteSelection(ctx context.Context, tenantID, id int64) error
	// SelectionContacts returns up to limit members with id > after, in
	// id order, as of the selection's last rebuild.
	SelectionContacts(ctx context.Context, tenantID, id, after int64, limit int) ([]intake.Contact, error)
	// RebuildSelection recomputes one selection's members from its filter.
	RebuildSelection(ctx context.Context, tenantID, id int64) (intake.Selection, error)
}

// FollowupTx is what happens after a change, written in the change's own
// transaction (a chunk's store.Tx, or the JobTx that ends a job): webhook
// events into the outbox, selections rebuilt. A rolled-back change leaves
// neither.
type FollowupTx interface {
	// AddWebhookEvent stores ev with one pending delivery per active
	// webhook of the tenant that takes its type, and returns the
	// deliveries' ids; with none, nothing is stored.
	AddWebhookEvent(ctx context.Context, ev WebhookEvent) ([]int64, error)
	// RebuildSelections recomputes every selection of the tenant.
	RebuildSelections(ctx context.Context) error
	// EnqueueDeliveries schedules the deliveries ids on the job queue the
	// store is paired with (Pairable), inside this transaction.
	EnqueueDeliveries(ctx context.Context, ids []int64) error
}

// SelectionTx is remove_missing within a selection, in an import's
// write transaction.
type SelectionTx interface {
	// UnseenInSelection is UnseenContacts within the members of the
	// tenant's selection named selection (ignoring case) instead of a
	// group; ENOTFOUND when the tenant has no such selection.
	UnseenInSelection(ctx context.Context, importID int64, selection string) ([]intake.Contact, error)
}

// SelectionFilter turns a selection's filter (the contact list's query
// parameters: group, location, event, tag, q, email, customer_number,
// external_id, custom.NAME or custom=NAME:VALUE) into a ContactFilter.
// An unknown parameter is an EINVALID error.
func SelectionFilter(m map[string]string) (ContactFilter, error) {
	var f ContactFilter
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := strings.TrimSpace(m[k])
		switch k {
		case "group":
			f.Group = v
		case "location":
			f.Location = v
		case "event":
			f.Event = v
		case "tag":
			f.Tag = v
		case "q":
			f.Q = v
		case "email":
			f.Email = v
		case "customer_number":
			f.CustomerNumber = v
		case "external_id":
			f.ExternalID = v
		case "custom":
			name, value, ok := strings.Cut(v, ":")
			if !ok || strings.TrimSpace(name) == "" {
				return f, intake.Invalid("custom takes NAME:VALUE.", intake.FieldError{Field: "filter.custom", Value: v, Message: "Write \"custom\": \"member_id:123\"."})
			}
			setCustom(&f, name, value)
		default:
			name, ok := strings.CutPrefix(k, intake.CustomPrefix)
			if !ok || name == "" {
				return f, intake.Invalid("Unknown filter parameter.", intake.FieldError{Field: "filter." + k, Value: v,
					Message: "Use the contact list's parameters: group, location, event, tag, q, email, customer_number, external_id, custom.NAME."})
			}
			setCustom(&f, name, m[k])
		}
	}
	return f, nil
}

func setCustom(f *ContactFilter, name, value string) {
	if f.Custom == nil {
		f.Custom = map[string]string{}
	}
	f.Custom[strings.TrimPrefix(strings.TrimSpace(name), intake.CustomPrefix)] = value
}
