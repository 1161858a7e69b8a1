-- +goose Up
-- Learned mappings: named mappings a person saved (mapping_name), and the
-- last corrected mapping of each set of headers (header_key: the headers
-- folded and sorted), proposed when the same headers arrive again.
CREATE TABLE saved_mappings (
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    mapping    JSONB NOT NULL,
    headers    JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
CREATE TABLE remembered_mappings (
    tenant_id  BIGINT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    header_key TEXT NOT NULL,
    import_id  BIGINT NOT NULL,
    mapping    JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, header_key)
);

-- +goose Down
DROP TABLE remembered_mappings;
DROP TABLE saved_mappings;
