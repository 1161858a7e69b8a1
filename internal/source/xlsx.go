package source

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxReader streams the rows of one worksheet.
//
// It runs two excelize row iterators over the same sheet in lockstep: one
// gives the values as the user sees them (number formats applied, so dates
// look like dates), the other the raw values. excelize cannot give both for
// one row, and the raw value is needed where the formatted one is a long
// integer in scientific notation (4.4123456789E+10 for a phone number): see
// plainNumber. Each iterator holds one row at a time.
type xlsxReader struct {
	ctx       context.Context
	f         *excelize.File
	formatted *excelize.Rows
	raw       *excelize.Rows
	header    []string
	pending   []xlsxRow // rows read while looking for the header
	opts      Options
	info      Info
	number    int // spreadsheet row number of the last row read
	err       error
}

// openXLSX opens the workbook and reads the header: the first row that is
// not empty.
//
// The workbook is checked and cut down to the parts that are read before
// excelize opens it (xlsxGuard), so no upload can make excelize hold a
// large part in memory, unzip without bound, or parse a row, a cell or a
// shared string larger than the limits. Worksheets larger than 4 MB are
// unzipped to a temporary file and streamed from there.
func openXLSX(ctx context.Context, r io.Reader, opts Options) (_ Reader, err error) {
	defer recoverExcelize(&err)
	f, err := xlsxGuard{ctx: ctx, opts: opts}.openWorkbook(r)
	if err != nil {
		return nil, err
	}
	x := &xlsxReader{ctx: ctx, f: f, opts: opts}
	if err := x.open(); err != nil {
		_ = x.Close()
		return nil, err
	}
	return x, nil
}

// open reads the header of the sheet Options.Sheet names (by name,
// ignoring case, or by its 1-based number), or of the sheet that reads
// best as a table of people (chooseSheet): exported workbooks often start
// with an empty, a cover or a summary sheet.
func (x *xlsxReader) open() error {
	sheets := x.f.GetSheetList()
	if len(sheets) == 0 {
		return fileErr("malformed_xlsx", "The XLSX workbook has no sheets.")
	}
	if want := strings.TrimSpace(x.opts.Sheet); want != "" {
		sheet, ok := findSheet(sheets, want)
		if !ok {
			return errorf("sheet_not_found", "The workbook has no sheet named %q; its sheets are %s (a sheet may also be given by its number, 1 to %d).", x.opts.Sheet, quoteList(sheets), len(sheets))
		}
		return x.openSheet(sheet)
	}
	order, err := x.chooseSheet(sheets)
	if err != nil {
		return err
	}
	for _, sheet := range order {
		err := x.openSheet(sheet)
		if err != errMissingHeaders {
			return err
		}
		x.closeRows()
	}
	return errMissingHeaders
}

// findSheet finds a sheet by name (ignoring case), else by 1-based number.
func findSheet(sheets []string, want string) (string, bool) {
	for _, s := range sheets {
		if strings.EqualFold(s, want) {
			return s, true
		}
	}
	if n, err := strconv.Atoi(want); err == nil && n >= 1 && n <= len(sheets) {
		return sheets[n-1], true
	}
	return "", false
}

// maxScoredSheets bounds how many sheets chooseSheet reads the head of.
const maxScoredSheets = 64

// chooseSheet orders the sheets best first by tableScore of their first
// rows; sheets past maxScoredSheets follow in workbook order. Only the
// head of each sheet is read.
func (x *xlsxReader) chooseSheet(sheets []string) ([]string, error) {
	scores := make(map[string]float64, len(sheets))
	for i, sheet := range sheets {
		if i >= maxScoredSheets || len(sheets) == 1 {
			break
		}
		rows, err := x.sheetHead(sheet)
		if err != nil {
			return nil, err
		}
		scores[sheet] = tableScore(rows, x.opts.IsHeader)
	}
	order := slices.Clone(sheets)
	slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(scores[b], scores[a]) })
	return order, nil
}

// sheetHead returns the first non-empty rows of a sheet, as many as the
// header search and its look below need.
func (x *xlsxReader) sheetHead(sheet string) (_ [][]string, err error) {
	defer recoverExcelize(&err)
	it, err := x.f.Rows(sheet)
	if err != nil {
		return nil, x.malformed(err)
	}
	defer it.Close()
	var rows [][]string
	for n := 0; len(rows) < headerScan+headerLookBelow && it.Next(); n++ {
		if n%256 == 255 {
			if err := x.ctx.Err(); err != nil {
				return nil, err
			}
		}
		cells, err := it.Columns()
		if err != nil {
			return nil, x.malformed(err)
		}
		if !emptyRow(cells) {
			rows = append(rows, cells)
		}
		if n > xlsxMaxRows {
			break
		}
	}
	return rows, it.Error()
}

// openSheet starts reading sheet and reads its header: the first row that
// is not empty. errMissingHeaders means the sheet has none.
func (x *xlsxReader) openSheet(sheet string) error {
	x.info, x.number = Info{Format: FormatXLSX, Sheet: sheet}, 0
	var err error
	if x.formatted, err = x.f.Rows(sheet); err != nil {
		return x.malformed(err)
	}
	if x.raw, err = x.f.Rows(sheet); err != nil {
		return x.malformed(err)
	}
	return x.findHeader()
}

// xlsxRow is a row read ahead while looking for the header.
type xlsxRow struct {
	number int
	cells  []string
}

// findHeader reads the header: the row Options.HeaderRow numbers (as the
// spreadsheet does), or the one pickHeader finds among the first non-empty
// rows (a merged title and a blank row above the headers are skipped). Rows
// read past the header wait in pending for Next.
func (x *xlsxReader) findHeader() error {
	want := x.opts.HeaderRow
	var rows []xlsxRow
	for len(rows) < headerScan {
		cells, err := x.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		cells = trimTrailingEmpty(cells, 0)
		switch {
		case want > 0 && x.number < want:
			continue
		case want > 0 && (x.number > want || emptyRow(cells)):
			return errorf("missing_headers", "header_row is %d, but that row of sheet %q is empty.", want, x.info.Sheet)
		case want > 0:
			x.header, x.info.HeaderRow = cells, want
			return checkHeader(x.header, x.opts)
		case emptyRow(cells):
			continue
		}
		rows = append(rows, xlsxRow{x.number, cells})
	}
	if want > 0 {
		return errorf("missing_headers", "header_row is %d, but sheet %q ends before it.", want, x.info.Sheet)
	}
	if len(rows) == 0 {
		return errMissingHeaders
	}
	cells := make([][]string, len(rows))
	for i, r := range rows {
		cells[i] = r.cells
	}
	h := pickHeader(cells, x.opts.IsHeader)
	x.header, x.info.HeaderRow, x.pending = rows[h].cells, rows[h].number, rows[h+1:]
	return checkHeader(x.header, x.opts)
}

// next returns the cells of the next spreadsheet row; empty rows included.
func (x *xlsxReader) next() (_ []string, err error) {
	defer recoverExcelize(&err)
	if !x.formatted.Next() {
		if err := x.formatted.Error(); err != nil {
			return nil, x.malformed(err)
		}
		return nil, io.EOF
	}
	x.raw.Next()
	x.number++
	// Rows without numbers count up past Excel's last row unchecked.
	if x.number > xlsxMaxRows {
		return nil, errorf("xlsx_too_large", "The XLSX workbook has more than %d rows.", xlsxMaxRows)
	}
	if x.number%256 == 0 {
		if err := x.ctx.Err(); err != nil {
			return nil, fmt.Errorf("read row %d: %w", x.number, err)
		}
	}
	cells, err := x.formatted.Columns()
	if err != nil {
		return nil, x.malformed(err)
	}
	raws, err := x.raw.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, x.malformed(err)
	}
	for i := range cells {
		if i >= len(raws) {
			continue
		}
		if iso, ok := isoDate(cells[i], raws[i]); ok {
			cells[i] = iso
			continue
		}
		cells[i] = plainNumber(cells[i], raws[i])
	}
	return cells, nil
}

// malformed is the error of a workbook excelize could not read. A row
// numbered past Excel's last one is reported as such: excelize fails while
// seeking it, when x.number is still the row before, which may be a legal
// row (1048576 itself).
func (x *xlsxReader) malformed(err error) *Error {
	if errors.Is(err, excelize.ErrMaxRows) {
		return errorf("xlsx_too_large", "The XLSX workbook has a row numbered past %d, Excel's last row.", xlsxMaxRows)
	}
	return errorf("malformed_xlsx", "The XLSX workbook cannot be read at row %d (%v).", x.number, err)
}

func (x *xlsxReader) Header() []string { return x.header }

func (x *xlsxReader) Info() Info { return x.info }

// Next returns the next row that is not empty. Short rows are padded to the
// header's width: a spreadsheet leaves out empty cells at the end of a row.
func (x *xlsxReader) Next() (Row, error) {
	for len(x.pending) > 0 && x.err == nil {
		r := x.pending[0]
		x.pending = x.pending[1:]
		if row, ok := x.row(r.number, r.cells); ok {
			return row, nil
		}
	}
	for x.err == nil {
		cells, err := x.next()
		if err != nil {
			x.err = err
			break
		}
		if row, ok := x.row(x.number, cells); ok {
			return row, nil
		}
	}
	return Row{}, x.err
}

// row makes a Row of spreadsheet row number; ok is false for an empty row.
func (x *xlsxReader) row(number int, cells []string) (Row, bool) {
	cells = trimTrailingEmpty(cells, len(x.header))
	if emptyRow(cells) {
		return Row{}, false
	}
	for len(cells) < len(x.header) {
		cells = append(cells, "")
	}
	return Row{Number: number, Values: cells, Err: checkRow(cells, len(x.header), x.opts)}, true
}

func (x *xlsxReader) Close() error {
	if x.err == errClosed {
		return nil
	}
	x.err = errClosed
	return errors.Join(x.closeRows(), x.f.Close())
}

// closeRows closes the row iterators of the sheet being read.
func (x *xlsxReader) closeRows() error {
	var errs []error
	for _, rows := range []*excelize.Rows{x.formatted, x.raw} {
		if rows != nil {
			errs = append(errs, rows.Close())
		}
	}
	x.formatted, x.raw = nil, nil
	return errors.Join(errs...)
}

var sciNotation = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+$`)

// plainNumber returns the raw value of a cell instead of its formatted one
// when the formatted value shows an integer in scientific notation. Contact
// data has long integers (phone numbers such as 31612345678, customer
// numbers) and "4.4123456789E+10" is never what the user means. This
// applies to any numeric format, not only General: excelize's streaming
// iterator does not expose the cell's style, and an integer is better
// imported whole even from a cell formatted as scientific.
func plainNumber(formatted, raw string) string {
	if !sciNotation.MatchString(formatted) {
		return formatted
	}
	digits := strings.TrimPrefix(raw, "-")
	if digits != "" && strings.Trim(digits, "0123456789") == "" {
		return raw
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || v != math.Trunc(v) || math.Abs(v) >= 1e21 {
		return formatted
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// dateShown matches what Excel shows for a date-formatted cell: 3/15/24,
// 15-03-2024, 2024.03.15, 15 Mar 2024, March 15, 2024.
var dateShown = regexp.MustCompile(`^(\d{1,4}[-/. ]\d{1,2}[-/. ]\d{1,4}|\d{1,2}[- ][A-Za-z]{3,9}[- ,]+\d{2,4}|[A-Za-z]{3,9}[- ]\d{1,2},? \d{2,4})`)

// isoDate returns the ISO 8601 form of a date-formatted cell (its raw value
// is Excel's serial day number) and true; other cells give false. Shown
// dates are ambiguous (3/4/24), the serial number is not.
func isoDate(formatted, raw string) (string, bool) {
	if formatted == raw || !dateShown.MatchString(strings.TrimSpace(formatted)) {
		return "", false
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || v < 1 || v > 2958465 { // 1900-01-01 … 9999-12-31
		return "", false
	}
	t, err := excelize.ExcelDateToTime(v, false)
	if err != nil {
		return "", false
	}
	if v == math.Trunc(v) {
		return t.Format("2006-01-02"), true
	}
	return t.Format("2006-01-02T15:04:05"), true
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}

// recoverExcelize turns a panic inside excelize into a "malformed_xlsx"
// error. The workbook is untrusted input parsed by a library we do not
// control, and one bad upload must not take the process down.
func recoverExcelize(err *error) {
	if p := recover(); p != nil {
		*err = errorf("malformed_xlsx", "The XLSX workbook cannot be read (%v).", p)
	}
}
