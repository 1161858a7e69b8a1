-- +goose Up
-- Rows written without some invalid fields (invalid_fields skip_field):
-- counted in created or updated too, listed in the report as partial.
ALTER TABLE imports ADD COLUMN partial_rows integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE imports DROP COLUMN partial_rows;
