-- +goose Up
-- SQLite's lower() folds ASCII only, so "ÉMILE" never matched "émile" and
-- re-importing by name duplicated such contacts. intake_lower is Go's
-- strings.ToLower, registered by this package on every connection; it is
-- deterministic, so it may back an index. (A plain sqlite3 shell cannot
-- write this table: it does not know the function.)
DROP INDEX contacts_tenant_name;
CREATE INDEX contacts_tenant_name ON contacts (tenant_id, intake_lower(name));

-- +goose Down
DROP INDEX contacts_tenant_name;
CREATE INDEX contacts_tenant_name ON contacts (tenant_id, lower(name));
