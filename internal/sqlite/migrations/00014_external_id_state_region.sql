-- +goose Up
-- external_id is an exporter's own record id (HubSpot's Record ID,
-- Salesforce's Id): unique per tenant like customer_number, NULL when absent
-- so contacts without one do not collide. state is the state, province or
-- region of the address. tenants.region is the tenant's default phone region
-- ('' = the server's).
ALTER TABLE contacts ADD COLUMN external_id TEXT;
ALTER TABLE contacts ADD COLUMN state TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX contacts_tenant_external_id ON contacts (tenant_id, external_id);
ALTER TABLE tenants ADD COLUMN region TEXT NOT NULL DEFAULT '';

-- +goose Down
DROP INDEX contacts_tenant_external_id;
ALTER TABLE contacts DROP COLUMN external_id;
ALTER TABLE contacts DROP COLUMN state;
ALTER TABLE tenants DROP COLUMN region;
