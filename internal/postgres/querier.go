package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/intake/intake/internal/sqlstore"
)

// dialect is PostgreSQL's part of the shared SQL (sqlstore.Dialect).
var dialect = &sqlstore.Dialect{
	// timestamptz keeps microseconds: truncating here makes the value set
	// on a contact equal the stored one.
	Time: func(t time.Time) any { return t.UTC().Truncate(time.Microsecond) },
	In:   func(expr, param string) string { return expr + ` = ANY(` + param + `)` },
	List: func(values any) any { return values },
	Each: func(param, typ string) string { return `SELECT unnest(` + param + `::` + typ + `[]) AS value` },
	Records: func(param string, cols ...string) string {
		return `jsonb_to_recordset(` + param + `::jsonb) AS u(` + strings.Join(cols, ", ") + `)`
	},
	JSONArray:         func(expr, from string) string { return `(SELECT coalesce(jsonb_agg(` + expr + `), '[]') ` + from + `)` },
	Strings:           func(vs []string) any { return vs },
	ScanStrings:       func(vs *[]string) any { return vs },
	JSONField:         func(col, param string) string { return col + `->>` + param + `::text` },
	JSONKey:           func(name string) any { return name },
	HasTag:            func(param string) string { return `tags @> jsonb_build_array(` + param + `::text)` },
	Lower:             "lower",
	ForUpdate:         " FOR UPDATE",
	IsUniqueViolation: isUniqueViolation,
	JSONObject:        "jsonb_build_object",
	AsJSON:            func(expr string) string { return expr },
	JSONList: func(expr, from string) string {
		return `coalesce((SELECT jsonb_agg(` + expr + ` ORDER BY ` + expr + `) ` + from + `), '[]'::jsonb)`
	},
	// One jsonb_populate_record per row turns every column back into its
	// type (timestamptz, jsonb, boolean) by the table's own definition.
	Populate: func(table, img string, _ []string) (string, string) {
		return `r.*`, `, jsonb_populate_record(null::` + table + `, ` + img + `) r`
	},
	JSONElements: func(expr, key string) string {
		if key != "" {
			expr += `->'` + key + `'`
		}
		return `jsonb_array_elements(` + expr + `) AS j(value)`
	},
	JSONGet:    func(expr, key string) string { return expr + `->>'` + key + `'` },
	HasKey:     func(col, expr string) string { return col + ` ? ` + expr },
	DaysBefore: func(t, days string) string { return t + `::timestamptz - make_interval(days => ` + days + `)` },
}

// pgxQuerier is what pgx.Tx, *pgxpool.Pool and *pgx.Conn share.
type pgxQuerier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// adapter adapts pgx to sqlstore.Querier: the shared SQL is PostgreSQL's
// own, so it only turns a command tag into a row count.
type adapter struct{ q pgxQuerier }

func (a adapter) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := a.q.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

func (a adapter) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	return a.q.Query(ctx, sql, args...)
}

func (a adapter) QueryRow(ctx context.Context, sql string, args ...any) sqlstore.Row {
	return a.q.QueryRow(ctx, sql, args...)
}

// isUniqueViolation reports whether err is a unique violation (SQLSTATE 23505).
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}
