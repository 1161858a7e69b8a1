-- +goose Up
-- The Intake field a row error is about (custom.member_id, email, …), beside
-- the column as the file names it: a report can say both.
ALTER TABLE import_row_errors ADD COLUMN field TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE import_row_errors DROP COLUMN field;
