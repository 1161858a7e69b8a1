-- +goose Up
-- Retention: a job keeps its upload and report for a period, then both are
-- deleted and expired_at says when. Report rows past the service's cap are
-- counted, not kept: errors_stored and errors_omitted carry that across a
-- resumed run.
ALTER TABLE imports ADD COLUMN errors_stored integer NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN errors_omitted integer NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN expired_at timestamptz;
CREATE INDEX imports_retention ON imports (finished_at) WHERE expired_at IS NULL;

-- +goose Down
DROP INDEX imports_retention;
ALTER TABLE imports DROP COLUMN expired_at;
ALTER TABLE imports DROP COLUMN errors_omitted;
ALTER TABLE imports DROP COLUMN errors_stored;
