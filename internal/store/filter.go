package store

import "strings"

// LikePrefix is the LIKE pattern (ESCAPE '\') of "starts with q", ignoring
// case: q lower-cased, its wildcards escaped, then %. Both stores compare it
// with lower-cased columns, so ContactFilter.Q means the same on each.
func LikePrefix(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(strings.ToLower(strings.TrimSpace(q))) + "%"
}
