package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake/internal/dialect/plandocket"
)

// A bulk body is decoded here, not by huma: huma first decodes a body into
// a tree of any to validate it, which reads every number as a float64 (so
// 1e400 failed the whole call with a message naming a Go type), takes
// duplicate keys last-wins, echoes the whole body in its errors and costs
// as much memory again as the decoded request. decodeBulk decodes once, with
// records' numbers as written (dialect.Record), and refuses what the schema
// and the seed refuse in the words of huma's own answers.

// maxBulkBody is the bulk routes' body limit.
const maxBulkBody = 32 << 20

// bulkInput is a bulk route's input: the body as sent (see decodeBulk).
type bulkInput struct {
	RawBody []byte `contentType:"application/json"`
}

// bulkOperation declares a bulk route: its body is decoded by decodeBulk,
// at most maxBulkBody, and counted against the JSON budget.
func bulkOperation(op huma.Operation) huma.Operation {
	op.MaxBodyBytes, op.SkipValidateBody = maxBulkBody, true
	return budgeted(op)
}

// documentBulk gives a bulk route's documented body the BulkRequest schema,
// which huma, seeing a raw body, would document as binary.
func (s *Server) documentBulk(path string) {
	schema := s.api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[plandocket.BulkRequest](), true, "BulkRequest")
	s.api.OpenAPI().Paths[path].Post.RequestBody.Content["application/json"].Schema = schema
}

// bulkFields are BulkRequest's JSON names: any other top-level key is
// refused, as its schema says (additionalProperties: false).
var bulkFields = func() map[string]bool {
	m := map[string]bool{}
	t := reflect.TypeFor[plandocket.BulkRequest]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		m[name] = true
	}
	return m
}()

// decodeBulk decodes a bulk body: 400 when it is not JSON or has a key
// twice in one object, 422 when it does not fit the schema (a missing
// records, an unknown property, a value of the wrong type).
func decodeBulk(raw []byte) (plandocket.BulkRequest, error) {
	var req plandocket.BulkRequest
	if len(raw) == 0 {
		return req, huma.NewError(http.StatusBadRequest, "request body is required")
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		return req, bulkDecodeError(err)
	}
	keys := scanKeys(raw)
	if keys.dup != "" {
		return req, keys.duplicateError()
	}
	for _, k := range keys.top {
		if !bulkFields[k] {
			return req, huma.NewError(http.StatusUnprocessableEntity, "validation failed",
				&ErrorDetail{Location: "body." + k, Message: "unexpected property", Value: k})
		}
	}
	if !keys.hasTop("records") {
		return req, huma.NewError(http.StatusUnprocessableEntity, "validation failed",
			&ErrorDetail{Location: "body.records", Message: "expected required property records to be present"})
	}
	return req, nil
}

// bulkDecodeError answers what json.Unmarshal refused, naming JSON types,
// never Go ones.
func bulkDecodeError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return huma.NewError(http.StatusBadRequest, fmt.Sprintf("The body is not valid JSON: %s (at byte %d).",
			strings.TrimPrefix(se.Error(), "json: "), se.Offset))
	case errors.As(err, &te):
		loc := "body"
		if te.Field != "" {
			loc += "." + te.Field
		}
		msg := fmt.Sprintf("expected %s, not %s", jsonKind(te.Type), te.Value)
		return huma.NewError(http.StatusUnprocessableEntity, "validation failed", &ErrorDetail{Location: loc, Message: msg})
	}
	return huma.NewError(http.StatusBadRequest, "The body cannot be read: "+strings.TrimPrefix(err.Error(), "json: "))
}

// jsonKind names the JSON type a Go type decodes from.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	}
	return "number"
}

// bodyKeys is what scanKeys found: the body's top-level keys and the first
// key that appears twice in one object, with the index of the record it
// is in (-1 outside records).
type bodyKeys struct {
	top    []string
	dup    string
	record int
}

func (k bodyKeys) hasTop(name string) bool {
	for _, t := range k.top {
		if t == name {
			return true
		}
	}
	return false
}

func (k bodyKeys) duplicateError() error {
	if k.record < 0 {
		return huma.NewError(http.StatusBadRequest, fmt.Sprintf("The body has the key %q twice in one object; each key may appear once.", k.dup),
			&ErrorDetail{Location: "body." + k.dup, Code: "duplicate_key", Message: "Appears twice.", Value: k.dup})
	}
	return huma.NewError(http.StatusBadRequest, fmt.Sprintf("Record %d has the key %q twice; each key may appear once in a record.", k.record, k.dup),
		&ErrorDetail{Location: fmt.Sprintf("body.records[%d].%s", k.record, k.dup), Code: "duplicate_key", Message: "Appears twice.", Value: k.dup})
}

// scanFrame is an open object or array while scanKeys reads.
type scanFrame struct {
	object  bool
	keys    map[string]struct{}
	wantKey bool // an object's next string is a key
	commas  int  // an array's elements so far, less one
}

// scanKeys reads raw, which must be valid JSON (json.Unmarshal checked it),
// for its top-level keys and the first key repeated within one object. It
// makes no values: one pass over the bytes and a set of keys per object.
func scanKeys(raw []byte) bodyKeys {
	out := bodyKeys{record: -1}
	var stack []*scanFrame
	records := false // stack[1] is the top-level records array
	last := ""       // the last top-level key
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; c {
		case '{', '[':
			records = records || (c == '[' && len(stack) == 1 && last == "records")
			stack = append(stack, &scanFrame{object: c == '{', wantKey: c == '{'})
		case '}', ']':
			stack = stack[:len(stack)-1]
			if len(stack) == 1 {
				records = false
			}
		case ',':
			f := stack[len(stack)-1]
			f.wantKey = f.object
			f.commas++
		case '"':
			end := stringEnd(raw, i)
			f := stack[len(stack)-1]
			if f.object && f.wantKey {
				f.wantKey = false
				key := stringValue(raw[i : end+1])
				if _, seen := f.keys[key]; seen {
					out.dup = key
					if records && len(stack) > 2 {
						out.record = stack[1].commas
					}
					return out
				}
				if f.keys == nil {
					f.keys = map[string]struct{}{}
				}
				f.keys[key] = struct{}{}
				if len(stack) == 1 {
					out.top, last = append(out.top, key), key
				}
			}
			i = end
		}
	}
	return out
}

// stringEnd returns the index of the quote that closes the string opening
// at raw[start].
func stringEnd(raw []byte, start int) int {
	for i := start + 1; i < len(raw); i++ {
		switch raw[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(raw) - 1
}

// stringValue is a JSON string's value; keys without escapes (nearly all)
// are taken as they are.
func stringValue(quoted []byte) string {
	if bytes.IndexByte(quoted, '\\') < 0 {
		return string(quoted[1 : len(quoted)-1])
	}
	var v string
	json.Unmarshal(quoted, &v) // valid: json.Unmarshal read the whole body
	return v
}
