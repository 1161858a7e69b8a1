// Package dialect holds what the seed dialects' translations share: a
// request's options reduced to key → text (Params) and the cell text of a
// JSON value. Each dialect lives in a package of its own below this one and
// is a pure translation: a request in its names → an intake.ImportRequest,
// and a job or result → its response shape. None reaches into SQL or HTTP.
//
// Adding a dialect is one package with one file and one table test.
package dialect

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/intake/intake"
)

// Params are a request's options as sent: multipart fields and JSON body
// members alike, objects and lists as JSON text, in the order they came.
type Params []Param

// Param is one option.
type Param struct{ Key, Value string }

// Add appends an option.
func (p *Params) Add(key, value string) { *p = append(*p, Param{key, value}) }

// Has reports whether key was sent.
func (p Params) Has(key string) bool {
	for _, x := range p {
		if x.Key == key {
			return true
		}
	}
	return false
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

// Errors collects a request's field errors.
type Errors []intake.FieldError

// Add records that field's value is wrong.
func (e *Errors) Add(field, value, msg string) {
	*e = append(*e, intake.FieldError{Field: field, Value: value, Message: msg})
}

// Err is nil without errors, else an EINVALID error carrying them.
func (e Errors) Err(msg string) error {
	if len(e) == 0 {
		return nil
	}
	return intake.Invalid(msg, e...)
}

// Record is a JSON object from a request body whose numbers keep every
// digit: decoded as json.Number, not float64, so customer number
// 90071992547409931 is not read as …932 (2^53 is where float64 stops).
type Record map[string]any

// UnmarshalJSON implements json.Unmarshaler with UseNumber.
func (r *Record) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := unmarshalNumbers(b, &m); err != nil {
		return err
	}
	*r = m
	return nil
}

// unmarshalNumbers is json.Unmarshal with UseNumber.
func unmarshalNumbers(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// Object reads a JSON object of strings (a mapping); "" is nil.
func (e *Errors) Object(key, v string) map[string]string {
	if v == "" {
		return nil
	}
	var raw map[string]any
	if err := unmarshalNumbers([]byte(v), &raw); err != nil {
		e.Add(key, v, "Must be a JSON object of strings.")
		return nil
	}
	m := make(map[string]string, len(raw))
	for k, x := range raw {
		m[k] = CellString(x)
	}
	return m
}

// Bool reads true/false (and 1/0, yes/no, on/off); "" is nil.
func (e *Errors) Bool(key, v string) *bool {
	var b bool
	switch strings.ToLower(v) {
	case "true", "1", "yes", "on":
		b = true
	case "false", "0", "no", "off":
	case "":
		return nil
	default:
		e.Add(key, v, "Must be true or false.")
		return nil
	}
	return &b
}

// List reads a list sent as a JSON array or a comma list.
func List(v string) []string {
	if strings.HasPrefix(v, "[") {
		var xs []any
		if unmarshalNumbers([]byte(v), &xs) == nil {
			out := make([]string, len(xs))
			for i, x := range xs {
				out[i] = CellString(x)
			}
			return out
		}
	}
	if v == "" {
		return nil
	}
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// Delimiter accepts Copernica's "\t" written as two characters, and "tab".
func Delimiter(v string) string {
	switch v {
	case `\t`, "tab", "TAB":
		return "\t"
	}
	if u, err := strconv.Unquote(`"` + v + `"`); err == nil {
		return u
	}
	return v
}
