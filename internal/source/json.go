package source

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/intake/intake"
	"io"
	"strings"
)

// budgetInput feeds a decoder that buffers a whole element (json.Decoder,
// the vCard decoder's lines) and refuses to deliver more than the row limit
// past the start of the current element. The decoders only ask for more
// input when the element they read goes on past what they have, so the
// limit bounds the element, not the read-ahead.
type budgetInput struct {
	rowBudget
	src io.Reader
}

func (in *budgetInput) Read(p []byte) (int, error) {
	p, err := in.clip(p)
	if err != nil {
		return 0, err
	}
	n, err := in.src.Read(p)
	in.delivered += int64(n)
	return n, err
}

// jsonReader reads a JSON array of objects, one element at a time.
type jsonReader struct {
	in      *budgetInput
	dec     *json.Decoder
	header  []string
	columns map[string]int // case-folded, trimmed key → column
	opts    Options
	info    Info
	index   int  // array index of the next element
	pending *Row // the first row, read by Open to learn the header
	plan    jsonPlan
	depth   int    // containers enclosing the records, closed after them
	key     string // keyed records: the member name of the record read
	// keyColumn is the column keyed records' member names go in.
	keyColumn string
	err       error
}

// openJSON reads the first element to learn the header. The first element
// must be an object: it defines the columns. Keys are trimmed and compared
// ignoring case, so "Email" and "email " are one column (the header shows
// the first spelling); within one object the last of such keys wins.
func openJSON(text *bufio.Reader, enc textEncoding, plan jsonPlan, opts Options) (Reader, error) {
	in := &budgetInput{src: text, rowBudget: rowBudget{limit: int64(opts.MaxRowBytes)}}
	dec := json.NewDecoder(in)
	dec.UseNumber()
	j := &jsonReader{
		in:      in,
		dec:     dec,
		columns: make(map[string]int),
		opts:    opts,
		info:    Info{Format: FormatJSON, Encoding: enc.name, HeaderRow: 1},
		plan:    plan,
	}
	var row Row
	var raw json.RawMessage
	var err error
	if plan.lines {
		row, raw, err = j.element()
	} else {
		first, ferr := j.enter()
		if ferr != nil {
			return nil, ferr
		}
		row, raw, err = j.decoded(first)
	}
	if err == io.EOF {
		return nil, fileErr("missing_headers", "The JSON array is empty, so the file has no columns.")
	}
	if err != nil {
		return nil, err
	}
	if raw[0] != '{' {
		return nil, errorf("unsupported_format", "JSON must be an array of objects; the first element is %s.", describeJSON(raw))
	}
	if err := checkHeader(append([]string(nil), j.header...), opts); err != nil {
		return nil, err
	}
	j.pending = &row
	return j, nil
}

func (j *jsonReader) Header() []string { return j.header }

func (j *jsonReader) Info() Info { return j.info }

func (j *jsonReader) Next() (Row, error) {
	if p := j.pending; p != nil {
		j.pending = nil
		if p.Err != nil || !emptyRow(p.Values) {
			return *p, nil
		}
	}
	for j.err == nil {
		row, _, err := j.element()
		if err != nil {
			j.err = err
			break
		}
		if row.Err == nil && emptyRow(row.Values) {
			continue
		}
		return row, nil
	}
	return Row{}, j.err
}

func (j *jsonReader) Close() error {
	j.err = errClosed
	return nil
}

// element reads the next array element as a row. A non-object element is a
// row with a "malformed_row" error. At the end of the array it returns
// io.EOF, after checking that nothing but white space follows.
func (j *jsonReader) element() (Row, json.RawMessage, error) {
	start := j.dec.InputOffset()
	j.in.start = start
	if !j.dec.More() {
		return Row{}, nil, j.end()
	}
	if j.plan.keyed {
		tok, err := j.dec.Token()
		if err != nil {
			return Row{}, nil, j.fatal(err)
		}
		j.key, _ = tok.(string)
	}
	var raw json.RawMessage
	if err := j.dec.Decode(&raw); err != nil {
		return Row{}, nil, j.fatal(err)
	}
	if j.dec.InputOffset()-start > int64(j.opts.MaxRowBytes) {
		return Row{}, nil, j.errRowTooLong()
	}
	return j.decoded(raw)
}

// decoded turns one decoded element into a row.
func (j *jsonReader) decoded(raw json.RawMessage) (Row, json.RawMessage, error) {
	// Records are numbered as rows below a header (index + 2) in every
	// shape, as a spreadsheet of them would show them.
	row := Row{Number: j.index + 2}
	j.index++
	if raw[0] != '{' {
		row.Err = &intake.RowError{Code: "malformed_row", Message: fmt.Sprintf("element is %s, not an object", describeJSON(raw))}
		return row, raw, nil
	}
	values, err := j.object(raw)
	if err != nil {
		return Row{}, nil, err
	}
	row.Values = values
	row.Err = checkCells(values, j.opts)
	return row, raw, nil
}

// end reads what closes the rows: the array's ']' (and, in a wrapper, the
// members after it and the closing '}'), then checks that nothing but white
// space follows. It returns io.EOF when all is well.
func (j *jsonReader) end() error {
	if !j.plan.lines {
		if _, err := j.dec.Token(); err != nil { // the closing ']' or '}'
			return j.fatal(err)
		}
		if err := j.skipRest(j.depth); err != nil {
			return err
		}
	}
	if _, err := j.dec.Token(); err != io.EOF {
		closing := "']'"
		if j.plan.keyed || j.depth > 0 {
			closing = "'}'"
		}
		return fileErr("malformed_json", fmt.Sprintf("The JSON is malformed at byte %d: there is more after the closing %s.", j.dec.InputOffset(), closing))
	}
	return io.EOF
}

// object turns a JSON object into values aligned with the header, adding
// columns for keys not seen before.
func (j *jsonReader) object(raw json.RawMessage) ([]string, error) {
	type pair struct {
		column int
		value  string
	}
	var pairs []pair
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // '{'
		return nil, j.fatal(err)
	}
	add := func(key, value string) error {
		fold := strings.ToLower(key)
		col, ok := j.columns[fold]
		if !ok {
			if len(j.header) >= j.opts.MaxColumns {
				return errorf("too_many_columns", "Row %d brings the number of columns over %d.", j.index+1, j.opts.MaxColumns)
			}
			col = len(j.header)
			j.columns[fold] = col
			j.header = append(j.header, key)
		}
		pairs = append(pairs, pair{col, value})
		return nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, j.fatal(err)
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, j.fatal(err)
		}
		if err := flatten(trimCell(key), v, 0, add); err != nil {
			return nil, err
		}
	}
	if j.plan.keyed {
		// The member name is the record's id, in column "id" unless the
		// first record has an "id" of its own.
		if j.keyColumn == "" {
			j.keyColumn = "id"
			if _, own := j.columns["id"]; own {
				j.keyColumn = "_key"
			}
		}
		if err := add(j.keyColumn, j.key); err != nil {
			return nil, err
		}
	}
	values := make([]string, len(j.header))
	for _, p := range pairs {
		values[p.column] = p.value
	}
	return values, nil
}

// jsonValue renders a JSON value as a cell: a string as is, a number as
// written, a bool as "true"/"false", null as "", an array of scalars joined
// with ",", anything else as compact JSON.
func jsonValue(raw json.RawMessage) string {
	switch raw[0] {
	case '"':
		var s string
		_ = json.Unmarshal(raw, &s) // raw is a valid string: the decoder checked it
		return s
	case 'n':
		return ""
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err == nil {
			parts := make([]string, 0, len(items))
			scalars := true
			for _, it := range items {
				if it[0] == '[' || it[0] == '{' {
					scalars = false
					break
				}
				parts = append(parts, jsonValue(it))
			}
			if scalars {
				return strings.Join(parts, ",")
			}
		}
	case '{':
	default: // number, true, false
		return string(raw)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// describeJSON names the kind of a JSON value for messages.
func describeJSON(raw json.RawMessage) string {
	switch raw[0] {
	case '"':
		return "a string"
	case '[':
		return "an array"
	case '{':
		return "an object"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

func (j *jsonReader) errRowTooLong() *Error {
	return errorf("row_too_long", "Row %d (array element %d) is longer than %d bytes.", j.index+2, j.index+1, j.opts.MaxRowBytes)
}

// fatal turns a decoding error into a *Error; errors from the underlying
// reader are returned wrapped.
func (j *jsonReader) fatal(err error) error {
	var syn *json.SyntaxError
	switch {
	case errors.Is(err, errRowTooLong):
		return j.errRowTooLong()
	case errors.As(err, &syn):
		return errorf("malformed_json", "The JSON is malformed at byte %d: %s.", syn.Offset, syn.Error())
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return errorf("malformed_json", "The JSON ends unexpectedly at byte %d: the array is not closed.", j.dec.InputOffset())
	}
	return fmt.Errorf("read JSON element %d: %w", j.index+1, err)
}
