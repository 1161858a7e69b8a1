-- +goose Up
-- The contact a report line is about when it is no row of the file: a
-- profile removed by remove_missing is reported by its id and key, not by
-- a row number the file never had.
ALTER TABLE import_row_errors ADD COLUMN contact_id INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE import_row_errors DROP COLUMN contact_id;
