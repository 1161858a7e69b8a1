package source

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// buildWorkbook makes an XLSX file with a contacts sheet and a second sheet.
func buildWorkbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	const s = "Sheet1"
	set := func(cell string, v any) {
		t.Helper()
		if err := f.SetCellValue(s, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	style := func(cell string, st *excelize.Style) {
		t.Helper()
		id, err := f.NewStyle(st)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellStyle(s, cell, cell, id); err != nil {
			t.Fatal(err)
		}
	}
	for i, h := range []string{" Email ", "Joined", "Customer", "Phone", "Notes"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		set(cell, h)
	}
	// Row 2: a date, an 11-digit number in General format, a phone as text,
	// and nothing in the last column.
	set("A2", "a@x.nl")
	set("B2", time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC))
	dateFmt := "yyyy-mm-dd"
	style("B2", &excelize.Style{CustomNumFmt: &dateFmt})
	set("C2", 31612345678)
	if err := f.SetCellStr(s, "D2", "+31 6 1234 5678"); err != nil {
		t.Fatal(err)
	}
	// Row 3 is empty. Row 4: numbers excelize would show in scientific
	// notation (a scientific format; more than 15 digits).
	set("A4", "b@x.nl")
	set("C4", 44123456789)
	style("C4", &excelize.Style{NumFmt: 11}) // 0.00E+00
	set("D4", 1234567890123456789)
	set("E4", 1.5e-7)
	style("E4", &excelize.Style{NumFmt: 11})
	// Row 5: a cell to the right of the header.
	set("A5", "c@x.nl")
	set("G5", "stray")

	if _, err := f.NewSheet("Other"); err != nil {
		t.Fatal(err)
	}
	// The header of "Other" is in row 2.
	if err := f.SetSheetRow("Other", "A2", &[]any{"Name", "City"}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetRow("Other", "A3", &[]any{"Ann", "Delft"}); err != nil {
		t.Fatal(err)
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestXLSX(t *testing.T) {
	t.Parallel()
	book := buildWorkbook(t)
	tests := []struct {
		name   string
		opts   Options
		header []string
		rows   []want
		sheet  string
	}{
		{
			name:   "first sheet with values as the user sees them",
			header: []string{"Email", "Joined", "Customer", "Phone", "Notes"},
			rows: []want{
				{2, []string{"a@x.nl", "2024-03-15", "31612345678", "+31 6 1234 5678", ""}, ""},
				{4, []string{"b@x.nl", "", "44123456789", "1234567890123456789", "1.50E-07"}, ""},
				{5, []string{"c@x.nl", "", "", "", "", "", "stray"}, "ragged_row"},
			},
			sheet: "Sheet1",
		},
		{
			name:   "a sheet chosen by name, header below an empty row",
			opts:   Options{Sheet: "other"},
			header: []string{"Name", "City"},
			rows:   []want{{3, []string{"Ann", "Delft"}, ""}},
			sheet:  "Other",
		},
		{
			name:   "declared xlsx",
			opts:   Options{Format: FormatXLSX, Sheet: "Other"},
			header: []string{"Name", "City"},
			rows:   []want{{3, []string{"Ann", "Delft"}, ""}},
			sheet:  "Other",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := Open(bytes.NewReader(book), tt.opts)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer r.Close()
			if got := info(t, r); got.Format != FormatXLSX || got.Sheet != tt.sheet {
				t.Errorf("Info() = %+v, want xlsx, sheet %q", got, tt.sheet)
			}
			if got := r.Header(); strings.Join(got, "|") != strings.Join(tt.header, "|") {
				t.Errorf("Header() = %q, want %q", got, tt.header)
			}
			rows, err := readAll(t, r)
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			checkRows(t, rows, tt.rows)
		})
	}
}

func TestXLSXSheetNotFound(t *testing.T) {
	t.Parallel()
	_, err := Open(bytes.NewReader(buildWorkbook(t)), Options{Sheet: "Contacts"})
	if code := errorCode(t, err); code != "sheet_not_found" {
		t.Fatalf("code = %q, want sheet_not_found", code)
	}
	if !strings.Contains(err.Error(), `"Sheet1", "Other"`) {
		t.Errorf("message %q does not list the sheets", err)
	}
}

func TestXLSXEmptySheet(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(bytes.NewReader(b.Bytes()), Options{})
	if code := errorCode(t, err); code != "missing_headers" {
		t.Fatalf("code = %q, want missing_headers", code)
	}
}

// TestXLSXSkipsEmptySheets: an exported workbook whose first sheet is
// empty (a cover, a default "Sheet1") is read from its first sheet with a
// row, and the job records which; a sheet named in Options still wins.
func TestXLSXSkipsEmptySheets(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	f.NewSheet("Data")
	f.SetSheetRow("Data", "A1", &[]any{"Email", "Phone"})
	f.SetSheetRow("Data", "A3", &[]any{"ann@example.com", 612345678})
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(bytes.NewReader(b.Bytes()), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	if got := info(t, r).Sheet; got != "Data" || !reflect.DeepEqual(r.Header(), []string{"Email", "Phone"}) {
		t.Fatalf("sheet %q, header %q", got, r.Header())
	}
	rows, err := readAll(t, r)
	if err != nil || len(rows) != 1 || rows[0].Number != 3 || !reflect.DeepEqual(rows[0].Values, []string{"ann@example.com", "612345678"}) {
		t.Fatalf("rows %+v, %v", rows, err)
	}
	if _, err := Open(bytes.NewReader(b.Bytes()), Options{Sheet: "Sheet1"}); errorCode(t, err) != "missing_headers" {
		t.Fatalf("the named empty sheet: %v", err)
	}
}

// TestXLSXTitleAboveHeader: a report workbook with a merged title row and a
// blank row above the headers is read from the header row; header_row
// (a spreadsheet row number) overrides the search.
func TestXLSXTitleAboveHeader(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "Members report, March 2026")
	f.MergeCell("Sheet1", "A1", "C1")
	f.SetSheetRow("Sheet1", "A3", &[]any{"Name", "Email", "City"})
	f.SetSheetRow("Sheet1", "A4", &[]any{"Ann", "ann@example.com", "Oslo"})
	f.SetSheetRow("Sheet1", "A5", &[]any{"Bob", "bob@example.com", "Rome"})
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	known := func(h string) bool { return h == "Name" || h == "Email" || h == "City" }
	r, err := Open(bytes.NewReader(b.Bytes()), Options{IsHeader: known})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	if got := info(t, r).HeaderRow; got != 3 || !reflect.DeepEqual(r.Header(), []string{"Name", "Email", "City"}) {
		t.Fatalf("header row %d, header %q", got, r.Header())
	}
	rows, err := readAll(t, r)
	if err != nil || len(rows) != 2 || rows[0].Number != 4 || rows[1].Values[1] != "bob@example.com" {
		t.Fatalf("rows %+v, %v", rows, err)
	}
	r2, err := Open(bytes.NewReader(b.Bytes()), Options{HeaderRow: 4})
	if err != nil {
		t.Fatalf("header_row 4: %v", err)
	}
	defer r2.Close()
	if rows, _ := readAll(t, r2); !reflect.DeepEqual(r2.Header(), []string{"Ann", "ann@example.com", "Oslo"}) || len(rows) != 1 {
		t.Fatalf("header_row 4: header %q, %d rows", r2.Header(), len(rows))
	}
	if _, err := Open(bytes.NewReader(b.Bytes()), Options{HeaderRow: 2}); errorCode(t, err) != "missing_headers" {
		t.Fatalf("header_row on an empty row: %v", err)
	}
}

func TestISODate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ shown, raw, want string }{
		{"3/15/24", "45366", "2024-03-15"},
		{"15-03-2024", "45366", "2024-03-15"},
		{"15 Mar 2024", "45366", "2024-03-15"},
		{"March 15, 2024", "45366", "2024-03-15"},
		{"3/15/24 13:30", "45366.5625", "2024-03-15T13:30:00"},
		{"2024-03-15", "2024-03-15", ""}, // text, not a serial
		{"$1,000.00", "1000", ""},
		{"12:30", "0.520833333", ""},
		{"0221-100056", "221100056", ""},
	} {
		got, ok := isoDate(tt.shown, tt.raw)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("isoDate(%q, %q) = %q, %v; want %q", tt.shown, tt.raw, got, ok, tt.want)
		}
	}
}

func TestPlainNumber(t *testing.T) {
	t.Parallel()
	tests := []struct{ formatted, raw, want string }{
		{"4.41E+10", "44123456789", "44123456789"},
		{"1.23456789012346E+18", "1234567890123456789", "1234567890123456789"},
		{"4.4123456789E+10", "4.4123456789E+10", "44123456789"},
		{"-3.2E+10", "-32000000000", "-32000000000"},
		{"1.50E-07", "1.5E-07", "1.50E-07"},
		{"2024-03-15", "45366", "2024-03-15"},
		{"1E+3 is text", "1E+3 is text", "1E+3 is text"},
	}
	for _, tt := range tests {
		if got := plainNumber(tt.formatted, tt.raw); got != tt.want {
			t.Errorf("plainNumber(%q, %q) = %q, want %q", tt.formatted, tt.raw, got, tt.want)
		}
	}
}
