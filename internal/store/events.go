package store

import (
	"context"
	"fmt"
	"time"

	"github.com/intake/intake"
)

// Events is the store's part for events and their participants
// (Plandocket). Every method reads or writes tenantID's rows only.
type Events interface {
	// CreateEvent stores a new event of tenantID and sets its ID and
	// timestamps. A key the tenant already uses is an ECONFLICT error.
	CreateEvent(ctx context.Context, tenantID int64, e *intake.Event) error
	// GetEvent returns the tenant's event with key; ENOTFOUND otherwise.
	GetEvent(ctx context.Context, tenantID int64, key string) (intake.Event, error)
	// ListEvents returns up to limit events with id > after, in id order.
	ListEvents(ctx context.Context, tenantID, after int64, limit int) ([]intake.Event, error)
	// DeleteEvent removes the tenant's event with key and its participants
	// (never their contacts); ENOTFOUND when there is none.
	DeleteEvent(ctx context.Context, tenantID int64, key string) error
	// ListParticipants returns up to f.Limit participants of the event with
	// id > f.After, in id order, each with its Contact.
	ListParticipants(ctx context.Context, tenantID, eventID int64, f ParticipantFilter) ([]intake.Participant, error)
}

// ParticipantFilter narrows ListParticipants. Zero values mean "any".
type ParticipantFilter struct {
	After  int64
	Limit  int
	Status string // exact
}

// ParticipantTx is the part of Tx that reads and writes participants, a
// whole batch per call (one statement, not one per participant).
type ParticipantTx interface {
	// EventByKey returns the transaction tenant's event with key;
	// ENOTFOUND when there is none.
	EventByKey(ctx context.Context, key string) (intake.Event, error)
	// FindParticipants returns the event's participants whose contact is
	// among contactIDs.
	FindParticipants(ctx context.Context, eventID int64, contactIDs []int64) ([]intake.Participant, error)
	// InsertParticipants stores new participants (EventID, ContactID,
	// Status) and sets their ID, CreatedAt and UpdatedAt. A contact that
	// already takes part in the event is an ECONFLICT error: there is at
	// most one participant per event and contact.
	InsertParticipants(ctx context.Context, ps []*intake.Participant) error
	// UpdateParticipants stores the Status of the participants with these
	// IDs and sets their UpdatedAt.
	UpdateParticipants(ctx context.Context, ps []*intake.Participant) error
	// DeleteParticipants removes the participants with these IDs; their
	// contacts stay.
	DeleteParticipants(ctx context.Context, ids []int64) error
}

// ParticipantKey is a participant's event and contact: unique per participant.
type ParticipantKey struct{ EventID, ContactID int64 }

// SetParticipantIDs gives each inserted participant the id a store returned
// for its event and contact, and its timestamps. Both stores insert a batch
// in one statement whose RETURNING order is not promised, so they return
// ids by key and this matches them up.
func SetParticipantIDs(ps []*intake.Participant, ids map[ParticipantKey]int64, now time.Time) error {
	for _, p := range ps {
		id, ok := ids[ParticipantKey{p.EventID, p.ContactID}]
		if !ok {
			return fmt.Errorf("insert participants: no id returned for contact %d in event %d", p.ContactID, p.EventID)
		}
		p.ID, p.CreatedAt, p.UpdatedAt = id, now, now
	}
	return nil
}
