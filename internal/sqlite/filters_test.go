package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/sqlite"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/store/storetest"
)

func TestContactFilters(t *testing.T) {
	storetest.RunContactFilters(t, func(t testing.TB) (store.Store, storetest.Memberships) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "intake.db")
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		raw, err := sql.Open("sqlite", sqlite.DSN(path, 2<<10))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		return db, func(t testing.TB, tenantID, contactID int64, group, location, event string) {
			t.Helper()
			now := time.Now().UnixMicro()
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := raw.ExecContext(ctx, q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if group != "" {
				exec(`INSERT INTO groups (tenant_id, name, resource, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
					tenantID, group, intake.GroupOfContacts, now, now)
				exec(`INSERT INTO contact_groups (group_id, contact_id) SELECT id, ? FROM groups
					WHERE tenant_id = ? AND resource = ? AND intake_lower(name) = intake_lower(?)`, contactID, tenantID, intake.GroupOfContacts, group)
			}
			if location != "" {
				exec(`INSERT INTO locations (tenant_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, tenantID, location, now)
				exec(`INSERT INTO contact_locations (location_id, contact_id) SELECT id, ? FROM locations
					WHERE tenant_id = ? AND intake_lower(name) = intake_lower(?)`, contactID, tenantID, location)
			}
			if event != "" {
				exec(`INSERT INTO events (tenant_id, key, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, tenantID, event, now, now)
				exec(`INSERT INTO participants (tenant_id, event_id, contact_id, created_at, updated_at)
					SELECT ?, id, ?, ?, ? FROM events WHERE tenant_id = ? AND key = ?`, tenantID, contactID, now, now, tenantID, event)
			}
		}
	})
}
