package source

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
)

// jsonShape is how the rows sit in a JSON file.
type jsonShape int

const (
	// shapeArray: [ {...}, {...} ], what Intake's own API sends.
	shapeArray jsonShape = iota
	// shapeWrapper: an object with one member holding the array of
	// objects, as APIs answer: {"data": [...], "meta": {...}} or
	// {"contacts": [...]}. The first such member is read.
	shapeWrapper
	// shapeLines: NDJSON / JSON Lines, one object after another (usually
	// one per line). A single object on its own is one record.
	shapeLines
)

// maxFlattenDepth is how deep nested objects are flattened into dotted
// columns (company.name, address.city); deeper objects stay compact JSON.
const maxFlattenDepth = 4

// sniffJSONShape decides the shape from the file's name and head (decoded
// text). An object that is complete in the head is looked at whole: another
// object after it means lines, a member holding an array of objects means
// a wrapper, anything else is a single record. An object longer than the
// head is taken for a wrapper, since one record is rarely that long.
func sniffJSONShape(text []byte, name string, atEOF bool) jsonShape {
	t := bytes.TrimLeft(text, " \t\r\n")
	if len(t) > 0 && t[0] == '[' {
		return shapeArray
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".ndjson", ".jsonl", ".ldjson":
		return shapeLines
	}
	dec := json.NewDecoder(bytes.NewReader(t))
	var first json.RawMessage
	if err := dec.Decode(&first); err != nil {
		if atEOF {
			return shapeLines // malformed: the lines reader reports where
		}
		return shapeWrapper
	}
	if dec.More() {
		return shapeLines
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(first, &members) == nil {
		for _, v := range members {
			if isArrayOfObjects(v) {
				return shapeWrapper
			}
		}
	}
	return shapeLines
}

// isArrayOfObjects reports whether raw is an array whose first element is
// an object.
func isArrayOfObjects(raw json.RawMessage) bool {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || len(items) == 0 {
		return false
	}
	return items[0][0] == '{'
}

// enterWrapper reads the wrapper object's members up to the first one whose
// value is an array starting with an object, and leaves the decoder inside
// that array with its first element decoded into first. Members before it
// are skipped; each may be at most the row limit long.
func (j *jsonReader) enterWrapper() (first json.RawMessage, err error) {
	for j.dec.More() {
		j.in.start = j.dec.InputOffset()
		if _, err := j.dec.Token(); err != nil { // the member's name
			return nil, j.fatal(err)
		}
		tok, err := j.dec.Token()
		if err != nil {
			return nil, j.fatal(err)
		}
		switch tok {
		case json.Delim('['):
			if !j.dec.More() {
				if err := j.skipRest(1); err != nil {
					return nil, err
				}
				continue
			}
			j.in.start = j.dec.InputOffset()
			var raw json.RawMessage
			if err := j.dec.Decode(&raw); err != nil {
				return nil, j.fatal(err)
			}
			if raw[0] == '{' {
				return raw, nil
			}
			if err := j.skipRest(1); err != nil {
				return nil, err
			}
		case json.Delim('{'):
			if err := j.skipRest(1); err != nil {
				return nil, err
			}
		}
	}
	return nil, fileErr("unsupported_format", "The JSON object holds no array of objects: send an array of objects, an object with one (such as {\"data\": [...]}), or one object per line (NDJSON).")
}

// skipRest consumes tokens until depth open arrays or objects are closed.
// Tokens are read one at a time, so memory stays bounded by the row limit.
func (j *jsonReader) skipRest(depth int) error {
	for depth > 0 {
		j.in.start = j.dec.InputOffset()
		tok, err := j.dec.Token()
		if err != nil {
			return j.fatal(err)
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			depth++
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
	}
	return nil
}

// flatten adds the members of a nested object as dotted keys
// (company.name) through add, down to maxFlattenDepth; deeper objects and
// arrays are cells as jsonValue renders them.
func flatten(prefix string, raw json.RawMessage, depth int, add func(key, value string) error) error {
	if raw[0] != '{' || depth >= maxFlattenDepth {
		return add(prefix, jsonValue(raw))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		if err := flatten(prefix+"."+trimCell(key), v, depth+1, add); err != nil {
			return err
		}
	}
	return nil
}
