package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/intake/intake/internal/sqlstore"
)

// dialect is SQLite's part of the shared SQL (sqlstore.Dialect).
var dialect = &sqlstore.Dialect{
	Time: func(t time.Time) any { return t.UnixMicro() },
	In:   func(expr, param string) string { return expr + ` IN (SELECT value FROM json_each(` + param + `))` },
	List: func(values any) any {
		b, _ := json.Marshal(values)
		return string(b)
	},
	Each: func(param, _ string) string { return `SELECT value FROM json_each(` + param + `)` },
	Records: func(param string, cols ...string) string {
		sel := make([]string, len(cols))
		for i, c := range cols {
			name, _, _ := strings.Cut(c, " ")
			sel[i] = `json_extract(value, '$.` + name + `') AS ` + name
		}
		return `(SELECT ` + strings.Join(sel, ", ") + ` FROM json_each(` + param + `)) AS u`
	},
	JSONArray: func(expr, from string) string { return `(SELECT json_group_array(` + expr + `) ` + from + `)` },
	Strings: func(vs []string) any {
		b, _ := json.Marshal(vs)
		return string(b)
	},
	ScanStrings: func(vs *[]string) any { return jsonStrings{vs} },
	JSONField:   func(col, param string) string { return `json_extract(` + col + `, ` + param + `)` },
	JSONKey:     func(name string) any { return jsonPath(name) },
	HasTag: func(param string) string {
		return `EXISTS (SELECT 1 FROM json_each(contacts.tags) WHERE value = ` + param + `)`
	},
	Lower:             "intake_lower",
	IsUniqueViolation: isUniqueViolation,
	JSONObject:        "json_object",
	// A JSON column is text to json_object: json() makes it JSON again,
	// else the image would hold it as a string.
	AsJSON: func(expr string) string { return `json(` + expr + `)` },
	// A list from a subquery loses its JSON subtype too.
	JSONList: func(expr, from string) string {
		return `json((SELECT json_group_array(` + expr + ` ORDER BY ` + expr + `) ` + from + `))`
	},
	Populate: func(_, img string, cols []string) (string, string) {
		sel := make([]string, len(cols))
		for i, c := range cols {
			sel[i] = `json_extract(` + img + `, '$.` + c + `') AS ` + c
		}
		return strings.Join(sel, ", "), ""
	},
	JSONElements: func(expr, key string) string {
		if key != "" {
			return `json_each(` + expr + `, '$.` + key + `') AS j`
		}
		return `json_each(` + expr + `) AS j`
	},
	JSONGet: func(expr, key string) string { return `json_extract(` + expr + `, '$.` + key + `')` },
	HasKey: func(col, expr string) string {
		return `EXISTS (SELECT 1 FROM json_each(` + col + `) k WHERE k.key = ` + expr + `)`
	},
	// Timestamps are microseconds since the epoch.
	DaysBefore: func(t, days string) string { return `(` + t + ` - (` + days + `) * 86400000000)` },
}

// sqlQuerier is what *sql.DB, *sql.Tx and *sql.Conn share.
type sqlQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// adapter adapts database/sql to sqlstore.Querier, rewriting the shared
// SQL's $N placeholders to SQLite's ?N (same numbers, so a parameter used
// twice is still passed once).
type adapter struct{ q sqlQuerier }

func (q adapter) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.q.ExecContext(ctx, rebind(query), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q adapter) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := q.q.QueryContext(ctx, rebind(query), args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (q adapter) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return q.q.QueryRowContext(ctx, rebind(query), args...)
}

// sqlRows drops Close's error, as pgx's Rows does: Err reports failures.
type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

// rebind turns $1 into ?1: a $ before a digit is a parameter (a JSON path
// such as '$.e' or '$[1]' is not).
func rebind(query string) string {
	if !strings.Contains(query, "$") {
		return query
	}
	b := []byte(query)
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '$' && b[i+1] >= '0' && b[i+1] <= '9' {
			b[i] = '?'
		}
	}
	return string(b)
}

// jsonStrings scans a JSON array of strings.
type jsonStrings struct{ vs *[]string }

func (j jsonStrings) Scan(v any) error {
	switch v := v.(type) {
	case string:
		return json.Unmarshal([]byte(v), j.vs)
	case []byte:
		return json.Unmarshal(v, j.vs)
	case nil:
		*j.vs = nil
		return nil
	}
	return fmt.Errorf("scan string list: unexpected %T", v)
}
