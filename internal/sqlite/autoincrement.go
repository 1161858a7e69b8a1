package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pressly/goose/v3"
)

// idTables are the tables whose ids clients hold (a contact id in a report,
// a job id, a group id in a URL…). Migration 15 gives them AUTOINCREMENT.
var idTables = []string{"tenants", "api_keys", "contacts", "imports", "custom_fields", "locations", "groups",
	"events", "participants", "collections", "collection_records", "bulk_imports"}

// autoincrementMigration is migration 15. Without AUTOINCREMENT SQLite
// gives a new row the largest id plus one, so deleting the newest contact
// and adding another hands the deleted contact's id to a different person:
// a client holding ids, or a report saying "contact 31 removed", then
// points at someone else. PostgreSQL's identity columns never reuse an id.
//
// SQLite cannot add AUTOINCREMENT to a table, so each one is rebuilt by
// SQLite's documented procedure (create the new table, copy, drop, rename,
// recreate its indexes) with foreign keys off, so dropping a parent does
// not cascade into its children. The CREATE statements are SQLite's own
// (sqlite_master), so every column added by earlier migrations is kept.
// It is a Go migration because PRAGMA foreign_keys is a no-op inside a
// transaction, and goose runs a SQL migration in one or on a connection
// that cannot be pinned across statements here.
func autoincrementMigration() *goose.Migration {
	return goose.NewGoMigration(15, &goose.GoFunc{RunDB: rebuildWithAutoincrement}, nil)
}

func rebuildWithAutoincrement(ctx context.Context, db *sql.DB) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return err
	}
	defer func() {
		_, ferr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`)
		err = errors.Join(err, ferr)
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, table := range idTables {
		if err := rebuildTable(ctx, tx, table); err != nil {
			return fmt.Errorf("autoincrement %s: %w", table, err)
		}
	}
	// The procedure's last step: the rebuilt tables must still satisfy
	// every foreign key.
	var bad int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pragma_foreign_key_check`).Scan(&bad); err != nil {
		return err
	}
	if bad > 0 {
		return fmt.Errorf("autoincrement: %d foreign key violations", bad)
	}
	return tx.Commit()
}

// idColumn finds the rowid alias in a CREATE TABLE statement.
var idColumn = regexp.MustCompile(`(?i)\bid\s+INTEGER\s+PRIMARY\s+KEY\b`)

func rebuildTable(ctx context.Context, tx *sql.Tx, table string) error {
	var create string
	if err := tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, table).Scan(&create); err != nil {
		return err
	}
	if strings.Contains(strings.ToUpper(create), "AUTOINCREMENT") {
		return nil
	}
	loc := idColumn.FindStringIndex(create)
	if loc == nil {
		return fmt.Errorf("no id INTEGER PRIMARY KEY in %q", create)
	}
	create = create[:loc[1]] + " AUTOINCREMENT" + create[loc[1]:]
	open := strings.Index(create, "(")
	newName := table + "_autoincrement"
	create = `CREATE TABLE "` + newName + `" ` + create[open:]
	rows, err := tx.QueryContext(ctx, `SELECT sql FROM sqlite_master WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL`, table)
	if err != nil {
		return err
	}
	var recreate []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		recreate = append(recreate, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	stmts := append([]string{create,
		`INSERT INTO "` + newName + `" SELECT * FROM "` + table + `"`,
		`DROP TABLE "` + table + `"`,
		`ALTER TABLE "` + newName + `" RENAME TO "` + table + `"`}, recreate...)
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}
