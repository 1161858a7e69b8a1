package store

import (
	"context"
	"time"

	"github.com/intake/intake"
)

// Ops is what running the service needs from a store beside the tenants'
// data: key management, process heartbeats, idempotency keys, readiness
// and job statistics. The methods that take no tenant are for operators
// (the CLI, /metrics, /readyz), never for a tenant's request.
type Ops interface {
	// ListAPIKeys returns the keys of tenantID (every tenant's when
	// tenantID is 0, for the CLI), revoked ones included, by id. Only
	// metadata: the secrets are not stored.
	ListAPIKeys(ctx context.Context, tenantID int64) ([]intake.APIKey, error)
	// RevokeAPIKey revokes key id of tenantID (of any tenant when tenantID
	// is 0) at once: Authenticate refuses it from the next request on.
	// Revoking a revoked key is no error; ENOTFOUND when there is no such
	// key.
	RevokeAPIKey(ctx context.Context, tenantID, id int64) error

	Heartbeats
	Idempotency

	// ImportStatusCounts returns how many import jobs of every tenant are
	// in each status.
	ImportStatusCounts(ctx context.Context) (map[intake.ImportStatus]int, error)
	// Ready returns nil when the database answers and has every migration
	// of this binary applied.
	Ready(ctx context.Context) error
}

// Heartbeats record which processes are alive, so a job or a request held
// by a process that died can be taken over within seconds.
type Heartbeats interface {
	// BeatWorker records that process id is alive at at.
	BeatWorker(ctx context.Context, id string, at time.Time) error
	// LiveWorkers returns the processes whose last beat is at or after since.
	LiveWorkers(ctx context.Context, since time.Time) ([]string, error)
	// ForgetWorker removes process id (it is stopping).
	ForgetWorker(ctx context.Context, id string) error
}

// Idempotency keeps the answers of requests sent with an Idempotency-Key.
type Idempotency interface {
	// ReserveIdempotencyKey reserves r.Key for r.TenantID under r.Token and
	// reports true, unless the key is held: then it returns the stored
	// record and false. A key is free when it was never used, when its
	// record expired (ExpiresAt <= r.Now), or when it is still reserved
	// (Status 0) by an owner with no heartbeat since r.LiveSince (the
	// process running the first request died).
	ReserveIdempotencyKey(ctx context.Context, r IdempotencyReservation) (IdempotencyRecord, bool, error)
	// CompleteIdempotencyKey stores the answer of the request that holds
	// the reservation token; a reservation taken over meanwhile is left
	// alone.
	CompleteIdempotencyKey(ctx context.Context, tenantID int64, key, token string, rec IdempotencyRecord) error
	// ReleaseIdempotencyKey drops the reservation token (the request
	// failed in a way a retry should run again).
	ReleaseIdempotencyKey(ctx context.Context, tenantID int64, key, token string) error
	// PurgeIdempotencyKeys deletes every record that expired before
	// before, returning how many.
	PurgeIdempotencyKeys(ctx context.Context, before time.Time) (int, error)
}

// IdempotencyReservation asks for an idempotency key.
type IdempotencyReservation struct {
	TenantID          int64
	Key, Token, Owner string
	Now, ExpiresAt    time.Time
	// LiveSince is the heartbeat horizon: an owner that beat since is alive.
	LiveSince time.Time
}

// IdempotencyRecord is a key's stored state: reserved (Status 0) or the
// first request's answer.
type IdempotencyRecord struct {
	Token, Owner string
	// RequestHash identifies the first request's route and body.
	RequestHash string
	Status      int
	// Headers are the answer's headers a replay sends again (Content-Type,
	// Location, X-Created, …) as MIME header lines.
	Headers   string
	Body      []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}
