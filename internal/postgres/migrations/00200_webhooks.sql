-- +goose Up
-- What follows an import: webhook subscriptions, the outbox of their
-- events (written in the transaction of the change that causes them) with
-- one delivery per subscription, and selections (saved contact filters)
-- with their materialised members. 
CREATE TABLE webhooks (
    id            bigserial PRIMARY KEY,
    tenant_id     bigint NOT NULL REFERENCES tenants (id),
    url           text NOT NULL,
    events        text NOT NULL, -- ",type,type," so one LIKE finds the takers of a type
    description   text NOT NULL DEFAULT '',
    secret        text NOT NULL,
    status        text NOT NULL,
    paused_reason text NOT NULL DEFAULT '',
    failing_since timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX webhooks_tenant ON webhooks (tenant_id, id);

CREATE TABLE webhook_events (
    id         bigserial PRIMARY KEY,
    tenant_id  bigint NOT NULL REFERENCES tenants (id),
    event_id   text NOT NULL UNIQUE,
    type       text NOT NULL,
    body       bytea NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              bigserial PRIMARY KEY,
    tenant_id       bigint NOT NULL REFERENCES tenants (id),
    webhook_id      bigint NOT NULL,
    event           bigint NOT NULL REFERENCES webhook_events (id),
    status          text NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    status_code     integer NOT NULL DEFAULT 0,
    last_error      text NOT NULL DEFAULT '',
    next_attempt_at timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

CREATE TABLE selections (
    id         bigserial PRIMARY KEY,
    tenant_id  bigint NOT NULL REFERENCES tenants (id),
    name       text NOT NULL,
    filter     text NOT NULL,
    count      integer NOT NULL DEFAULT 0,
    rebuilt_at timestamptz,
    created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX selections_name ON selections (tenant_id, lower(name));

CREATE TABLE selection_members (
    selection_id bigint NOT NULL,
    contact_id   bigint NOT NULL,
    PRIMARY KEY (selection_id, contact_id)
);

-- +goose Down
DROP TABLE selection_members;
DROP TABLE selections;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_events;
DROP TABLE webhooks;
