-- +goose Up
-- Collections: tenant-defined record types (Copernica collections, HubSpot
-- custom objects, Plannr's non-client types, PackageX items and assets).
-- fields and key_fields are JSON: a definition is read whole, never queried.
CREATE TABLE collections (
    id                 INTEGER PRIMARY KEY,
    tenant_id          INTEGER NOT NULL REFERENCES tenants (id),
    name               TEXT NOT NULL,
    fields             TEXT NOT NULL DEFAULT '[]', -- JSON array of custom field definitions
    key_fields         TEXT NOT NULL DEFAULT '[]', -- JSON array of field names
    belongs_to_contact INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE UNIQUE INDEX collections_tenant_name ON collections (tenant_id, intake_lower(name));

-- A record's key (its key fields' values joined) is unique per collection
-- and contact; records without a key (no key fields) are never matched.
-- Deleting a contact deletes its records.
CREATE TABLE collection_records (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id),
    collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    contact_id    INTEGER REFERENCES contacts (id) ON DELETE CASCADE,
    record_key    TEXT NOT NULL DEFAULT '',
    data          TEXT NOT NULL DEFAULT '{}', -- JSON object: field → stored value
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX collection_records_key ON collection_records (collection_id, coalesce(contact_id, 0), record_key)
    WHERE record_key <> '';
CREATE INDEX collection_records_contact ON collection_records (contact_id);
CREATE INDEX collection_records_collection ON collection_records (collection_id, id);

-- remove_missing on records: what a job matched or wrote.
CREATE TABLE import_seen_records (
    import_id INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    record_id INTEGER NOT NULL,
    PRIMARY KEY (import_id, record_id)
);

-- +goose Down
DROP TABLE import_seen_records;
DROP TABLE collection_records;
DROP TABLE collections;
