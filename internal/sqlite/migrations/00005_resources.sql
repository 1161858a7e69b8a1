-- +goose Up
-- Tenant-defined contact fields (custom.NAME). Values live in contacts.custom;
-- this table says their type and rules.
CREATE TABLE custom_fields (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    name       TEXT NOT NULL,
    label      TEXT NOT NULL DEFAULT '',
    type       TEXT NOT NULL,               -- text, number, date, boolean, email, phone, list
    required   INTEGER NOT NULL DEFAULT 0,
    is_unique  INTEGER NOT NULL DEFAULT 0,
    options    TEXT NOT NULL DEFAULT '[]', -- allowed values of a list field; [] = any
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT custom_fields_tenant_name UNIQUE (tenant_id, name)
);

-- PackageX's contact columns.
ALTER TABLE contacts ADD COLUMN alternate_names TEXT NOT NULL DEFAULT '[]';
ALTER TABLE contacts ADD COLUMN is_primary INTEGER NOT NULL DEFAULT 0;

-- Locations and groups (PackageX). Names compare case-insensitively.
CREATE TABLE locations (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX locations_tenant_name ON locations (tenant_id, intake_lower(name));

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    name        TEXT NOT NULL,
    resource    TEXT NOT NULL, -- contact or location: what the members are
    location_id INTEGER REFERENCES locations (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX groups_tenant_resource_name ON groups (tenant_id, resource, intake_lower(name));

CREATE TABLE contact_groups (
    group_id   INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, contact_id)
);
CREATE INDEX contact_groups_contact ON contact_groups (contact_id);

CREATE TABLE contact_locations (
    location_id INTEGER NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    contact_id  INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    PRIMARY KEY (location_id, contact_id)
);
CREATE INDEX contact_locations_contact ON contact_locations (contact_id);

CREATE TABLE group_locations (
    group_id    INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    location_id INTEGER NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, location_id)
);

-- Events and their participants (Plandocket): one participant per contact
-- and event, whatever the imports say.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    key        TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    starts_at  INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT events_tenant_key UNIQUE (tenant_id, key)
);

CREATE TABLE participants (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    event_id   INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    status     TEXT NOT NULL DEFAULT 'registered',
    custom     TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT participants_event_contact UNIQUE (event_id, contact_id)
);
CREATE INDEX participants_contact ON participants (contact_id);

-- remove_missing: the contacts a job matched or created, written with each
-- chunk's checkpoint so a resumed job still knows them.
CREATE TABLE import_seen (
    import_id  INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL,
    PRIMARY KEY (import_id, contact_id)
);

ALTER TABLE imports ADD COLUMN contacts_created INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE imports DROP COLUMN contacts_created;
DROP TABLE import_seen;
DROP TABLE participants;
DROP TABLE events;
DROP TABLE group_locations;
DROP TABLE contact_locations;
DROP TABLE contact_groups;
DROP TABLE groups;
DROP TABLE locations;
ALTER TABLE contacts DROP COLUMN is_primary;
ALTER TABLE contacts DROP COLUMN alternate_names;
DROP TABLE custom_fields;
