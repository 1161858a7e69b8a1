-- +goose Up
-- Parked jobs (awaiting their mapping): the sweep finds those left waiting
-- too long, and every upload that would park sums its tenant's parked bytes.
-- Few jobs are parked at once, so the partial index stays small.
CREATE INDEX imports_parked ON imports (tenant_id, updated_at) WHERE status = 'awaiting_mapping';

-- +goose Down
DROP INDEX imports_parked;
