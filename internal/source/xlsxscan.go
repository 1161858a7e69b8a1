package source

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
)

// Limits of the XLSX guard (see xlsxGuard). Excel itself stays far below
// each: a worksheet has at most 1,048,576 rows and 16,384 columns, a cell
// at most 32,767 characters, a number format at most 255.
const (
	xlsxMaxRows          = 1 << 20 // Excel's last row
	xlsxMaxCellsPerRow   = 1 << 14 // Excel's last column, XFD
	xlsxMaxTag           = 8 << 10 // one start or end tag with its attributes
	xlsxMaxOuterElements = 1 << 20 // elements of a worksheet outside its rows
	xlsxMaxPartElements  = 1 << 18 // elements of a small part (styles, workbook)
	// xlsxFreeElements is how many elements a worksheet's rows may hold
	// beyond three per byte of value: empty cells and unknown elements cost
	// excelize's two row iterators some 4 µs each and carry nothing, so a
	// sheet of millions of them is refused instead of read for minutes.
	// Real data has at most three elements (c, is, t) per value.
	xlsxFreeElements = 2_000_000
	xlsxMaxSmallText = 64 << 10
	// DefaultMaxSharedStrings bounds the shared strings table: excelize
	// keeps an index entry (about 40 bytes) per string in memory.
	DefaultMaxSharedStrings = 2_000_000
)

// partKind is what a part of a workbook is to the guard.
type partKind int

const (
	partSmall         partKind = iota // workbook, rels, styles: parsed whole by excelize
	partWorksheet                     // streamed row by row
	partSharedStrings                 // indexed string by string
)

// partScan checks the XML of one workbook part as it is inflated, without
// parsing it: every tag and every run of text (a token of Go's XML
// decoder) is bounded, a worksheet's rows are bounded in number, in bytes
// and in cells (counting the shared strings they refer to), and the parts
// must be UTF-8 without a DTD. excelize then parses a part that passed
// with memory bounded by these limits: its decoder never meets a token, a
// row or a string larger than the scan allowed.
type partScan struct {
	kind    partKind
	name    string
	maxText int      // longest run of text (or CDATA, comment)
	maxRow  int64    // MaxRowBytes: a row's XML plus its shared strings
	maxSST  int      // shared strings allowed
	sst     []uint32 // byte length of each shared string (filled for partSharedStrings, read for worksheets)

	off      int64 // bytes scanned
	state    scanState
	tag      []byte // the tag being read, up to a prefix (enough for names and attributes)
	tagLen   int
	quote    byte
	textLen  int
	special  []byte // the terminator of a comment, CDATA or PI being skipped
	elements int    // elements outside rows (worksheet) or in the part

	// Worksheet rows.
	rows      int
	inRow     bool
	rowStart  int64
	rowShared int64 // bytes of shared strings the row refers to
	rowCells  int
	inRows    int64 // elements inside rows so far
	rowText   int64 // bytes of text (not white space) inside rows so far
	cellSST   bool  // the current cell's value is a shared string index
	inValue   bool
	value     []byte
	// Shared strings.
	siStart int64
	inSI    bool
}

type scanState int

const (
	inText scanState = iota
	inTag
	inSpecial
)

const tagPrefix = 512 // bytes of a tag kept for its name and attributes

// tooLarge is the error for a part past a limit.
func (s *partScan) tooLarge(format string, args ...any) error {
	return errorf("xlsx_too_large", "The XLSX workbook cannot be read safely: %s (part %s). Save it again from Excel, or as CSV.", fmt.Sprintf(format, args...), s.name)
}

// scan feeds r through the scanner, checking ctx between blocks.
func (s *partScan) scan(ctx context.Context, r io.Reader) error {
	buf := make([]byte, 64<<10)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := r.Read(buf)
		if n > 0 {
			if serr := s.write(buf[:n]); serr != nil {
				return serr
			}
		}
		if err == io.EOF {
			return s.end()
		}
		if err != nil {
			return errorf("malformed_xlsx", "The XLSX workbook cannot be opened (%s: %v); save it again from Excel, or as CSV.", s.name, err)
		}
	}
}

func (s *partScan) end() error {
	if s.inRow {
		return s.closeRow()
	}
	return nil
}

// write scans one block.
func (s *partScan) write(p []byte) error {
	for len(p) > 0 {
		switch s.state {
		case inText:
			i := bytes.IndexByte(p, '<')
			n := i
			if i < 0 {
				n = len(p)
			}
			if err := s.text(p[:n]); err != nil {
				return err
			}
			s.off += int64(n)
			p = p[n:]
			if i >= 0 {
				s.off++
				p = p[1:]
				s.state, s.tag, s.tagLen, s.quote = inTag, s.tag[:0], 0, 0
			}
		case inTag:
			n, err := s.tagBytes(p)
			if err != nil {
				return err
			}
			p = p[n:]
		case inSpecial:
			n, err := s.specialBytes(p)
			if err != nil {
				return err
			}
			p = p[n:]
		}
		if s.inRow && s.off-s.rowStart+s.rowShared > s.maxRow {
			return s.tooLarge("row %d is longer than %d bytes", s.rows, s.maxRow)
		}
	}
	return nil
}

// text accounts for a run of character data.
func (s *partScan) text(p []byte) error {
	s.textLen += len(p)
	if s.textLen > s.maxText {
		return s.tooLarge("a text of more than %d bytes", s.maxText)
	}
	if s.inRow {
		s.rowText += int64(len(bytes.TrimSpace(p)))
	}
	if s.inValue && s.cellSST && len(s.value) < 16 {
		s.value = append(s.value, p[:min(len(p), 16-len(s.value))]...)
	}
	return nil
}

// tagBytes reads p up to the end of the current tag ('>' outside quotes),
// and handles the tag there. It returns the bytes consumed, which it has
// added to s.off.
func (s *partScan) tagBytes(p []byte) (n int, err error) {
	defer func() { s.off += int64(n) }()
	for i, c := range p {
		s.tagLen++
		if s.tagLen > xlsxMaxTag {
			return i, s.tooLarge("a tag of more than %d bytes", xlsxMaxTag)
		}
		if len(s.tag) < tagPrefix {
			s.tag = append(s.tag, c)
		}
		switch {
		case s.quote != 0:
			if c == s.quote {
				s.quote = 0
			}
			continue
		case len(s.tag) == 3 && s.tag[0] == '!' && s.tag[1] == '-' && s.tag[2] == '-':
			s.state, s.special, s.textLen = inSpecial, []byte("-->"), 0
			return i + 1, nil
		case len(s.tag) == 8 && string(s.tag) == "![CDATA[":
			s.state, s.special, s.textLen = inSpecial, []byte("]]>"), 0
			return i + 1, nil
		case len(s.tag) == 1 && c == '?':
			s.state, s.special, s.textLen = inSpecial, []byte("?>"), 0
			return i + 1, nil
		case c == '"' || c == '\'':
			s.quote = c
		case c == '>':
			s.state, s.textLen = inText, 0
			s.off += int64(i + 1)
			err := s.element(bytes.TrimSuffix(s.tag, []byte(">")))
			s.off -= int64(i + 1) // the deferred count adds it
			return i + 1, err
		}
	}
	return len(p), nil
}

// specialBytes skips a comment, CDATA section or processing instruction up
// to its terminator, bounding it like text. A processing instruction that
// names an encoding other than UTF-8 is refused: the scan reads bytes as
// UTF-8, and Go's decoder would switch encodings on it.
func (s *partScan) specialBytes(p []byte) (n int, err error) {
	defer func() { s.off += int64(n) }()
	for i, c := range p {
		s.textLen++
		if s.textLen > s.maxText {
			return i, s.tooLarge("a comment or CDATA section of more than %d bytes", s.maxText)
		}
		if s.special[0] == '?' && len(s.tag) < tagPrefix {
			s.tag = append(s.tag, c)
		}
		// The terminators have no repeated prefix ("-->", "]]>", "?>"), so
		// matching by a running count is exact enough: a miss restarts it.
		if c == s.special[s.quote] {
			s.quote++
		} else if c == s.special[0] {
			s.quote = 1
		} else {
			s.quote = 0
		}
		if int(s.quote) == len(s.special) {
			s.state, s.quote, s.textLen = inText, 0, 0
			if s.special[0] == '?' {
				if err := s.procInst(s.tag); err != nil {
					return i + 1, err
				}
			}
			return i + 1, nil
		}
	}
	return len(p), nil
}

func (s *partScan) procInst(pi []byte) error {
	i := bytes.Index(pi, []byte("encoding"))
	if i < 0 {
		return nil
	}
	rest := bytes.TrimLeft(pi[i+len("encoding"):], " \t\r\n=")
	if len(rest) > 0 && (rest[0] == '"' || rest[0] == '\'') {
		rest = rest[1:]
	}
	if !bytes.HasPrefix(bytes.ToLower(rest), []byte("utf-8")) && !bytes.HasPrefix(bytes.ToLower(rest), []byte("utf8")) {
		return errorf("malformed_xlsx", "The XLSX workbook cannot be read: part %s is not UTF-8. Save it again from Excel, or as CSV.", s.name)
	}
	return nil
}

// element handles a complete tag (without '<' and '>').
func (s *partScan) element(tag []byte) error {
	if len(tag) > 0 && tag[0] == '!' {
		return errorf("malformed_xlsx", "The XLSX workbook cannot be read: part %s declares a DTD. Save it again from Excel, or as CSV.", s.name)
	}
	end := len(tag) > 0 && tag[0] == '/'
	if end {
		tag = tag[1:]
	}
	selfClosing := len(tag) > 0 && tag[len(tag)-1] == '/'
	name := tag
	if i := bytes.IndexAny(name, " \t\r\n/"); i >= 0 {
		name = name[:i]
	}
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	switch s.kind {
	case partWorksheet:
		return s.worksheetElement(string(name), tag, end, selfClosing)
	case partSharedStrings:
		return s.sharedStringElement(string(name), end, selfClosing)
	}
	if !end {
		if s.elements++; s.elements > xlsxMaxPartElements {
			return s.tooLarge("more than %d elements", xlsxMaxPartElements)
		}
	}
	return nil
}

func (s *partScan) worksheetElement(name string, tag []byte, end, selfClosing bool) error {
	if s.inRow && !end {
		if s.inRows++; s.inRows > xlsxFreeElements+3*s.rowText {
			return s.tooLarge("more than %d empty cells or elements without a value", xlsxFreeElements)
		}
	}
	switch {
	case name == "row" && !end:
		if s.inRow {
			if err := s.closeRow(); err != nil {
				return err
			}
		}
		if s.rows++; s.rows > xlsxMaxRows {
			return s.tooLarge("more than %d rows", xlsxMaxRows)
		}
		s.inRow, s.rowStart, s.rowShared, s.rowCells = true, s.off-int64(s.tagLen)-1, 0, 0
		if selfClosing {
			return s.closeRow()
		}
	case name == "row":
		if s.inRow {
			return s.closeRow()
		}
	case !s.inRow:
		if !end {
			if s.elements++; s.elements > xlsxMaxOuterElements {
				return s.tooLarge("more than %d elements outside its rows", xlsxMaxOuterElements)
			}
		}
	case name == "c" && !end:
		if s.rowCells++; s.rowCells > xlsxMaxCellsPerRow {
			return s.tooLarge("row %d has more than %d cells", s.rows, xlsxMaxCellsPerRow)
		}
		s.cellSST = attr(tag, "t") == "s"
	case name == "v" && !end && !selfClosing:
		s.inValue, s.value = true, s.value[:0]
	case name == "v" && end:
		if s.inValue && s.cellSST {
			if i, err := strconv.Atoi(string(bytes.TrimSpace(s.value))); err == nil && i >= 0 && i < len(s.sst) {
				s.rowShared += int64(s.sst[i])
			}
		}
		s.inValue = false
	}
	return nil
}

func (s *partScan) closeRow() error {
	s.inRow = false
	if s.off-s.rowStart+s.rowShared > s.maxRow {
		return s.tooLarge("row %d is longer than %d bytes", s.rows, s.maxRow)
	}
	return nil
}

func (s *partScan) sharedStringElement(name string, end, selfClosing bool) error {
	switch {
	case name == "si" && !end:
		if len(s.sst) >= s.maxSST {
			return s.tooLarge("more than %d shared strings", s.maxSST)
		}
		s.inSI, s.siStart = true, s.off
		if selfClosing {
			s.sst, s.inSI = append(s.sst, 0), false
		}
	case name == "si" && s.inSI:
		n := s.off - s.siStart
		if n > s.maxRow {
			return s.tooLarge("a shared string of more than %d bytes", s.maxRow)
		}
		s.sst, s.inSI = append(s.sst, uint32(n)), false
	case !s.inSI && !end:
		if s.elements++; s.elements > xlsxMaxOuterElements {
			return s.tooLarge("more than %d elements outside its strings", xlsxMaxOuterElements)
		}
	}
	if s.inSI && s.off-s.siStart > s.maxRow {
		return s.tooLarge("a shared string of more than %d bytes", s.maxRow)
	}
	return nil
}

// attr returns the value of attribute name in a tag's bytes ("" if absent
// or past the kept prefix).
func attr(tag []byte, name string) string {
	for i := 0; i < len(tag); {
		j := bytes.IndexByte(tag[i:], '=')
		if j < 0 {
			return ""
		}
		key := bytes.TrimSpace(tag[i : i+j])
		if k := bytes.LastIndexAny(key, " \t\r\n"); k >= 0 {
			key = key[k+1:]
		}
		rest := bytes.TrimLeft(tag[i+j+1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return ""
		}
		q := rest[0]
		k := bytes.IndexByte(rest[1:], q)
		if k < 0 {
			return ""
		}
		if string(key) == name {
			return string(rest[1 : 1+k])
		}
		i = len(tag) - len(rest) + k + 2
	}
	return ""
}
