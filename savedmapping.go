package intake

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// SavedMapping is a mapping a person saved under a name, to pass by name
// (mapping_name) to later imports of files from the same exporter.
type SavedMapping struct {
	Name string `json:"name" doc:"Letters, digits, spaces, - _ . (at most 100 characters)." example:"Salesforce contacts"`
	// Mapping is header → field, "" for a column left out.
	Mapping map[string]string `json:"mapping" doc:"Header → field (\"\" leaves a column out)."`
	// Headers are the file's headers the mapping was made for (optional).
	Headers   []string  `json:"headers" doc:"The headers the mapping was made for."`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

var mappingNamePattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,99}$`)

// Validate trims the name and checks it and the mapping's size. The
// targets are checked by the import service against the tenant's fields.
// Errors: EINVALID.
func (m *SavedMapping) Validate() error {
	m.Name = strings.TrimSpace(m.Name)
	switch {
	case !mappingNamePattern.MatchString(m.Name):
		return Invalid("A mapping's name has 1 to 100 letters, digits, spaces, -, _ or . (and starts with a letter or digit).",
			FieldError{Field: "name", Value: m.Name, Message: "Use letters, digits, spaces, -, _ or ."})
	case len(m.Mapping) == 0:
		return Invalid("A mapping maps at least one header.", FieldError{Field: "mapping", Message: "Map at least one header."})
	case len(m.Mapping) > 2000 || len(m.Headers) > 2000:
		return Invalid("A mapping has at most 2000 headers.", FieldError{Field: "mapping", Message: "At most 2000 headers."})
	}
	if m.Headers == nil {
		m.Headers = []string{}
	}
	return nil
}

// HeaderKey is the key a set of headers' mapping is remembered by: the
// headers folded as the header model folds them, sorted, so a file with
// the same columns in another order or case finds it.
func HeaderKey(headers []string) string {
	keys := make([]string, 0, len(headers))
	for _, h := range headers {
		keys = append(keys, strings.Join(HeaderWords(h), " "))
	}
	slices.Sort(keys)
	return strings.Join(keys, "\x1f")
}
