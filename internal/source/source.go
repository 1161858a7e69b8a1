// Package source turns an uploaded file (CSV/TSV, XLSX, JSON, vCard) into a stream
// of rows. It owns format sniffing, delimiter and encoding detection and
// header-name suggestions; it knows nothing about contacts, databases or HTTP.
//
// Nothing here reads a whole file into memory: memory is bounded by
// Options.MaxRowBytes and the 64 KiB head used for sniffing, not by the
// size of the file. An XLSX workbook is spooled to a temporary file and
// checked before excelize opens it (xlsxguard.go), since excelize reads
// parts whole and unzips without limits of its own.
package source

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/intake/intake"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Format is the kind of file being read.
type Format string

// The formats Open can read. TSV is CSV with a tab delimiter.
const (
	FormatCSV  Format = "csv"
	FormatTSV  Format = "tsv"
	FormatXLSX Format = "xlsx"
	FormatJSON Format = "json"
	// FormatVCard is a vCard 3.0 or 4.0 file (.vcf), one card a row.
	FormatVCard Format = "vcard"
)

// Defaults for the limits in Options.
const (
	DefaultMaxColumns   = 1000
	DefaultMaxCellBytes = 64 << 10
	DefaultMaxRowBytes  = 4 << 20
)

// headSize is how much of the file Open peeks at to sniff the format, the
// delimiter and the encoding. 64 KiB holds a few hundred typical rows, enough
// to tell windows-1252 from UTF-8 in practice.
const headSize = 64 << 10

// Options configure Open. Zero values mean "detect" or the documented default.
type Options struct {
	// Format is the declared format; "" sniffs it from the content, with
	// Name as a hint. A declared format the content contradicts (declared
	// csv, content is a PDF) is rejected.
	Format Format
	// Name is the original file name, a hint only (e.g. "x.tsv").
	Name string
	// Delimiter separates CSV fields; 0 sniffs among ',', ';', '\t' and '|'
	// from the first lines (default ',' when none is found, '\t' for TSV).
	Delimiter rune
	// Encoding of a CSV/TSV/JSON file; "" detects: a UTF-8 BOM is stripped,
	// UTF-16 LE/BE is recognised by its BOM, and a head (first 64 KiB) that
	// is not valid UTF-8 means windows-1252. Otherwise a WHATWG label such as
	// "utf-8", "windows-1252", "latin1", "iso-8859-1" or "utf-16". A BOM wins
	// over the declared encoding, as in the WHATWG decode algorithm.
	Encoding string
	// Sheet is the XLSX sheet to read: its name (matched ignoring case) or
	// its 1-based number; "" reads the sheet that reads best as a table of
	// people.
	Sheet string
	// Path is where the records are in a JSON document: member names
	// joined by dots ("data.people"), leading to an array of objects or
	// an object keyed by ids; "" finds the best such table in the head.
	Path string
	// HeaderRow is the header's row number (1-based, as the error report
	// numbers rows: blank lines do not count); 0 finds it among the first
	// rows, below notes, titles and blank rows (see pickHeader). CSV/TSV.
	HeaderRow int
	// IsHeader reports whether a cell is a known column name (a field or a
	// synonym); the header search prefers rows with such cells.
	IsHeader func(string) bool
	// MaxColumns limits the header; more columns fail the file with code
	// "too_many_columns". Default 1000.
	MaxColumns int
	// MaxCellBytes limits one cell; a longer cell gives its row a RowError
	// with code "cell_too_long" and reading continues. Default 64 KiB.
	MaxCellBytes int
	// MaxRowBytes limits one CSV record or JSON object; a longer one fails
	// the file with code "row_too_long". This is also the bound on what is
	// buffered for a row (an unterminated quote cannot swallow the file).
	// Default 4 MiB. For XLSX it bounds the XML of one row plus the shared
	// strings the row refers to, and any one text in the workbook.
	MaxRowBytes int
	// MaxUnzippedBytes bounds what the parts of an XLSX workbook that are
	// read may unpack to; more fails the file with "xlsx_too_large".
	// Default DefaultMaxUnzippedBytes (1 GiB).
	MaxUnzippedBytes int64
	// MaxSharedStrings bounds an XLSX workbook's shared strings table.
	// Default DefaultMaxSharedStrings.
	MaxSharedStrings int
	// TempDir is where the XLSX reader spools the upload and excelize
	// unzips large worksheets, inside the process's own folder
	// (ProcessTempDir: TempDir/intake-<pid>-<random>); "" is os.TempDir().
	// Files are removed when done; SweepTempDirs removes the folders of
	// processes that were killed.
	TempDir string
}

func (o Options) withDefaults() Options {
	if o.MaxColumns <= 0 {
		o.MaxColumns = DefaultMaxColumns
	}
	if o.MaxCellBytes <= 0 {
		o.MaxCellBytes = DefaultMaxCellBytes
	}
	if o.MaxRowBytes <= 0 {
		o.MaxRowBytes = DefaultMaxRowBytes
	}
	if o.MaxUnzippedBytes <= 0 {
		o.MaxUnzippedBytes = DefaultMaxUnzippedBytes
	}
	if o.MaxSharedStrings <= 0 {
		o.MaxSharedStrings = DefaultMaxSharedStrings
	}
	return o
}

// Error is a problem with the whole file: it cannot be read. It is an
// *intake.Error (EINVALID, EUNSUPPORTED for a format we do not read) whose
// one field error is "file" with the reader's stable code:
// unsupported_format, unsupported_encoding, invalid_delimiter, empty_file,
// missing_headers, duplicate_headers, too_many_columns, row_too_long,
// malformed_csv, malformed_json, malformed_xlsx, xlsx_too_large,
// sheet_not_found, path_not_found.
type Error = intake.Error

// fileErr returns the *Error for a file problem with code.
func fileErr(code, msg string) *Error {
	class := intake.EINVALID
	if code == "unsupported_format" || code == "unsupported_encoding" {
		class = intake.EUNSUPPORTED
	}
	return &intake.Error{Code: class, Message: msg, Fields: []intake.FieldError{{Field: "file", Code: code, Message: msg}}}
}

func errorf(code, format string, args ...any) *Error {
	return fileErr(code, fmt.Sprintf(format, args...))
}

// FileCode returns the reader's code of a file problem ("" for other errors).
func FileCode(err error) string {
	var e *Error
	if errors.As(err, &e) && len(e.Fields) > 0 && e.Fields[0].Field == "file" {
		return e.Fields[0].Code
	}
	return ""
}

// RowError is a problem with one row; reading continues after it. Codes:
// ragged_row, cell_too_long, malformed_row, invalid_encoding.
type RowError = intake.RowError

// Row is one data row.
type Row struct {
	// Number is the row number as a person sees it in the file: the header
	// is row 1, the first data row is 2. CSV: the record number (quoted
	// newlines and blank lines do not count); XLSX: the spreadsheet row
	// number; JSON: the array index + 2.
	Number int
	// Values are aligned with Header(). For a ragged row they are the fields
	// as read. The Row owns them: they stay valid after the next Next.
	Values []string
	// Err is set when the row could not be read as it is.
	Err *RowError
}

// Reader streams rows. Header is available right after Open.
type Reader interface {
	// Header returns the header row, trimmed. For JSON: the keys of the
	// first object in document order, plus keys first seen in later objects
	// appended, so re-read Header when len(Row.Values) grows.
	Header() []string
	// Next returns the next data row, skipping rows whose cells are all
	// empty. It returns io.EOF at the end and a *Error for a problem that
	// stops the file (codes row_too_long, malformed_json, malformed_xlsx,
	// too_many_columns); other errors come from the underlying io.Reader.
	// Problems with one row are in Row.Err, with a nil error.
	Next() (Row, error)
	// Close releases the reader; it does not close the io.Reader given to
	// Open.
	Close() error
}

// Info describes what Open detected. The readers Open returns have an Info
// method:
//
//	if d, ok := r.(interface{ Info() source.Info }); ok { info := d.Info() }
type Info struct {
	Format    Format
	Delimiter rune   // CSV and TSV only
	Encoding  string // WHATWG name such as "utf-8"; "" for XLSX
	Sheet     string // XLSX only
	Path      string // JSON: where the records are ("data.people"); "" for the top level
	HeaderRow int    // the header's row number (1 when it is the first row)
	// FooterRows are the numbers of the rows dropped as a report's footer
	// (see footerTrim); known once Next has returned io.EOF.
	FooterRows []int
}

// Open is OpenContext without a context.
func Open(r io.Reader, opts Options) (Reader, error) {
	return OpenContext(context.Background(), r, opts)
}

// OpenContext sniffs the format (peeking at the head through a
// bufio.Reader so nothing is lost) and returns the Reader for it. An XLSX
// workbook is checked and opened under ctx, and its reader's Next returns
// ctx's error once ctx is done: a cancelled job stops even in a workbook's
// longest stretch of empty rows.
//
// Errors are *Error with codes unsupported_format, unsupported_encoding,
// invalid_delimiter, empty_file ("The file is empty."), missing_headers, duplicate_headers,
// too_many_columns, row_too_long, malformed_csv, malformed_json,
// malformed_xlsx, xlsx_too_large, sheet_not_found and path_not_found, or a
// wrapped error
// from r.
func OpenContext(ctx context.Context, r io.Reader, opts Options) (Reader, error) {
	opts = opts.withDefaults()
	br := bufio.NewReaderSize(r, headSize)
	head, err := br.Peek(headSize)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read file head: %w", err)
	}
	atEOF := len(head) < headSize
	format, enc, text, err := sniff(head, opts.Name, opts.Format, opts.Encoding, atEOF)
	if err != nil {
		return nil, err
	}
	if format == FormatXLSX {
		x, err := openXLSX(ctx, br, opts)
		if err != nil {
			return nil, err
		}
		return withFooterTrim(x), nil
	}
	if _, err := br.Discard(enc.bomLen); err != nil {
		return nil, fmt.Errorf("read file head: %w", err)
	}
	switch format {
	case FormatVCard:
		if strings.HasPrefix(enc.name, "utf-16") {
			return openVCard(enc.reader(br), enc, opts)
		}
		return openVCard(br, enc, opts)
	case FormatJSON:
		return openJSON(enc.reader(br), enc, planJSON(text, opts.Name, opts.Path, atEOF, opts.IsHeader), opts)
	default:
		delim := opts.Delimiter
		if delim == 0 {
			delim = sniffDelimiter(text, !atEOF, format == FormatTSV)
		}
		// TSV is CSV with a tab: say which one was read.
		format = FormatCSV
		if delim == '\t' {
			format = FormatTSV
		}
		c, err := openCSV(enc.reader(br), enc, format, delim, opts)
		if err != nil {
			return nil, err
		}
		return withFooterTrim(c), nil
	}
}

var errEmpty = fileErr("empty_file", "The file is empty.")

// isBlank reports whether b holds nothing but white space and BOMs.
func isBlank(b []byte) bool {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if !unicode.IsSpace(r) && r != '\uFEFF' {
			return false
		}
		b = b[n:]
	}
	return true
}

// trimCell trims white space and a stray BOM around a header name.
func trimCell(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' })
}

// checkHeader trims the header in place and rejects a header without names,
// with too many columns, or with duplicate names (compared ignoring case,
// because the importer maps columns by name). Blank names are allowed: they
// are unnamed columns, such as the one a trailing delimiter makes.
func checkHeader(header []string, opts Options) error {
	if len(header) > opts.MaxColumns {
		return errorf("too_many_columns", "The header has %d columns; at most %d are allowed.", len(header), opts.MaxColumns)
	}
	named := false
	seen := make(map[string]bool, len(header))
	var dups []string
	for i, h := range header {
		h = strings.ToValidUTF8(trimCell(h), "\uFFFD")
		header[i] = h
		if h == "" {
			continue
		}
		named = true
		k := strings.ToLower(h)
		if seen[k] {
			dups = append(dups, fmt.Sprintf("%q", h))
		}
		seen[k] = true
	}
	if !named {
		return errMissingHeaders
	}
	if len(dups) > 0 {
		return errorf("duplicate_headers", "The header row names a column more than once: %s.", strings.Join(dups, ", "))
	}
	return nil
}

var errMissingHeaders = fileErr("missing_headers", "The file has no header row.")

// emptyRow reports whether every value is blank.
func emptyRow(values []string) bool {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// trimTrailingEmpty drops empty fields past the header's width, so a row
// with stray trailing delimiters (common in spreadsheet exports) is not
// ragged.
func trimTrailingEmpty(values []string, width int) []string {
	for len(values) > width && values[len(values)-1] == "" {
		values = values[:len(values)-1]
	}
	return values
}

// checkRow returns the RowError for a row of a reader with a fixed header
// width: ragged_row before cell_too_long.
func checkRow(values []string, width int, opts Options) *RowError {
	if len(values) != width {
		return &intake.RowError{Code: "ragged_row", Message: fmt.Sprintf("row has %d fields, the header has %d", len(values), width)}
	}
	return checkCells(values, opts)
}

func checkCells(values []string, opts Options) *RowError {
	for i, v := range values {
		if len(v) > opts.MaxCellBytes {
			return &intake.RowError{Code: "cell_too_long", Message: fmt.Sprintf("field %d is %d bytes long; at most %d are allowed", i+1, len(v), opts.MaxCellBytes)}
		}
	}
	return nil
}

// rowBudget caps how many bytes one row (a CSV record, a JSON element) may
// pull from the input, so an unterminated quote or an endless element fails
// with errRowTooLong instead of being buffered whole. The reader sets start
// to the input offset where each row begins; Read methods count delivered.
type rowBudget struct {
	limit     int64 // bytes one row may span
	delivered int64 // bytes returned by Read so far
	start     int64 // input offset where the row being read starts
	err       error
}

// clip cuts p to what the current row may still read.
func (b *rowBudget) clip(p []byte) ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	allowed := b.start + b.limit - b.delivered
	if allowed <= 0 {
		b.err = errRowTooLong
		return nil, b.err
	}
	if int64(len(p)) > allowed {
		p = p[:allowed]
	}
	return p, nil
}

// Detected is what the reader chose to read, as the job shows it
// (DESIGN §4a `detected`); each has the option that overrides it.
type Detected struct {
	Format    Format `json:"format"`
	Sheet     string `json:"sheet,omitempty"`      // option sheet (name or 1-based number)
	Path      string `json:"path,omitempty"`       // option path (JSON, "data.people")
	HeaderRow int    `json:"header_row,omitempty"` // option header_row
	Delimiter string `json:"delimiter,omitempty"`  // option delimiter (CSV, TSV)
	Encoding  string `json:"encoding,omitempty"`   // option encoding (text formats)
	// FooterRows are rows dropped as a report's footer (after the read).
	FooterRows []int `json:"footer_rows,omitempty"`
}

// Detected returns what Info says in the job's terms.
func (i Info) Detected() Detected {
	d := Detected{Format: i.Format, Sheet: i.Sheet, Path: i.Path, HeaderRow: i.HeaderRow, Encoding: i.Encoding, FooterRows: i.FooterRows}
	if i.Delimiter != 0 {
		d.Delimiter = string(i.Delimiter)
	}
	return d
}

// DetectedOf returns what r detected; read it again after io.EOF for the
// footer rows.
func DetectedOf(r Reader) Detected {
	if d, ok := r.(interface{ Info() Info }); ok {
		return d.Info().Detected()
	}
	return Detected{}
}

// OpenTable is OpenContext that also returns what was detected: the
// format, the sheet or JSON path the table was found at, its header row,
// the delimiter and the encoding. Options override each.
func OpenTable(ctx context.Context, r io.Reader, opts Options) (Reader, Detected, error) {
	rd, err := OpenContext(ctx, r, opts)
	if err != nil {
		return nil, Detected{}, err
	}
	return rd, DetectedOf(rd), nil
}
