-- +goose Up
-- One row per synchronous bulk import (Plandocket's /bulk-import endpoints):
-- they have no job, and GET /api/v1/bulk-import lists what they did.
CREATE TABLE bulk_imports (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL REFERENCES tenants (id),
    key_id           INTEGER NOT NULL DEFAULT 0, -- the API key that sent it (0: none known)
    resource         TEXT NOT NULL,
    mode             TEXT NOT NULL,
    event_key        TEXT NOT NULL DEFAULT '',
    rejected         INTEGER NOT NULL DEFAULT 0,
    total            INTEGER NOT NULL DEFAULT 0,
    created          INTEGER NOT NULL DEFAULT 0,
    updated          INTEGER NOT NULL DEFAULT 0,
    deleted          INTEGER NOT NULL DEFAULT 0,
    skipped          INTEGER NOT NULL DEFAULT 0,
    failed           INTEGER NOT NULL DEFAULT 0,
    contacts_created INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL, -- unix microseconds
    updated_at       INTEGER NOT NULL
);
CREATE INDEX bulk_imports_tenant ON bulk_imports (tenant_id, id);

-- +goose Down
DROP TABLE bulk_imports;
