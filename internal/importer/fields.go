package importer

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/intake/intake"
)

// ValidTarget reports whether name is a field a column or key may map to:
// a standard contact field, custom.NAME, or a PackageX alternate column.
func ValidTarget(name string) bool {
	if slices.Contains(intake.ContactFields, name) {
		return true
	}
	if rest, ok := strings.CutPrefix(name, intake.CustomPrefix); ok {
		return strings.TrimSpace(rest) != ""
	}
	_, _, ok := intake.AlternateField(name)
	return ok
}

// CellString renders a JSON value as the text a spreadsheet cell would
// hold: numbers without exponent (a phone 31612345678 stays digits), lists
// joined with commas (tags), null as empty, objects as JSON.
func CellString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			parts = append(parts, CellString(e))
		}
		return strings.Join(parts, ",")
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}
