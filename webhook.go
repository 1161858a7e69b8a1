package intake

import (
	"slices"
	"strings"
	"time"
)

// Webhook event types (DESIGN §4a). Record events are sent only for imports
// run with follow-ups on (ImportSpec.Followups).
const (
	EventImportCompleted = "import.completed"
	EventImportFailed    = "import.failed"
	EventImportCancelled = "import.cancelled"
	EventImportUndone    = "import.undone"

	EventContactCreated     = "contact.created"
	EventContactUpdated     = "contact.updated"
	EventContactDeleted     = "contact.deleted"
	EventParticipantCreated = "participant.created"
	EventParticipantUpdated = "participant.updated"
	EventParticipantDeleted = "participant.deleted"
	EventRecordCreated      = "record.created"
	EventRecordUpdated      = "record.updated"
	EventRecordDeleted      = "record.deleted"
)

// EventTypes lists every event a webhook can subscribe to; "*" subscribes
// to all of them.
var EventTypes = []string{
	EventImportCompleted, EventImportFailed, EventImportCancelled, EventImportUndone,
	EventContactCreated, EventContactUpdated, EventContactDeleted,
	EventParticipantCreated, EventParticipantUpdated, EventParticipantDeleted,
	EventRecordCreated, EventRecordUpdated, EventRecordDeleted,
}

// Webhook states.
const (
	WebhookActive = "active"
	WebhookPaused = "paused"
)

// Webhook is a tenant's subscription: events of the listed types are
// POSTed to URL, signed with Secret.
type Webhook struct {
	ID          int64    `json:"id"`
	TenantID    int64    `json:"-"`
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Description string   `json:"description,omitempty"`
	// Secret signs deliveries; it is shown once, when created or rotated.
	Secret string `json:"secret,omitempty"`
	Status string `json:"status"`
	// PausedReason says why a paused webhook was paused.
	PausedReason string `json:"paused_reason,omitempty"`
	// FailingSince is when the first of the current run of failed
	// deliveries failed; nil once a delivery succeeds.
	FailingSince *time.Time `json:"failing_since,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// Takes reports whether the webhook subscribes to events of type typ.
func (w *Webhook) Takes(typ string) bool {
	return slices.Contains(w.Events, "*") || slices.Contains(w.Events, typ)
}

// ParseEvents checks a subscription's event list: known types or "*",
// without repeats. An empty or unknown one is an EINVALID error.
func ParseEvents(events []string) ([]string, error) {
	var out []string
	for _, e := range events {
		e = strings.ToLower(strings.TrimSpace(e))
		if e != "*" && !slices.Contains(EventTypes, e) {
			return nil, Invalid("Unknown event type.", FieldError{Field: "events", Value: e,
				Message: "Use * or some of " + strings.Join(EventTypes, ", ") + "."})
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return nil, Invalid("A webhook needs events.", FieldError{Field: "events", Message: "List the event types to send, or * for all."})
	}
	return out, nil
}

// Delivery states.
const (
	DeliveryPending   = "pending"   // waiting for its first or next attempt
	DeliverySucceeded = "succeeded" // the receiver answered 2xx
	DeliveryFailed    = "failed"    // every attempt failed; no more are made
)

// WebhookDelivery is one event on its way to one webhook, and its attempts.
type WebhookDelivery struct {
	ID         int64  `json:"id"`
	WebhookID  int64  `json:"webhook_id"`
	EventID    string `json:"event_id"`
	EventType  string `json:"event_type"`
	Status     string `json:"status"`
	Attempts   int    `json:"attempts"`
	StatusCode int    `json:"last_status_code,omitempty"`
	LastError  string `json:"last_error,omitempty"`
	// NextAttemptAt is when the next attempt is due while pending.
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// Selection is a named, saved filter over a tenant's contacts (the contact
// list's own query parameters), with its membership materialised.
type Selection struct {
	ID        int64             `json:"id"`
	TenantID  int64             `json:"-"`
	Name      string            `json:"name"`
	Filter    map[string]string `json:"filter"`
	Count     int               `json:"count"`
	RebuiltAt *time.Time        `json:"rebuilt_at,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
}

// EventRecord is one record a change event carries in data.records: its
// id, the row it came from, what happened and its values after the change.
// Changes lists each changed field's before → after where the engine knows
// them (change capture); it is empty otherwise.
type EventRecord struct {
	ID      int64        `json:"id"`
	Row     int          `json:"row,omitempty"`
	Outcome Outcome      `json:"outcome"`
	Values  any          `json:"values,omitempty"`
	Changes []EventField `json:"changes,omitempty"`
}

// EventField is one field's change in an EventRecord.
type EventField struct {
	Field  string `json:"field"`
	Before any    `json:"before"`
	After  any    `json:"after"`
}
