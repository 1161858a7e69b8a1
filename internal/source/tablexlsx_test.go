package source

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/xuri/excelize/v2"
)

// summaryWorkbook is a report workbook: a summary sheet first (a title and
// label-number pairs), the people on the second sheet below a title and a
// blank row, starting in column B, with a total row at the end.
func summaryWorkbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	rows := func(sheet string, start string, rows ...[]any) {
		t.Helper()
		col, row, err := excelize.CellNameToCoordinates(start)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(col, row+i)
			if err := f.SetSheetRow(sheet, cell, &r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SetSheetName("Sheet1", "Summary"); err != nil {
		t.Fatal(err)
	}
	rows("Summary", "A1", []any{"Membership report"}, []any{}, []any{"Members", 12}, []any{"New this year", 3},
		[]any{"Countries", 4}, []any{"Generated", "2025-03-04"})
	if _, err := f.NewSheet("Members"); err != nil {
		t.Fatal(err)
	}
	people := [][]any{{"Membership list 2025"}, {}, {"Surname", "Given name", "E-mail", "Mobile", "Country"}}
	for i := range 12 {
		people = append(people, []any{fmt.Sprintf("Person%d", i), "Alex", fmt.Sprintf("p%d@example.org", i), fmt.Sprintf("+44 7700 9000%02d", i), "UK"})
	}
	people = append(people, []any{}, []any{"Total", 12})
	rows("Members", "B1", people...)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestXLSXTableDiscovery: the people sheet is found behind a summary sheet,
// and the sheet option overrides by name or number.
func TestXLSXTableDiscovery(t *testing.T) {
	t.Parallel()
	wb := summaryWorkbook(t)
	for _, tc := range []struct {
		name      string
		opts      Options
		sheet     string
		headerRow int
		rows      int
	}{
		{"found", Options{}, "Members", 3, 12},
		{"by number", Options{Sheet: "1"}, "Summary", 3, 3},
		{"by name", Options{Sheet: "members"}, "Members", 3, 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, d, err := OpenTable(t.Context(), bytes.NewReader(wb), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if d.Format != FormatXLSX || d.Sheet != tc.sheet || d.HeaderRow != tc.headerRow {
				t.Errorf("detected %+v, want sheet %s header %d", d, tc.sheet, tc.headerRow)
			}
			n := 0
			for {
				row, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if row.Err != nil {
					t.Errorf("row %d: %v", row.Number, row.Err)
				}
				n++
			}
			if n != tc.rows {
				t.Errorf("%d rows, want %d", n, tc.rows)
			}
			if tc.sheet == "Members" && (r.Header()[1] != "Surname" || r.Header()[0] != "") {
				t.Errorf("header %q", r.Header())
			}
		})
	}
}
