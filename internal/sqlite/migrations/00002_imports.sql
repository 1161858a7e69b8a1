-- +goose Up
CREATE TABLE imports (
    id             INTEGER PRIMARY KEY,
    tenant_id      INTEGER NOT NULL REFERENCES tenants (id),
    name           TEXT NOT NULL DEFAULT '',
    resource       TEXT NOT NULL,
    status         TEXT NOT NULL,
    file_name      TEXT NOT NULL DEFAULT '',
    file_key       TEXT NOT NULL,
    file_size      INTEGER NOT NULL DEFAULT 0,
    format         TEXT NOT NULL,
    delimiter      TEXT NOT NULL DEFAULT '',
    encoding       TEXT NOT NULL DEFAULT '',
    sheet          TEXT NOT NULL DEFAULT '',
    region         TEXT NOT NULL DEFAULT '',
    options        TEXT NOT NULL, -- JSON intake.Options
    headers        TEXT NOT NULL DEFAULT '[]',
    total_rows     INTEGER NOT NULL DEFAULT 0,
    processed_rows INTEGER NOT NULL DEFAULT 0, -- the checkpoint
    created        INTEGER NOT NULL DEFAULT 0,
    updated        INTEGER NOT NULL DEFAULT 0,
    deleted        INTEGER NOT NULL DEFAULT 0,
    skipped        INTEGER NOT NULL DEFAULT 0,
    failed_rows    INTEGER NOT NULL DEFAULT 0,
    warnings       TEXT NOT NULL DEFAULT '[]',
    error          TEXT NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    started_at     INTEGER,
    finished_at    INTEGER
);
CREATE INDEX imports_tenant ON imports (tenant_id, id);

CREATE TABLE import_row_errors (
    import_id   INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    row         INTEGER NOT NULL,
    column_name TEXT NOT NULL DEFAULT '',
    value       TEXT NOT NULL DEFAULT '',
    code        TEXT NOT NULL,
    message     TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    row_values  TEXT NOT NULL DEFAULT '[]', -- JSON array: the row as read, for errors.csv
    PRIMARY KEY (import_id, row)
);

-- +goose Down
DROP TABLE import_row_errors;
DROP TABLE imports;
