package source

import (
	"bytes"
	"encoding/json"
	"strings"
)

// enter moves the decoder to the records the plan names and returns the
// first one: into the top-level array, down Options.Path or the path found
// in the head, or to the first array of objects at any depth (search).
// Members on the way are skipped token by token, within the row limit.
func (j *jsonReader) enter() (json.RawMessage, error) {
	j.in.start = j.dec.InputOffset()
	tok, err := j.dec.Token()
	if err != nil {
		return nil, j.fatal(err)
	}
	if j.plan.search {
		if tok != json.Delim('{') {
			return nil, errNoTable
		}
		first, found, err := j.search(nil)
		if err == nil && !found {
			err = errNoTable
		}
		return first, err
	}
	for _, seg := range j.plan.path {
		if tok != json.Delim('{') {
			return nil, j.errPath("is not an object")
		}
		j.depth++
		if err := j.member(seg); err != nil {
			return nil, err
		}
		if tok, err = j.dec.Token(); err != nil {
			return nil, j.fatal(err)
		}
	}
	j.info.Path = strings.Join(j.plan.path, ".")
	if tok == json.Delim('{') && len(j.plan.path) > 0 {
		// A path past the head that leads to an object: records keyed by id.
		j.plan.keyed = true
	}
	want := json.Delim('[')
	if j.plan.keyed {
		want = '{'
	}
	if tok != want {
		if len(j.plan.path) == 0 {
			return nil, fileErr("unsupported_format", "JSON must be an array of objects, an object holding one, or one object per line.")
		}
		return nil, j.errPath("holds no array of objects")
	}
	return j.first()
}

var errNoTable = fileErr("unsupported_format", "The JSON object holds no array of objects: send an array of objects, an object with one (such as {\"data\": [...]}), or one object per line (NDJSON).")

func (j *jsonReader) errPath(what string) *Error {
	return errorf("path_not_found", "The JSON member %q %s; set path to where the records are, such as data.people.", strings.Join(j.plan.path, "."), what)
}

// member reads the members of the object the decoder is in up to the one
// named name (case-insensitively), skipping the others.
func (j *jsonReader) member(name string) error {
	for j.dec.More() {
		j.in.start = j.dec.InputOffset()
		tok, err := j.dec.Token()
		if err != nil {
			return j.fatal(err)
		}
		if key, _ := tok.(string); strings.EqualFold(key, name) {
			return nil
		}
		if err := j.skipValue(); err != nil {
			return err
		}
	}
	return j.errPath("is not in the file")
}

// first reads the first record of the array or keyed object the decoder
// has just entered.
func (j *jsonReader) first() (json.RawMessage, error) {
	start := j.dec.InputOffset()
	j.in.start = start
	if !j.dec.More() {
		return nil, fileErr("missing_headers", "The JSON array is empty, so the file has no columns.")
	}
	if j.plan.keyed {
		tok, err := j.dec.Token()
		if err != nil {
			return nil, j.fatal(err)
		}
		j.key, _ = tok.(string)
	}
	var raw json.RawMessage
	if err := j.dec.Decode(&raw); err != nil {
		return nil, j.fatal(err)
	}
	if j.dec.InputOffset()-start > int64(j.opts.MaxRowBytes) {
		return nil, j.errRowTooLong()
	}
	return raw, nil
}

// search finds the first array whose first element is an object, depth
// first, inside the object the decoder is in (at path), and leaves the
// decoder after that element.
func (j *jsonReader) search(path []string) (json.RawMessage, bool, error) {
	for j.dec.More() {
		j.in.start = j.dec.InputOffset()
		tok, err := j.dec.Token()
		if err != nil {
			return nil, false, j.fatal(err)
		}
		key, _ := tok.(string)
		if tok, err = j.dec.Token(); err != nil {
			return nil, false, j.fatal(err)
		}
		here := append(path[:len(path):len(path)], key)
		switch tok {
		case json.Delim('['):
			if !j.dec.More() {
				if err := j.skipRest(1); err != nil {
					return nil, false, err
				}
				continue
			}
			j.in.start = j.dec.InputOffset()
			var raw json.RawMessage
			if err := j.dec.Decode(&raw); err != nil {
				return nil, false, j.fatal(err)
			}
			if raw[0] == '{' {
				j.depth = len(here)
				j.info.Path = strings.Join(here, ".")
				return raw, true, nil
			}
			if err := j.skipRest(1); err != nil {
				return nil, false, err
			}
		case json.Delim('{'):
			if len(here) >= maxWalkDepth {
				if err := j.skipRest(1); err != nil {
					return nil, false, err
				}
				continue
			}
			raw, found, err := j.search(here)
			if err != nil || found {
				return raw, found, err
			}
		}
	}
	if _, err := j.dec.Token(); err != nil { // the object's '}'
		return nil, false, j.fatal(err)
	}
	return nil, false, nil
}

// skipValue skips the value the decoder is at.
func (j *jsonReader) skipValue() error {
	j.in.start = j.dec.InputOffset()
	tok, err := j.dec.Token()
	if err != nil {
		return j.fatal(err)
	}
	if tok == json.Delim('[') || tok == json.Delim('{') {
		return j.skipRest(1)
	}
	return nil
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
