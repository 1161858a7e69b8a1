-- +goose Up
-- undo_rows is what an import changed, recorded set-based per chunk in the
-- chunk's transaction: the row's image before the import (NULL: the import
-- created it) and after its chunk (NULL: the import deleted it), as JSON of
-- the row's columns and memberships. An undo restores the before image of
-- every row whose current image is still the after image. phase orders an
-- undo: children before parents when removing, parents first when restoring.
CREATE TABLE undo_rows (
    id        INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL, -- the chunk: its first row's checkpoint
    kind      TEXT NOT NULL,    -- contact, participant, record, group, collection, field, location
    row_id    INTEGER NOT NULL,
    phase     INTEGER NOT NULL,
    before    TEXT,
    after     TEXT,
    undone    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (import_id, kind, row_id)
);
CREATE INDEX undo_rows_chunk ON undo_rows (import_id, seq);
CREATE INDEX undo_rows_todo ON undo_rows (import_id, undone, phase, id);

-- import_changes is a preview's change set: per row its outcome and, for
-- an update, each field's before and after (JSON array, bounded per row).
CREATE TABLE import_changes (
    id        INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    row       INTEGER NOT NULL,
    outcome   TEXT NOT NULL,
    record_id INTEGER NOT NULL DEFAULT 0,
    changes   TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX import_changes_import ON import_changes (import_id, id);
CREATE INDEX import_changes_row ON import_changes (import_id, row);

ALTER TABLE tenants ADD COLUMN undo_disabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN undo_days INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE tenants DROP COLUMN undo_days;
ALTER TABLE tenants DROP COLUMN undo_disabled;
DROP TABLE import_changes;
DROP TABLE undo_rows;
