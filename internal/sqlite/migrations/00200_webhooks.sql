-- +goose Up
-- What follows an import: webhook subscriptions, the outbox of their
-- events (written in the transaction of the change that causes them) with
-- one delivery per subscription, and selections (saved contact filters)
-- with their materialised members. Times are Unix microseconds.
CREATE TABLE webhooks (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id),
    url           TEXT NOT NULL,
    events        TEXT NOT NULL, -- ",type,type," so one LIKE finds the takers of a type
    description   TEXT NOT NULL DEFAULT '',
    secret        TEXT NOT NULL,
    status        TEXT NOT NULL,
    paused_reason TEXT NOT NULL DEFAULT '',
    failing_since INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX webhooks_tenant ON webhooks (tenant_id, id);

CREATE TABLE webhook_events (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    event_id   TEXT NOT NULL UNIQUE,
    type       TEXT NOT NULL,
    body       BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenants (id),
    webhook_id      INTEGER NOT NULL,
    event           INTEGER NOT NULL REFERENCES webhook_events (id),
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    status_code     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    next_attempt_at INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

CREATE TABLE selections (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    name       TEXT NOT NULL,
    filter     TEXT NOT NULL,
    count      INTEGER NOT NULL DEFAULT 0,
    rebuilt_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX selections_name ON selections (tenant_id, intake_lower(name));

CREATE TABLE selection_members (
    selection_id INTEGER NOT NULL,
    contact_id   INTEGER NOT NULL,
    PRIMARY KEY (selection_id, contact_id)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE selection_members;
DROP TABLE selections;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_events;
DROP TABLE webhooks;
