-- +goose Up
-- external_id is an exporter's own record id (HubSpot's Record ID,
-- Salesforce's Id): unique per tenant like customer_number, NULL when absent
-- so contacts without one do not collide (the store maps a violation of the
-- index, by name, to an ECONFLICT error). state is the state, province or
-- region of the address. tenants.region is the tenant's default phone region
-- ('' = the server's).
ALTER TABLE contacts ADD COLUMN external_id text;
ALTER TABLE contacts ADD COLUMN state text NOT NULL DEFAULT '';
ALTER TABLE contacts ADD CONSTRAINT contacts_tenant_external_id UNIQUE (tenant_id, external_id);
ALTER TABLE tenants ADD COLUMN region text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE contacts DROP CONSTRAINT contacts_tenant_external_id;
ALTER TABLE contacts DROP COLUMN external_id;
ALTER TABLE contacts DROP COLUMN state;
ALTER TABLE tenants DROP COLUMN region;
