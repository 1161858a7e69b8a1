-- +goose Up
CREATE TABLE tenants (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL -- unix microseconds
);

CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    hash       TEXT NOT NULL UNIQUE, -- sha256 of the key: keys are random, so no slow hash is needed
    scopes     TEXT NOT NULL,        -- comma list
    created_at INTEGER NOT NULL
);

CREATE TABLE contacts (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenants (id),
    email           TEXT, -- stored trimmed and lower-cased; NULL when absent
    customer_number TEXT, -- NULL when absent
    first_name      TEXT NOT NULL DEFAULT '',
    last_name       TEXT NOT NULL DEFAULT '',
    name            TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '', -- E.164
    company         TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    city            TEXT NOT NULL DEFAULT '',
    postal_code     TEXT NOT NULL DEFAULT '',
    country         TEXT NOT NULL DEFAULT '',
    notes           TEXT NOT NULL DEFAULT '',
    tags            TEXT NOT NULL DEFAULT '[]', -- JSON array
    custom          TEXT NOT NULL DEFAULT '{}', -- JSON object
    alternates      TEXT NOT NULL DEFAULT '[]', -- JSON array of {type, kind, value}
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
-- NULLs are distinct in a unique index, so contacts without an email or
-- customer number do not collide.
CREATE UNIQUE INDEX contacts_tenant_email ON contacts (tenant_id, email);
CREATE UNIQUE INDEX contacts_tenant_customer_number ON contacts (tenant_id, customer_number);
CREATE INDEX contacts_tenant_phone ON contacts (tenant_id, phone);
CREATE INDEX contacts_tenant_name ON contacts (tenant_id, lower(name));
CREATE INDEX contacts_tenant_updated ON contacts (tenant_id, updated_at);

-- +goose Down
DROP TABLE contacts;
DROP TABLE api_keys;
DROP TABLE tenants;
