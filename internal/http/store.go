package http

import (
	"context"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/directory"
	"github.com/intake/intake/internal/store"
)

// Store is what the HTTP layer takes from a store directly: the key check,
// the Idempotency-Key records, readiness, key management, and reads that
// answer GET routes. It writes nothing else: every change goes through a
// service (Imports, Directory, Webhooks, Selections). It is also a
// directory.Store, because Config.Directory defaults to one over it. Every
// store.Store is one.
type Store interface {
	directory.Store
	// Authenticate returns the principal of the key whose hash is given.
	Authenticate(ctx context.Context, hash string) (intake.Principal, error)
	store.ContactReader
	store.GroupReader
	GetEvent(ctx context.Context, tenantID int64, key string) (intake.Event, error)
	ListEvents(ctx context.Context, tenantID, after int64, limit int) ([]intake.Event, error)
	ListParticipants(ctx context.Context, tenantID, eventID int64, f store.ParticipantFilter) ([]intake.Participant, error)
	ListBulkImports(ctx context.Context, tenantID, before int64, limit int) ([]intake.BulkImport, error)
	GetBulkImport(ctx context.Context, tenantID, id int64) (intake.BulkImport, error)
	ListAPIKeys(ctx context.Context, tenantID int64) ([]intake.APIKey, error)
	RevokeAPIKey(ctx context.Context, tenantID, id int64) error
	// Ready answers /readyz.
	Ready(ctx context.Context) error
	ReserveIdempotencyKey(ctx context.Context, r store.IdempotencyReservation) (store.IdempotencyRecord, bool, error)
	CompleteIdempotencyKey(ctx context.Context, tenantID int64, key, token string, rec store.IdempotencyRecord) error
	ReleaseIdempotencyKey(ctx context.Context, tenantID int64, key, token string) error
}
