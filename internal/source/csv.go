package source

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"github.com/intake/intake"
	"io"
	"strings"
	"unicode/utf8"
)

// csvReadAhead is the read-ahead of the bufio.Reader inside csv.Reader; the
// row limit allows for it.
const csvReadAhead = 4096

// errRowTooLong is returned by csvInput (through csv.Reader) when a record
// grows past the limit.
var errRowTooLong = errors.New("row too long")

var errClosed = errors.New("source: reader is closed")

// csvInput feeds csv.Reader. It turns a lone '\r' (old Mac line ending) into
// '\n', and it refuses to deliver more than the row limit past the start of
// the current record: encoding/csv buffers a whole record, so without this
// an unterminated quote would read the rest of the file into memory.
type csvInput struct {
	rowBudget // limit: MaxRowBytes plus csv.Reader's read-ahead
	src       *bufio.Reader
	// kept holds the bytes delivered from offset keptFrom on, so a
	// malformed record can be reported with its raw text. The row budget
	// bounds it: nothing past start+limit is ever delivered.
	kept     []byte
	keptFrom int64
}

// forget drops kept bytes before offset start (the current record), in
// batches of 32 KiB so that a file of short records is not copied again
// for each one.
func (in *csvInput) forget(start int64) {
	if drop := start - in.keptFrom; drop >= 32<<10 {
		drop = min(drop, int64(len(in.kept)))
		n := copy(in.kept, in.kept[drop:])
		in.kept = in.kept[:n]
		in.keptFrom += drop
	}
}

// raw returns the kept text between offsets from and to.
func (in *csvInput) raw(from, to int64) string {
	a, b := from-in.keptFrom, to-in.keptFrom
	if a < 0 || b > int64(len(in.kept)) || a > b {
		return ""
	}
	return string(in.kept[a:b])
}

func (in *csvInput) Read(p []byte) (int, error) {
	p, err := in.clip(p)
	if err != nil {
		return 0, err
	}
	n, err := in.src.Read(p)
	for i := 0; i < n; i++ {
		if p[i] != '\r' {
			continue
		}
		if i+1 < n {
			if p[i+1] != '\n' {
				p[i] = '\n'
			}
		} else if next, err := in.src.Peek(1); err != nil || next[0] != '\n' {
			p[i] = '\n'
		}
	}
	in.delivered += int64(n)
	in.kept = append(in.kept, p[:n]...)
	if err != nil && err != io.EOF {
		in.err = err
	}
	return n, err
}

// csvReader reads CSV and TSV files.
type csvReader struct {
	in     *csvInput
	r      *csv.Reader
	header []string
	opts   Options
	info   Info
	utf8   bool // the file is read as UTF-8, so values may hold invalid bytes
	number int  // record number of the last record read; the header is 1
	// pending are records read while looking for the header, to be
	// returned as rows before reading on; pendingAt numbers the first.
	pending   [][]string
	pendingAt int
	// deferred is a read that failed while looking for the header: Next
	// meets it in its place, after the pending rows.
	deferred    []string
	deferredErr error
	err         error
}

func openCSV(text *bufio.Reader, enc textEncoding, format Format, delim rune, opts Options) (Reader, error) {
	if delim == '"' || delim == '\r' || delim == '\n' || delim == '\uFFFD' || delim < 0 {
		return nil, errorf("invalid_delimiter", "%q cannot be used as a delimiter.", delim)
	}
	in := &csvInput{src: text, rowBudget: rowBudget{limit: int64(opts.MaxRowBytes) + csvReadAhead}}
	r := csv.NewReader(in)
	r.Comma = delim
	r.FieldsPerRecord = -1 // ragged rows are row errors, counted by Next
	r.ReuseRecord = true
	c := &csvReader{
		in:   in,
		r:    r,
		opts: opts,
		info: Info{Format: format, Delimiter: delim, Encoding: enc.name},
		utf8: enc.enc == nil,
	}
	if err := c.findHeader(); err != nil {
		return nil, err
	}
	if err := checkHeader(c.header, opts); err != nil {
		return nil, err
	}
	return c, nil
}

// findHeader reads the first rows (up to Options.HeaderRow, or headerScan
// to find the header), keeps the header, and holds the rows after it for
// Next. Rows above the header are dropped: notes and titles.
func (c *csvReader) findHeader() error {
	want := c.opts.HeaderRow
	limit := headerScan
	if want > 0 {
		limit = want
	}
	var rows [][]string
	for read := 0; read < limit; read++ {
		rec, err := c.read()
		var perr *csv.ParseError
		switch {
		case err == io.EOF && read > 0 && want > 0:
			return errorf("missing_headers", "header_row is %d, but the file has %d rows.", want, read)
		case err == io.EOF && len(rows) == 0:
			return errMissingHeaders
		case errors.Is(err, errRowTooLong) && len(rows) == 0:
			return c.errRowTooLong(1)
		case errors.As(err, &perr) && len(rows) == 0:
			return errorf("malformed_csv", "The header row is malformed: %s.", describeParseError(perr))
		case err != nil && err != io.EOF && !errors.Is(err, errRowTooLong) && !errors.As(err, &perr):
			return fmt.Errorf("read header: %w", err)
		}
		if err != nil && want > 0 {
			return errorf("missing_headers", "header_row is %d, but row %d cannot be read.", want, read+1)
		}
		if err != nil {
			// The search ends here; Next meets the error in its place.
			c.deferred, c.deferredErr = append([]string(nil), rec...), err
			break
		}
		// A given header row: the rows above it are not kept.
		if want <= 0 || read == want-1 {
			rows = append(rows, append([]string(nil), rec...))
		}
	}
	if want > 0 {
		c.header, c.number, c.info.HeaderRow = rows[0], want, want
		return nil
	}
	h := pickHeader(rows, c.opts.IsHeader)
	c.header, c.number = rows[h], h+1
	c.info.HeaderRow = h + 1
	c.pending, c.pendingAt = rows[h+1:], h+2
	return nil
}

// read reads one record and enforces MaxRowBytes on it.
func (c *csvReader) read() ([]string, error) {
	start := c.r.InputOffset()
	c.in.start = start
	c.in.forget(start)
	rec, err := c.r.Read()
	if errors.Is(err, errRowTooLong) || (err == nil && c.r.InputOffset()-start > int64(c.opts.MaxRowBytes)) {
		return nil, errRowTooLong
	}
	return rec, err
}

func (c *csvReader) errRowTooLong(number int) *Error {
	return errorf("row_too_long", "Row %d is longer than %d bytes; a quote may be missing its closing quote.", number, c.opts.MaxRowBytes)
}

func (c *csvReader) Header() []string { return c.header }

func (c *csvReader) Info() Info { return c.info }

func (c *csvReader) Next() (Row, error) {
	for len(c.pending) > 0 {
		rec := c.pending[0]
		c.pending = c.pending[1:]
		c.number = c.pendingAt
		c.pendingAt++
		if row, ok := c.row(rec); ok {
			return row, nil
		}
	}
	for c.err == nil {
		var rec []string
		var err error
		if c.deferredErr != nil {
			rec, err, c.deferred, c.deferredErr = c.deferred, c.deferredErr, nil, nil
		} else {
			rec, err = c.read()
		}
		var perr *csv.ParseError
		switch {
		case err == io.EOF:
			c.err = io.EOF
			continue
		case errors.Is(err, errRowTooLong):
			c.err = c.errRowTooLong(c.number + 1)
			continue
		case errors.As(err, &perr) && (perr.Err == csv.ErrQuote || perr.Err == csv.ErrBareQuote):
			// encoding/csv has consumed the bad line; reading goes on
			// with the next one. Its fields are lost, so the row carries
			// the line as it was written, in its first cell, for the
			// report: a person sees what to fix.
			c.number++
			line := rawLine(c.in.raw(c.in.start, c.r.InputOffset()), c.opts.MaxCellBytes)
			return Row{
				Number: c.number,
				Values: []string{line},
				Err:    &intake.RowError{Code: "malformed_row", Message: "row is malformed: " + describeParseError(perr), Value: line},
			}, nil
		case err != nil:
			c.err = fmt.Errorf("read row %d: %w", c.number+1, err)
			continue
		}
		c.number++
		if row, ok := c.row(rec); ok {
			return row, nil
		}
	}
	return Row{}, c.err
}

// row makes a Row of record c.number; ok is false for an empty record.
func (c *csvReader) row(rec []string) (Row, bool) {
	rec = trimTrailingEmpty(rec, len(c.header))
	if emptyRow(rec) {
		return Row{}, false
	}
	values := append([]string(nil), rec...)
	var rerr *RowError
	if c.utf8 && fixEncoding(values) {
		rerr = errInvalidEncoding()
	}
	if e := checkRow(values, len(c.header), c.opts); e != nil {
		rerr = e
	}
	return Row{Number: c.number, Values: values, Err: rerr}, true
}

func (c *csvReader) Close() error {
	c.err = errClosed
	return nil
}

// maxRawLine bounds the raw text a malformed row carries: enough to see
// the mistake, not a megabyte line in every report format.
const maxRawLine = 1024

// rawLine trims a malformed record's text for the report: without its
// line ending, valid UTF-8, cut at maxRawLine (or maxCell) bytes with "…".
func rawLine(s string, maxCell int) string {
	s = strings.TrimRight(s, "\r\n")
	s = strings.ToValidUTF8(s, "\uFFFD")
	limit := min(maxRawLine, maxCell)
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func describeParseError(e *csv.ParseError) string {
	what := e.Err.Error()
	switch e.Err {
	case csv.ErrBareQuote:
		what = "a quote appears inside a field that is not quoted"
	case csv.ErrQuote:
		what = "a quoted field has a stray quote or is missing its closing quote"
	}
	return fmt.Sprintf("%s (line %d, column %d)", what, e.Line, e.Column)
}
