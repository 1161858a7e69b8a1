-- +goose Up
-- A collection created on first use without an id-like column identifies
-- its records by their whole content (a hash of every value), so re-sending
-- a file adds nothing. The flag survives the run that created it.
ALTER TABLE collections ADD COLUMN content_key INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE collections DROP COLUMN content_key;
