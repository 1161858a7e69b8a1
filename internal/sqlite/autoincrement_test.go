package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/intake/intake"

	"github.com/intake/intake/internal/store"
)

// TestAutoincrementKeepsData migrates a database that already holds a
// contact in a group, at an event, with a collection record, to
// AUTOINCREMENT (migration 15): every row and link survives (dropping a
// parent table must not cascade), and the deleted newest id stays unused.
func TestAutoincrementKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", DSN(path, 2<<10))
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, mustSub(migrations, "migrations"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 14); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO tenants (id, slug, created_at) VALUES (1, 'acme', 0)`,
		`INSERT INTO contacts (id, tenant_id, email, created_at, updated_at) VALUES (1, 1, 'ann@example.com', 0, 0), (2, 1, 'bob@example.com', 0, 0)`,
		`INSERT INTO groups (id, tenant_id, name, resource, created_at, updated_at) VALUES (1, 1, 'VIP', 'contacts', 0, 0)`,
		`INSERT INTO contact_groups (group_id, contact_id) VALUES (1, 1)`,
		`INSERT INTO events (id, tenant_id, key, name, created_at, updated_at) VALUES (1, 1, 'conf', 'Conf', 0, 0)`,
		`INSERT INTO participants (id, tenant_id, event_id, contact_id, status, created_at, updated_at) VALUES (1, 1, 1, 1, 'x', 0, 0)`,
		`DELETE FROM contacts WHERE id = 2`,
	} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for q, want := range map[string]int{
		`SELECT count(*) FROM contacts`:       1,
		`SELECT count(*) FROM contact_groups`: 1,
		`SELECT count(*) FROM participants`:   1,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name != 'goose_db_version' AND sql LIKE '%AUTOINCREMENT%'`: len(idTables),
	} {
		var n int
		if err := db.read.QueryRowContext(ctx, q).Scan(&n); err != nil || n != want {
			t.Errorf("%s = %d, %v; want %d", q, n, err, want)
		}
	}
	g, err := db.GetGroup(ctx, 1, 1)
	if err != nil || len(g.Members) != 1 {
		t.Errorf("group after migration: %+v %v", g, err)
	}
	// Migration 15 cannot know that id 2 was used before it ran: only ids
	// given from now on are protected. Give one and delete it.
	cs := newContacts("cas@example.com", "dan@example.com")
	if err := db.Write(ctx, 1, func(tx store.Tx) error { return tx.InsertContacts(ctx, cs) }); err != nil {
		t.Fatal(err)
	}
	gone := cs[1].ID
	if err := db.Write(ctx, 1, func(tx store.Tx) error { return tx.DeleteContacts(ctx, []int64{gone}) }); err != nil {
		t.Fatal(err)
	}
	next := newContacts("eve@example.com")
	if err := db.Write(ctx, 1, func(tx store.Tx) error { return tx.InsertContacts(ctx, next) }); err != nil {
		t.Fatal(err)
	}
	if next[0].ID <= gone {
		t.Errorf("new contact got id %d after %d was deleted", next[0].ID, gone)
	}
}

func newContacts(emails ...string) []*intake.Contact {
	cs := make([]*intake.Contact, len(emails))
	for i, e := range emails {
		cs[i] = &intake.Contact{Email: e}
	}
	return cs
}
