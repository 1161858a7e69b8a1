-- +goose Up
-- Operations: revoked API keys, the heartbeats of running processes (so a
-- job whose process died is resumed within seconds, not after
-- --rescue-after), and idempotency keys (a retried create answers the first
-- response and writes nothing again). Times are Unix microseconds.
ALTER TABLE api_keys ADD COLUMN revoked_at INTEGER;

-- One row per running process with import workers or an API; a row whose
-- heartbeat_at is older than the stale horizon belongs to a dead process.
CREATE TABLE workers (
    id           TEXT PRIMARY KEY,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
);

-- A request under an Idempotency-Key: reserved (status NULL) while the
-- first request runs, then its answer. owner is the process that runs it:
-- a reservation whose owner has no fresh heartbeat was abandoned by a crash.
CREATE TABLE idempotency_keys (
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    key          TEXT NOT NULL,
    token        TEXT NOT NULL,
    owner        TEXT NOT NULL,
    request_hash TEXT NOT NULL DEFAULT '',
    status       INTEGER,
    headers TEXT NOT NULL DEFAULT '', -- the answer's headers a replay sends again, as MIME header lines
    body         BLOB,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE workers;
ALTER TABLE api_keys DROP COLUMN revoked_at;
