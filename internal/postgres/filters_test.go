package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/postgres"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/store/storetest"
	"github.com/intake/intake/internal/testdb"
)

func TestContactFilters(t *testing.T) {
	storetest.RunContactFilters(t, func(t testing.TB) (store.Store, storetest.Memberships) {
		ctx := context.Background()
		url := testdb.PostgresSchemaURL(t)
		db, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(context.Background()) })
		return db, func(t testing.TB, tenantID, contactID int64, group, location, event string) {
			t.Helper()
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := conn.Exec(ctx, q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if group != "" {
				exec(`INSERT INTO groups (tenant_id, name, resource, created_at, updated_at) VALUES ($1, $2, $3, now(), now()) ON CONFLICT DO NOTHING`,
					tenantID, group, intake.GroupOfContacts)
				exec(`INSERT INTO contact_groups (group_id, contact_id) SELECT id, $1 FROM groups
					WHERE tenant_id = $2 AND resource = $3 AND lower(name) = lower($4)`, contactID, tenantID, intake.GroupOfContacts, group)
			}
			if location != "" {
				exec(`INSERT INTO locations (tenant_id, name, created_at) VALUES ($1, $2, now()) ON CONFLICT DO NOTHING`, tenantID, location)
				exec(`INSERT INTO contact_locations (location_id, contact_id) SELECT id, $1 FROM locations
					WHERE tenant_id = $2 AND lower(name) = lower($3)`, contactID, tenantID, location)
			}
			if event != "" {
				exec(`INSERT INTO events (tenant_id, key, created_at, updated_at) VALUES ($1, $2, now(), now()) ON CONFLICT DO NOTHING`, tenantID, event)
				exec(`INSERT INTO participants (tenant_id, event_id, contact_id, created_at, updated_at)
					SELECT $1, id, $2, now(), now() FROM events WHERE tenant_id = $1 AND key = $3`, tenantID, contactID, event)
			}
		}
	})
}
