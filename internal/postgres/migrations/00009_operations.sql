-- +goose Up
-- Operations: revoked API keys, the heartbeats of running processes (so a
-- job whose process died is resumed within seconds, not after
-- --rescue-after), and idempotency keys (a retried create answers the first
-- response and writes nothing again).
ALTER TABLE api_keys ADD COLUMN revoked_at timestamptz;

-- One row per running process with import workers or an API; a row whose
-- heartbeat_at is older than the stale horizon belongs to a dead process.
CREATE TABLE workers (
    id           text PRIMARY KEY,
    started_at   timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL
);

-- A request under an Idempotency-Key: reserved (status NULL) while the
-- first request runs, then its answer. owner is the process that runs it:
-- a reservation whose owner has no fresh heartbeat was abandoned by a crash.
CREATE TABLE idempotency_keys (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    key          text NOT NULL,
    token        text NOT NULL,
    owner        text NOT NULL,
    request_hash text NOT NULL DEFAULT '',
    status       integer,
    headers text NOT NULL DEFAULT '', -- the answer's headers a replay sends again, as MIME header lines
    body         bytea,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE workers;
ALTER TABLE api_keys DROP COLUMN revoked_at;
