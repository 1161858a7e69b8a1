package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"
)

// measureDoors times what the databases take through their fastest doors
// with the clean file of the same size, parsing included (as
// ../shared/bench/LIMITS.md): PostgreSQL COPY into a narrow table with a
// unique (tenant_id, lower(email)) index, COPY into Intake's own contacts
// table with every index the binary's migrations make, and SQLite's raw
// prepared insert in 10,000-row transactions.
func measureDoors(ctx context.Context, c config, f dataFiles) ([]result, error) {
	var out []result
	door, err := pgDoor(ctx, c, f.clean)
	out = append(out, door)
	if err != nil {
		return out, err
	}
	schema, err := schemaDoor(ctx, c, f.clean)
	out = append(out, schema)
	if err != nil {
		return out, err
	}
	lite, err := sqliteDoor(ctx, c, f.clean)
	return append(out, lite), err
}

// created are the databases this run made, dropped at its end.
var created []string

// freshDatabase (re)creates database name, suffixed with this process's
// id so that two runs (CI and a hand run) do not collide, on c.pg's server
// and returns its URL.
func freshDatabase(ctx context.Context, c config, name string) (string, error) {
	name = fmt.Sprintf("%s_%d", name, os.Getpid())
	created = append(created, name)
	admin, err := pgx.Connect(ctx, c.pg)
	if err != nil {
		return "", fmt.Errorf("connect %s: %w", c.pg, err)
	}
	defer admin.Close(ctx)
	for _, q := range []string{"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "CREATE DATABASE " + name} {
		if _, err := admin.Exec(ctx, q); err != nil {
			return "", fmt.Errorf("%s: %w", q, err)
		}
	}
	u, err := url.Parse(c.pg)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", c.pg, err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// dropDatabases removes what freshDatabase made.
func dropDatabases(c config) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, c.pg)
	if err != nil {
		return
	}
	defer admin.Close(ctx)
	for _, name := range created {
		admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
}

func pgDoor(ctx context.Context, c config, clean string) (result, error) {
	res := result{name: "door: PG COPY, narrow table, unique lower(email)"}
	dsn, err := freshDatabase(ctx, c, "intake_bench_door")
	if err != nil {
		return res, err
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return res, fmt.Errorf("connect door: %w", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `CREATE TABLE door (tenant_id bigint NOT NULL DEFAULT 1, email text, first_name text, last_name text,
		phone text, company text, city text, country text, customer_number text, tags text, signup_date text);
		CREATE UNIQUE INDEX ON door (tenant_id, lower(email)); CHECKPOINT`)
	if err != nil {
		return res, fmt.Errorf("door table: %w", err)
	}
	cols := []string{"email", "first_name", "last_name", "phone", "company", "city", "country", "customer_number", "tags", "signup_date"}
	return copyFile(ctx, conn, res, clean, "door", cols, func(rec []string) []any {
		row := make([]any, len(rec))
		for i, v := range rec {
			row[i] = v
		}
		return row
	})
}

// schemaDoor copies the clean file into the contacts table of a database
// the binary under test migrated, values shaped as Intake stores them.
func schemaDoor(ctx context.Context, c config, clean string) (result, error) {
	res := result{name: "schema door: PG COPY into Intake's contacts"}
	dsn, err := freshDatabase(ctx, c, "intake_bench_schema")
	if err != nil {
		return res, err
	}
	mig := exec.CommandContext(ctx, c.bin, "migrate", "--database-url", dsn)
	if out, err := mig.CombinedOutput(); err != nil {
		return res, fmt.Errorf("intake migrate: %w: %s", err, out)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return res, fmt.Errorf("connect schema door: %w", err)
	}
	defer conn.Close(ctx)
	var tenant int64
	if err := conn.QueryRow(ctx, `INSERT INTO tenants (slug, created_at) VALUES ('door', now()) RETURNING id; `).Scan(&tenant); err != nil {
		return res, fmt.Errorf("schema door tenant: %w", err)
	}
	if _, err := conn.Exec(ctx, "CHECKPOINT"); err != nil {
		return res, fmt.Errorf("checkpoint: %w", err)
	}
	now := time.Now()
	cols := []string{"tenant_id", "email", "first_name", "last_name", "name", "phone", "company", "city", "country",
		"customer_number", "tags", "created_at", "updated_at"}
	return copyFile(ctx, conn, res, clean, "contacts", cols, func(r []string) []any {
		tags, _ := json.Marshal(strings.Split(r[8], ","))
		return []any{tenant, strings.ToLower(strings.TrimSpace(r[0])), r[1], r[2], r[1] + " " + r[2], r[3], r[4], r[5], r[6], r[7], string(tags), now, now}
	})
}

func copyFile(ctx context.Context, conn *pgx.Conn, res result, path, table string, cols []string, row func([]string) []any) (result, error) {
	f, err := os.Open(path)
	if err != nil {
		return res, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	src := &csvSource{r: csv.NewReader(bufio.NewReaderSize(f, 1<<16)), row: row}
	if _, err := src.r.Read(); err != nil {
		return res, fmt.Errorf("read %s header: %w", path, err)
	}
	start := time.Now()
	n, err := conn.CopyFrom(ctx, pgx.Identifier{table}, cols, src)
	res.elapsed, res.rows = time.Since(start), int(n)
	if err != nil {
		return res, fmt.Errorf("copy into %s: %w", table, err)
	}
	var stored int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&stored); err != nil {
		return res, fmt.Errorf("count %s: %w", table, err)
	}
	if stored != src.n || stored != int(n) {
		return res, fmt.Errorf("%s holds %d rows, the file has %d", table, stored, src.n)
	}
	res.check = "✔"
	return res, nil
}

// csvSource feeds pgx's COPY from a CSV reader, one row at a time.
type csvSource struct {
	r   *csv.Reader
	row func([]string) []any
	cur []any
	err error
	n   int
}

func (s *csvSource) Next() bool {
	rec, err := s.r.Read()
	if err != nil {
		if !errors.Is(err, io.EOF) {
			s.err = err
		}
		return false
	}
	s.cur = s.row(rec)
	s.n++
	return true
}
func (s *csvSource) Values() ([]any, error) { return s.cur, nil }
func (s *csvSource) Err() error             { return s.err }

// sqliteDoor is SQLite's raw rate: one prepared INSERT into a narrow table
// with a unique lower(email) index, 10,000 rows a transaction, WAL and
// synchronous=NORMAL as Intake opens its database.
func sqliteDoor(ctx context.Context, c config, clean string) (result, error) {
	res := result{name: "SQLite door: prepared INSERT, narrow table"}
	path := filepath.Join(c.out, "door.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return res, fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE door (tenant_id integer NOT NULL DEFAULT 1, email text, first_name text, last_name text,
		phone text, company text, city text, country text, customer_number text, tags text, signup_date text);
		CREATE UNIQUE INDEX door_email ON door (tenant_id, lower(email))`); err != nil {
		return res, fmt.Errorf("sqlite door table: %w", err)
	}
	start := time.Now()
	n, err := sqliteInsert(ctx, db, clean)
	res.elapsed, res.rows = time.Since(start), n
	if err != nil {
		return res, err
	}
	var stored int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM door").Scan(&stored); err != nil || stored != n {
		return res, fmt.Errorf("sqlite door holds %d rows, the file has %d (%v)", stored, n, err)
	}
	res.check = "✔"
	return res, nil
}

func sqliteInsert(ctx context.Context, db *sql.DB, path string) (int, error) {
	const batch = 10_000
	insert, err := db.PrepareContext(ctx, `INSERT INTO door (email, first_name, last_name, phone, company, city, country,
		customer_number, tags, signup_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, fmt.Errorf("sqlite door prepare: %w", err)
	}
	defer insert.Close()
	var tx *sql.Tx
	var stmt *sql.Stmt
	n := 0
	var failed error
	err = eachRow(path, func(rec []string) {
		if failed != nil {
			return
		}
		if n%batch == 0 {
			if failed = commit(tx); failed != nil {
				return
			}
			if tx, failed = db.BeginTx(ctx, nil); failed != nil {
				return
			}
			stmt = tx.StmtContext(ctx, insert)
		}
		_, failed = stmt.ExecContext(ctx, rec[0], rec[1], rec[2], rec[3], rec[4], rec[5], rec[6], rec[7], rec[8], rec[9])
		n++
	})
	if err == nil {
		err = failed
	}
	if cerr := commit(tx); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("sqlite door insert: %w", err)
	}
	return n, nil
}

func commit(tx *sql.Tx) error {
	if tx == nil {
		return nil
	}
	return tx.Commit()
}
