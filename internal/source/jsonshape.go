package source

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
)

// jsonPlan is where the records sit in a JSON file, decided from the head
// (planJSON) or given by Options.Path.
type jsonPlan struct {
	// lines: NDJSON / JSON Lines, one object after another (usually one
	// per line). A single object on its own is one record.
	lines bool
	// path is the members leading from the top-level object to the
	// records: none for a top-level array, ["data", "people"] for
	// {"data": {"people": [...]}}.
	path []string
	// keyed: the records are the members of an object keyed by their ids
	// ({"u1": {...}, "u2": {...}}), not the elements of an array.
	keyed bool
	// search: the head showed no table (a long member comes first), so
	// the reader takes the first array of objects it meets, at any depth.
	search bool
}

// maxFlattenDepth is how deep nested objects are flattened into dotted
// columns (company.name, address.city); deeper objects stay compact JSON.
const maxFlattenDepth = 4

// planJSON decides where the records are from the file's name and head
// (decoded text), or from path (Options.Path, "data.people"). Every array
// of objects and every object keyed by ids in the head, at any depth, is
// a candidate, and the one whose records read best as a table of people
// wins (tableScore over their keys and values). A top-level object with
// no candidate is a record (or the first of JSON Lines).
func planJSON(text []byte, name, path string, atEOF bool, isHeader func(string) bool) jsonPlan {
	t := bytes.TrimLeft(text, " \t\r\n")
	if path = strings.Trim(strings.TrimSpace(path), "."); path != "" {
		p := jsonPlan{path: strings.Split(path, ".")}
		// The head tells whether the member is an array or an object.
		for _, c := range findJSONTables(t) {
			if c.path == path {
				p.keyed = c.keyed
			}
		}
		return p
	}
	if len(t) > 0 && t[0] == '[' {
		return jsonPlan{}
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".ndjson", ".jsonl", ".ldjson":
		return jsonPlan{lines: true}
	}
	dec := json.NewDecoder(bytes.NewReader(t))
	var first json.RawMessage
	if err := dec.Decode(&first); err == nil && dec.More() {
		return jsonPlan{lines: true} // another object follows the first
	}
	best, bestScore := jsonCandidate{}, 0.0
	for _, c := range findJSONTables(t) {
		if s := c.score(isHeader); s > bestScore {
			best, bestScore = c, s
		}
	}
	switch {
	case bestScore > 0 && best.path == "":
		return jsonPlan{keyed: best.keyed}
	case bestScore > 0:
		return jsonPlan{path: strings.Split(best.path, "."), keyed: best.keyed}
	case first == nil && !atEOF:
		// An object longer than the head with no table in sight: search.
		return jsonPlan{search: true}
	}
	return jsonPlan{lines: true}
}

// jsonCandidate is an array of objects, or an object keyed by ids, found
// in the head.
type jsonCandidate struct {
	path  string
	keyed bool
	keys  []string            // the records' keys, in order of appearance
	rows  []map[string]string // the first records' scalar values by key
	count int                 // records seen in the head
}

// score is the candidate's tableScore, its keys taken as the header.
func (c jsonCandidate) score(isHeader func(string) bool) float64 {
	if len(c.rows) == 0 || (c.keyed && c.count < 2) {
		return 0
	}
	rows := [][]string{c.keys}
	for _, r := range c.rows {
		row := make([]string, len(c.keys))
		for i, k := range c.keys {
			row[i] = r[k]
		}
		rows = append(rows, row)
	}
	if c.keyed {
		return tableScore(rows, isHeader)
	}
	// Any array of objects is a table, however narrow ([{"email": …}]).
	return 0.1 + tableScore(rows, isHeader)
}

// maxCandidateRows is how many records of a candidate are kept to score it.
const maxCandidateRows = 20

// maxWalkDepth bounds how deep the head is searched for tables.
const maxWalkDepth = 8

// findJSONTables walks the head's tokens (it may be cut anywhere) and
// returns the candidates found in it.
func findJSONTables(text []byte) []jsonCandidate {
	w := &jsonWalker{text: text, dec: json.NewDecoder(bytes.NewReader(text))}
	w.dec.UseNumber()
	_, _, _ = w.value(nil, 0)
	return w.found
}

type jsonWalker struct {
	text  []byte
	dec   *json.Decoder
	found []jsonCandidate
}

// peek returns the next byte that starts a value, past white space, ','
// and ':'; 0 at the end of the head.
func (w *jsonWalker) peek() byte {
	for _, c := range w.text[min(int(w.dec.InputOffset()), len(w.text)):] {
		switch c {
		case ' ', '\t', '\r', '\n', ',', ':':
			continue
		}
		return c
	}
	return 0
}

// value walks one value at path. For an object it returns its keys and
// scalar values (what a record of a candidate needs) and whether all its
// members were objects themselves.
func (w *jsonWalker) value(path []string, depth int) (keys []string, vals map[string]string, err error) {
	tok, err := w.dec.Token()
	if err != nil {
		return nil, nil, err
	}
	switch tok {
	case json.Delim('['):
		return nil, nil, w.array(path, depth)
	case json.Delim('{'):
		return w.object(path, depth)
	}
	return nil, nil, nil
}

func (w *jsonWalker) array(path []string, depth int) error {
	c := jsonCandidate{path: strings.Join(path, ".")}
	defer func() {
		if c.count > 0 {
			w.found = append(w.found, c)
		}
	}()
	for w.dec.More() {
		isObject := w.peek() == '{'
		keys, vals, err := w.value(path, depth+1)
		if err != nil {
			return err
		}
		if isObject {
			c.add(keys, vals)
		}
	}
	_, err := w.dec.Token()
	return err
}

func (w *jsonWalker) object(path []string, depth int) ([]string, map[string]string, error) {
	var keys []string
	vals := map[string]string{}
	keyed := jsonCandidate{path: strings.Join(path, "."), keyed: true}
	allObjects := true
	defer func() {
		if allObjects && keyed.count >= 2 && depth < maxWalkDepth {
			w.found = append(w.found, keyed)
		}
	}()
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return keys, vals, err
		}
		key, _ := tok.(string)
		keys = append(keys, key)
		switch w.peek() {
		case '{', '[':
			isObject := w.peek() == '{'
			allObjects = allObjects && isObject
			if depth >= maxWalkDepth {
				return keys, vals, errDeep
			}
			ck, cv, err := w.value(append(path[:len(path):len(path)], key), depth+1)
			if err != nil {
				return keys, vals, err
			}
			if isObject && len(ck) >= 2 {
				keyed.add(ck, cv)
			}
		default:
			allObjects = false
			tok, err := w.dec.Token()
			if err != nil {
				return keys, vals, err
			}
			vals[key] = tokenText(tok)
		}
	}
	_, err := w.dec.Token()
	return keys, vals, err
}

var errDeep = bytes.ErrTooLarge

// add adds a record to the candidate.
func (c *jsonCandidate) add(keys []string, vals map[string]string) {
	c.count++
	if len(c.rows) >= maxCandidateRows {
		return
	}
	for _, k := range keys {
		if !containsString(c.keys, k) {
			c.keys = append(c.keys, k)
		}
	}
	c.rows = append(c.rows, vals)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// tokenText renders a scalar token as a cell.
func tokenText(tok json.Token) string {
	switch v := tok.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		if v {
			return "true"
		}
		return "false"
	}
	return ""
}
