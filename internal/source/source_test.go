package source

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
)

// want is an expected row: its number, values and RowError code ("" = none).
type want struct {
	n      int
	values []string
	code   string
}

// readAll reads every row; it stops at the first error, which it returns
// (nil at io.EOF).
func readAll(t *testing.T, r Reader) ([]Row, error) {
	t.Helper()
	var rows []Row
	for {
		row, err := r.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
		if len(rows) > 1e6 {
			t.Fatal("too many rows")
		}
	}
}

func checkRows(t *testing.T, got []Row, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("got %d rows %+v, want %d", len(got), got, len(wants))
	}
	for i, w := range wants {
		g := got[i]
		if g.Number != w.n {
			t.Errorf("row %d: Number = %d, want %d", i, g.Number, w.n)
		}
		if w.values != nil && !reflect.DeepEqual(g.Values, w.values) {
			t.Errorf("row %d: Values = %q, want %q", i, g.Values, w.values)
		}
		code := ""
		if g.Err != nil {
			var re *RowError
			if !errors.As(g.Err, &re) {
				t.Fatalf("row %d: Err = %T %v, want *RowError", i, g.Err, g.Err)
			}
			code = re.Code
		}
		if code != w.code {
			t.Errorf("row %d: error code %q (%v), want %q", i, code, g.Err, w.code)
		}
	}
}

// errorCode returns the code of a *Error, or fails the test.
func errorCode(t *testing.T, err error) string {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %T %v, want *Error", err, err)
	}
	if e.Message == "" {
		t.Errorf("error %q has no message", FileCode(err))
	}
	return FileCode(err)
}

func utf16Bytes(s string, order binary.AppendByteOrder, bom bool) []byte {
	var b []byte
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	for _, u := range units {
		b = order.AppendUint16(b, u)
	}
	return b
}

func info(t *testing.T, r Reader) Info {
	t.Helper()
	d, ok := r.(interface{ Info() Info })
	if !ok {
		t.Fatalf("%T has no Info method", r)
	}
	return d.Info()
}

func TestOpenText(t *testing.T) {
	t.Parallel()
	// More than the 64 KiB head of valid UTF-8, so the stray byte after it
	// is found while reading, not while detecting.
	longValid := "a,b\n" + strings.Repeat("xxxxxxxxxxxxxxx,y\n", 4000)
	tests := []struct {
		name       string
		in         []byte
		opts       Options
		header     []string
		rows       []want
		format     Format
		delimiter  rune
		encoding   string
		checkCount int // for big inputs: only check the last rows
	}{
		{
			name:   "strips UTF-8 BOM",
			in:     []byte("\xEF\xBB\xBFemail,name\na@x.nl,Ann\n"),
			header: []string{"email", "name"},
			rows:   []want{{2, []string{"a@x.nl", "Ann"}, ""}},
			format: FormatCSV, delimiter: ',', encoding: "utf-8",
		},
		{
			name:   "decodes UTF-16LE with BOM",
			in:     utf16Bytes("email,first name\r\nl@x.pl,Łukasz\r\n", binary.LittleEndian, true),
			header: []string{"email", "first name"},
			rows:   []want{{2, []string{"l@x.pl", "Łukasz"}, ""}},
			format: FormatCSV, delimiter: ',', encoding: "utf-16le",
		},
		{
			name:   "decodes UTF-16BE with BOM",
			in:     utf16Bytes("email;name\nl@x.pl;Łukasz\n", binary.BigEndian, true),
			header: []string{"email", "name"},
			rows:   []want{{2, []string{"l@x.pl", "Łukasz"}, ""}},
			format: FormatCSV, delimiter: ';', encoding: "utf-16be",
		},
		{
			name:   "decodes UTF-16LE without BOM",
			in:     utf16Bytes("email,name\nl@x.pl,Łukasz\n", binary.LittleEndian, false),
			header: []string{"email", "name"},
			rows:   []want{{2, []string{"l@x.pl", "Łukasz"}, ""}},
			format: FormatCSV, delimiter: ',', encoding: "utf-16le",
		},
		{
			name:   "detects windows-1252 from bytes that are not UTF-8",
			in:     []byte("city;country\nZ\xfcrich;CH\nBesan\xe7on;FR\n"),
			header: []string{"city", "country"},
			rows:   []want{{2, []string{"Zürich", "CH"}, ""}, {3, []string{"Besançon", "FR"}, ""}},
			format: FormatCSV, delimiter: ';', encoding: "windows-1252",
		},
		{
			name:   "declared latin1 decodes as windows-1252",
			in:     []byte("city\nZ\xfcrich\n\x80 sign\n"),
			opts:   Options{Encoding: "latin1"},
			header: []string{"city"},
			rows:   []want{{2, []string{"Zürich"}, ""}, {3, []string{"€ sign"}, ""}},
			format: FormatCSV, delimiter: ',', encoding: "windows-1252",
		},
		{
			name:   "invalid UTF-8 after the head is replaced and reported on its row",
			in:     []byte(longValid + "Z\xfcrich,y\nok,y\n"),
			header: []string{"a", "b"},
			rows: []want{
				{4002, []string{"Z\uFFFDrich", "y"}, "invalid_encoding"},
				{4003, []string{"ok", "y"}, ""},
			},
			checkCount: 2,
			format:     FormatCSV, delimiter: ',', encoding: "utf-8",
		},
		{
			name:   "sniffs semicolon although values contain commas",
			in:     []byte("name;address\nJan;Straat 1, Amsterdam\nPiet;Weg 2, Utrecht\n"),
			header: []string{"name", "address"},
			rows:   []want{{2, []string{"Jan", "Straat 1, Amsterdam"}, ""}, {3, []string{"Piet", "Weg 2, Utrecht"}, ""}},
			format: FormatCSV, delimiter: ';', encoding: "utf-8",
		},
		{
			name:   "sniffs tab as TSV",
			in:     []byte("email\tname\na@x.nl\tAnn, B\n"),
			header: []string{"email", "name"},
			rows:   []want{{2, []string{"a@x.nl", "Ann, B"}, ""}},
			format: FormatTSV, delimiter: '\t', encoding: "utf-8",
		},
		{
			name:   "reads a .tsv name as TSV",
			in:     []byte("email\tname\n"),
			opts:   Options{Name: "contacts.TSV"},
			header: []string{"email", "name"},
			format: FormatTSV, delimiter: '\t', encoding: "utf-8",
		},
		{
			name:   "sniffs pipe",
			in:     []byte("email|name|city\na@x.nl|Ann|Delft\nb@x.nl|Bob|Gouda\n"),
			header: []string{"email", "name", "city"},
			rows:   []want{{2, []string{"a@x.nl", "Ann", "Delft"}, ""}, {3, []string{"b@x.nl", "Bob", "Gouda"}, ""}},
			format: FormatCSV, delimiter: '|', encoding: "utf-8",
		},
		{
			name:   "uses the declared delimiter",
			in:     []byte("a;b,c\n1;2,3\n"),
			opts:   Options{Delimiter: ','},
			header: []string{"a;b", "c"},
			rows:   []want{{2, []string{"1;2", "3"}, ""}},
			format: FormatCSV, delimiter: ',', encoding: "utf-8",
		},
		{
			name:   "quoted fields keep delimiters and newlines, row numbers count records",
			in:     []byte("name,notes\n\"Doe, J\",\"line 1\nline 2\r\nline 3\"\nx,\"say \"\"hi\"\"\"\n"),
			header: []string{"name", "notes"},
			rows:   []want{{2, []string{"Doe, J", "line 1\nline 2\nline 3"}, ""}, {3, []string{"x", `say "hi"`}, ""}},
			format: FormatCSV, delimiter: ',', encoding: "utf-8",
		},
		{
			name:   "CRLF line endings",
			in:     []byte("a,b\r\n1,2\r\n3,4\r\n"),
			header: []string{"a", "b"},
			rows:   []want{{2, []string{"1", "2"}, ""}, {3, []string{"3", "4"}, ""}},
			format: FormatCSV, delimiter: ',', encoding: "utf-8",
		},
		{
			name:   "LF line endings",
			in:     []byte("a,b\n1,2\n3,4\n"),
			header: []string{"a", "b"},
			rows:   []want{{2, []string{"1", "2"}, ""}, {3, []string{"3", "4"}, ""}},
			format: FormatCSV, delimiter: ',', encoding: "utf-8",
		},
		{
			name:   "CR-only line endings",
			in:     []byte("a,b\r1,2\r3,4\r"),
			header: []string{"a", "b"},
			rows:   []want{{2, []string{"1", "2"}, ""}, {3, []string{"3", "4"}, ""}},
			format: FormatCSV, delimiter: ',', encoding: "utf-8",
		},
		{
			name:   "no trailing newline yields the last row",
			in:     []byte("a,b\n1,2\n3,4"),
			header: []string{"a", "b"},
			rows:   []want{{2, []string{"1", "2"}, ""}, {3, []string{"3", "4"}, ""}},
			format: FormatCSV, delimiter: ',', encoding: "utf-8",
		},
		{
			name:   "ragged rows are row errors and reading goes on",
			in:     []byte("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n"),
			header: []string{"a", "b", "c"},
			rows: []want{
				{2, []string{"1", "2", "3"}, ""},
				{3, []string{"4", "5"}, "ragged_row"},
				{4, []string{"6", "7", "8", "9"}, "ragged_row"},
				{5, []string{"10", "11", "12"}, ""},
			},
			format: FormatCSV, delimiter: ',', encoding: "utf-8",
		},
		{
			name:   "extra empty fields at the end are not ragged",
			in:     []byte("a,b\n1,2,,\n"),
			header: []string{"a", "b"},
			rows:   []want{{2, []string{"1", "2"}, ""}},
			format: FormatCSV, delimiter: ',', encoding: "utf-8",
		},
		{
			name:   "empty rows and blank lines are skipped but empty rows count",
			in:     []byte("a,b\n\n , \n1,2\n\n3,4\n"),
			header: []string{"a", "b"},
			rows:   []want{{3, []string{"1", "2"}, ""}, {4, []string{"3", "4"}, ""}},
			format: FormatCSV, delimiter: ',', encoding: "utf-8",
		},
		{
			// Regression: the row reached errors.csv with empty cells.
			name:   "bad quotes make a malformed row with its raw line, and reading goes on",
			in:     []byte("a,b\n1,x\"y\r\n\"3\"x,4\n5,6\n"),
			header: []string{"a", "b"},
			rows:   []want{{2, []string{"1,x\"y"}, "malformed_row"}, {3, []string{"\"3\"x,4"}, "malformed_row"}, {4, []string{"5", "6"}, ""}},
			format: FormatCSV, delimiter: ',', encoding: "utf-8",
		},
		{
			name:   "a long malformed line is cut for the report",
			in:     []byte("a,b\n1,\"x\"" + strings.Repeat("é", 2000) + "\n5,6\n"),
			header: []string{"a", "b"},
			rows:   []want{{2, []string{"1,\"x\"" + strings.Repeat("é", 509) + "…"}, "malformed_row"}, {3, []string{"5", "6"}, ""}},
			format: FormatCSV, delimiter: ',', encoding: "utf-8",
		},
		{
			name:   "header names are trimmed",
			in:     []byte(" email , name\t\n"),
			opts:   Options{Delimiter: ','},
			header: []string{"email", "name"},
			format: FormatCSV, delimiter: ',', encoding: "utf-8",
		},
		{
			name:   "header only",
			in:     []byte("email,name\n"),
			header: []string{"email", "name"},
			format: FormatCSV, delimiter: ',', encoding: "utf-8",
		},
		{
			name:   "a cell over MaxCellBytes is a row error",
			in:     []byte("a,b\n123456,1\n12345,2\n"),
			opts:   Options{MaxCellBytes: 5},
			header: []string{"a", "b"},
			rows:   []want{{2, []string{"123456", "1"}, "cell_too_long"}, {3, []string{"12345", "2"}, ""}},
			format: FormatCSV, delimiter: ',', encoding: "utf-8",
		},
		{
			name:   "a single column file",
			in:     []byte("email\na@x.nl\n"),
			header: []string{"email"},
			rows:   []want{{2, []string{"a@x.nl"}, ""}},
			format: FormatCSV, delimiter: ',', encoding: "utf-8",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := Open(bytes.NewReader(tt.in), tt.opts)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer r.Close()
			if got := r.Header(); !reflect.DeepEqual(got, tt.header) {
				t.Errorf("Header() = %q, want %q", got, tt.header)
			}
			got := info(t, r)
			if got.Format != tt.format || got.Delimiter != tt.delimiter || got.Encoding != tt.encoding {
				t.Errorf("Info() = %+v, want format %s, delimiter %q, encoding %s", got, tt.format, tt.delimiter, tt.encoding)
			}
			rows, err := readAll(t, r)
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if tt.checkCount > 0 && len(rows) > tt.checkCount {
				rows = rows[len(rows)-tt.checkCount:]
			}
			checkRows(t, rows, tt.rows)
			if _, err := r.Next(); err != io.EOF {
				t.Errorf("Next after the end = %v, want io.EOF", err)
			}
		})
	}
}

func TestOpenFails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		opts Options
		code string
	}{
		{"empty file", "", Options{}, "empty_file"},
		{"only white space", " \n\r\n", Options{}, "empty_file"},
		{"only a BOM", "\xEF\xBB\xBF", Options{}, "empty_file"},
		{"header without names", ",,\n1,2,3\n", Options{}, "missing_headers"},
		{"duplicate headers", "email,name,Email\n", Options{}, "duplicate_headers"},
		{"too many columns", "a,b,c,d\n", Options{MaxColumns: 3}, "too_many_columns"},
		{"malformed header", "a,b\"c\n", Options{}, "malformed_csv"},
		{"unknown encoding", "a\n", Options{Encoding: "klingon"}, "unsupported_encoding"},
		{"unknown format", "a\n", Options{Format: "xml"}, "unsupported_format"},
		{"quote as delimiter", "a\n", Options{Delimiter: '"'}, "invalid_delimiter"},
		{"a PDF", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", Options{Name: "x.csv"}, "unsupported_format"},
		{"a header longer than MaxRowBytes", strings.Repeat("a,", 100) + "\n", Options{MaxRowBytes: 50}, "row_too_long"},
		{"a JSON object cut off", `{"a":`, Options{}, "malformed_json"},
		{"a long JSON object without an array of objects", `{"a":"` + strings.Repeat("x", 70<<10) + `"}`, Options{}, "unsupported_format"},
		{"a JSON array of numbers", `[1,2]`, Options{}, "unsupported_format"},
		{"an empty JSON array", `[]`, Options{}, "missing_headers"},
		{"malformed JSON", `[{"a":}]`, Options{}, "malformed_json"},
		{"JSON cut off in the first object", `[{"a":1`, Options{}, "malformed_json"},
		{"declared XLSX but text", "a,b\n", Options{Format: FormatXLSX}, "unsupported_format"},
		{"not a workbook after all", "PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x13\x00\x00\x00[Content_Types].xml", Options{}, "malformed_xlsx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := Open(strings.NewReader(tt.in), tt.opts)
			if err == nil {
				r.Close()
				t.Fatalf("Open succeeded, want %s", tt.code)
			}
			if code := errorCode(t, err); code != tt.code {
				t.Errorf("code = %q (%v), want %q", code, err, tt.code)
			}
		})
	}
}

func TestDuplicateHeadersNamesThem(t *testing.T) {
	t.Parallel()
	_, err := Open(strings.NewReader("email,name,Email,name\n"), Options{})
	if err == nil || !strings.Contains(err.Error(), `"Email"`) || !strings.Contains(err.Error(), `"name"`) {
		t.Fatalf("err = %v, want it to name Email and name", err)
	}
}

func TestRaggedRowMessage(t *testing.T) {
	t.Parallel()
	header := "h1,h2,h3,h4,h5,h6,h7,h8,h9,h10\n"
	r, err := Open(strings.NewReader(header+"1,2,3,4,5,6,7\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	row, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if row.Err == nil || row.Err.Error() != "row has 7 fields, the header has 10" {
		t.Fatalf("row.Err = %v", row.Err)
	}
}

// endless is a CSV file that never ends: a header, a row that opens a quote,
// then 'x' for ever. It counts what is read from it.
type endless struct {
	prefix string
	read   int
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if e.read < len(e.prefix) {
			p[n] = e.prefix[e.read]
		} else {
			p[n] = 'x'
		}
		n++
		e.read++
	}
	return n, nil
}

func TestRowTooLongStopsReading(t *testing.T) {
	t.Parallel()
	const limit = 256 << 10
	for _, tt := range []struct {
		name   string
		prefix string
		want   int // the row in the error message
	}{
		{"unterminated quote", "email,name\na@x.nl,Ann\nb@x.nl,\"Bob", 3},
		{"a line without end", "email,name\n", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := &endless{prefix: tt.prefix}
			r, err := Open(in, Options{MaxRowBytes: limit})
			if err != nil {
				t.Fatal(err)
			}
			rows, err := readAll(t, r)
			if code := errorCode(t, err); code != "row_too_long" {
				t.Fatalf("code = %q, want row_too_long", code)
			}
			if len(rows) != tt.want-2 {
				t.Errorf("read %d rows before the error, want %d", len(rows), tt.want-2)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("Row %d ", tt.want)) {
				t.Errorf("message %q does not name row %d", err, tt.want)
			}
			// The head, the limit and a few buffers; nothing like the file.
			if max := headSize + limit + 64<<10; in.read > max {
				t.Errorf("read %d bytes, want at most %d", in.read, max)
			}
			if _, again := r.Next(); again != err {
				t.Errorf("Next after the error = %v, want the same error", again)
			}
		})
	}
}

func TestRowJustUnderTheLimit(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("y", 1000)
	in := "a,b\n1,\"" + long + "\"\n2,3\n"
	r, err := Open(strings.NewReader(in), Options{MaxRowBytes: 1010, MaxCellBytes: 2000})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, rows, []want{{2, []string{"1", long}, ""}, {3, []string{"2", "3"}, ""}})

	r, err = Open(strings.NewReader(in), Options{MaxRowBytes: 990, MaxCellBytes: 2000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err = readAll(t, r); errorCode(t, err) != "row_too_long" {
		t.Fatalf("err = %v, want row_too_long", err)
	}
}

func TestValuesOwnedByRow(t *testing.T) {
	t.Parallel()
	r, err := Open(strings.NewReader("a,b\n1,2\n3,4\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := r.Next()
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first.Values, []string{"1", "2"}) {
		t.Fatalf("first row changed to %q by the next Next", first.Values)
	}
}

func TestSniffDelimiter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want rune
	}{
		{"comma", "a,b,c\n1,2,3\n", ','},
		{"semicolon with commas in values", "a;b\n1,5;2\n3;4,5\n", ';'},
		{"tab", "a\tb\n1\t2\n", '\t'},
		{"pipe", "a|b\n1|2\n", '|'},
		{"delimiters inside quotes do not count", "\"a;b;c\",d\n\"1;2;3\",4\n", ','},
		{"no delimiter", "email\na@x.nl\n", ','},
		{"the header decides", "a;b\n1,2,3;4\n", ';'},
	}
	for _, tt := range tests {
		if got := sniffDelimiter([]byte(tt.text), false, false); got != tt.want {
			t.Errorf("%s: sniffDelimiter = %q, want %q", tt.name, got, tt.want)
		}
	}
}
