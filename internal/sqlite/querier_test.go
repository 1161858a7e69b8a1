package sqlite

import "testing"

func TestRebind(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"numbered parameters become SQLite's", `SELECT $1, $2, $10`, `SELECT ?1, ?2, ?10`},
		{"a parameter used twice keeps its number", `VALUES ($1, $2, $2)`, `VALUES (?1, ?2, ?2)`},
		{"JSON paths are not parameters", `json_extract(value, '$.e'), json_extract(value, '$[1]') = $3`,
			`json_extract(value, '$.e'), json_extract(value, '$[1]') = ?3`},
		{"no parameters, no change", `SELECT 1`, `SELECT 1`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := rebind(c.in); got != c.want {
				t.Errorf("rebind(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}
