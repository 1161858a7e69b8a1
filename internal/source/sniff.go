package source

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"strings"
)

// Sniff decides the format from the first bytes of a file (at least 4 KiB
// when the file has them), its name (a hint) and a declared format ("" for
// none). It returns a *Error with code "unsupported_format" for PDFs,
// images, archives, other Office files, binary data, a JSON object instead
// of an array, and a declared format the content contradicts; code
// "empty_file" for an empty head.
func Sniff(head []byte, name string, declared Format) (Format, error) {
	f, _, _, err := sniff(head, name, declared, "", false)
	return f, err
}

// sniff is Sniff for Open: it also returns the encoding and the head decoded
// to UTF-8 text (nil for XLSX).
func sniff(head []byte, name string, declared Format, encName string, atEOF bool) (Format, textEncoding, []byte, error) {
	var none textEncoding
	if f, decided, err := sniffBinary(head, declared); decided {
		return f, none, nil, err
	}
	enc, err := detectEncoding(head, encName, atEOF)
	if err != nil {
		return "", none, nil, err
	}
	text := enc.decodeHead(head, atEOF)
	if what := sniffText(text); what != "" {
		return "", none, nil, errLooksLike(what)
	}
	if atEOF && isBlank(text) {
		return "", none, nil, errEmpty
	}
	f, err := sniffTextFormat(text, name, declared, atEOF)
	if err != nil {
		return "", none, nil, err
	}
	return f, enc, text, nil
}

// sniffBinary decides what the head's bytes settle before any decoding: a
// declared format we do not read, an empty head, an XLSX workbook, or
// another binary file. decided is false for a text file.
func sniffBinary(head []byte, declared Format) (f Format, decided bool, err error) {
	switch declared {
	case "", FormatCSV, FormatTSV, FormatXLSX, FormatJSON, FormatVCard:
	default:
		return "", true, errorf("unsupported_format", "The format %q is not supported; use csv, tsv, xlsx, json or vcard.", string(declared))
	}
	if len(head) == 0 {
		return "", true, errEmpty
	}
	if what, isXLSX := sniffMagic(head); isXLSX {
		if declared != "" && declared != FormatXLSX {
			return "", true, errDeclared(declared, "an XLSX workbook")
		}
		return FormatXLSX, true, nil
	} else if what != "" {
		return "", true, errLooksLike(what)
	}
	if declared == FormatXLSX {
		return "", true, errDeclared(declared, "a text file")
	}
	return "", false, nil
}

// sniffTextFormat decides a text file's format from its decoded head, its
// name and the declared format: vCard, JSON, TSV or CSV.
func sniffTextFormat(text []byte, name string, declared Format, atEOF bool) (Format, error) {
	isVCard := hasPrefixFold(text, "BEGIN:VCARD")
	switch {
	case isVCard && (declared == "" || declared == FormatVCard):
		return FormatVCard, nil
	case isVCard:
		return "", errDeclared(declared, "a vCard file")
	case declared == FormatVCard || strings.EqualFold(filepath.Ext(name), ".vcf"):
		return "", fileErr("unsupported_format", "The file is named or declared as a vCard, but it does not start with BEGIN:VCARD. Supported formats: CSV, TSV, XLSX, JSON and vCard 3.0/4.0.")
	}
	if declared == FormatCSV || declared == FormatTSV {
		// Any text can be a CSV file; the declaration settles it.
		return declared, nil
	}
	switch firstByte(text) {
	case '[':
		return FormatJSON, nil
	case '{':
		// An object wrapping the array, or JSON Lines: openJSON tells which.
		return FormatJSON, nil
	}
	if declared == FormatJSON {
		return "", fileErr("unsupported_format", "The file was declared as JSON, but it does not start with '[' or '{': JSON must be an array of objects, an object holding one, or one object per line.")
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".tsv", ".tab":
		return FormatTSV, nil
	}
	if sniffDelimiter(text, !atEOF, false) == '\t' {
		return FormatTSV, nil
	}
	return FormatCSV, nil
}

func errLooksLike(what string) *Error {
	return errorf("unsupported_format", "File must be a CSV, TSV, XLSX, JSON or vCard file (text/csv); this looks like %s.", what)
}

// hasPrefixFold reports whether text, past leading white space, starts
// with prefix, ignoring ASCII case.
func hasPrefixFold(text []byte, prefix string) bool {
	t := bytes.TrimLeft(text, " \t\r\n")
	return len(t) >= len(prefix) && strings.EqualFold(string(t[:len(prefix)]), prefix)
}

func errDeclared(declared Format, what string) *Error {
	return errorf("unsupported_format", "The file was declared as %s, but this looks like %s.", strings.ToUpper(string(declared)), what)
}

// firstByte returns the first byte of text that is not white space, or 0.
func firstByte(text []byte) byte {
	t := bytes.TrimLeft(text, " \t\r\n\f\v")
	if len(t) == 0 {
		return 0
	}
	return t[0]
}

// magics are file signatures of things people upload by mistake.
var magics = []struct {
	prefix string
	what   string
}{
	{"%PDF-", "a PDF document"},
	{"\x89PNG\r\n\x1a\n", "a PNG image"},
	{"\xff\xd8\xff", "a JPEG image"},
	{"GIF87a", "a GIF image"},
	{"GIF89a", "a GIF image"},
	{"II*\x00", "a TIFF image"},
	{"MM\x00*", "a TIFF image"},
	{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel (.xls) or other Office 97-2003 file, or a password-protected workbook; save it as .xlsx or .csv"},
	{"\x1f\x8b", "a gzip archive"},
	{"Rar!\x1a\x07", "a RAR archive"},
	{"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"},
	{"\xfd7zXZ\x00", "an xz archive"},
	{"\x7fELF", "a program"},
	{"SQLite format 3\x00", "an SQLite database"},
	{"{\\rtf", "an RTF document"},
}

// sniffMagic recognises binary formats by their signature. isXLSX is true
// for a zip that holds a workbook; otherwise a non-empty what names the
// unsupported format.
func sniffMagic(head []byte) (what string, isXLSX bool) {
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return sniffZip(head)
	}
	if len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP" {
		return "a WebP image", false
	}
	if len(head) >= 12 && string(head[4:8]) == "ftyp" {
		return "an image or video (HEIC, MP4 or similar)", false
	}
	for _, m := range magics {
		if bytes.HasPrefix(head, []byte(m.prefix)) {
			return m.what, false
		}
	}
	return "", false
}

var zipLocalHeader = []byte("PK\x03\x04")

// sniffZip walks the local file headers of a zip in head to tell an XLSX
// workbook (entries "[Content_Types].xml", "xl/…") from other zips. Office
// files all have "[Content_Types].xml"; "word/" or "ppt/" entries make it a
// Word or PowerPoint file. When head ends before it can tell, a zip with
// "[Content_Types].xml" is given the benefit of the doubt: opening it as a
// workbook then fails with "malformed_xlsx" if it is not one.
func sniffZip(head []byte) (what string, isXLSX bool) {
	contentTypes := false
	off := 0
	for i := 0; i < 64 && off+30 <= len(head); i++ {
		if !bytes.Equal(head[off:off+4], zipLocalHeader) {
			j := bytes.Index(head[off+1:], zipLocalHeader)
			if j < 0 {
				break
			}
			off += 1 + j
			continue
		}
		flags := binary.LittleEndian.Uint16(head[off+6:])
		size := int(binary.LittleEndian.Uint32(head[off+18:]))
		nameLen := int(binary.LittleEndian.Uint16(head[off+26:]))
		extraLen := int(binary.LittleEndian.Uint16(head[off+28:]))
		if off+30+nameLen > len(head) {
			break
		}
		name := string(head[off+30 : off+30+nameLen])
		data := off + 30 + nameLen + extraLen
		switch {
		case strings.HasPrefix(name, "xl/"):
			return "", true
		case strings.HasPrefix(name, "word/"):
			return "a Word document", false
		case strings.HasPrefix(name, "ppt/"):
			return "a PowerPoint presentation", false
		case name == "[Content_Types].xml":
			contentTypes = true
		case name == "mimetype" && data < len(head):
			if bytes.HasPrefix(head[data:], []byte("application/vnd.oasis.opendocument.spreadsheet")) {
				return "an OpenDocument spreadsheet (.ods); save it as .xlsx or .csv", false
			}
			return "an OpenDocument file", false
		}
		if flags&0x8 != 0 || size == 0xFFFFFFFF {
			// Sizes follow the data (data descriptor) or are in a zip64
			// extra field: find the next header by its signature.
			off = data
			j := bytes.Index(head[min(off, len(head)):], zipLocalHeader)
			if j < 0 {
				break
			}
			off += j
			continue
		}
		off = data + size
	}
	if contentTypes {
		return "", true
	}
	return "a zip archive", false
}

// sniffText recognises text that is not a table, and binary data that has no
// known signature: NUL bytes, or more than 1% other control characters, in
// the first KiB.
func sniffText(text []byte) string {
	t := bytes.ToLower(bytes.TrimLeft(text[:min(len(text), 64)], " \t\r\n"))
	switch {
	case bytes.HasPrefix(t, []byte("<!doctype html")), bytes.HasPrefix(t, []byte("<html")):
		return "an HTML page"
	case bytes.HasPrefix(t, []byte("<?xml")):
		return "an XML document"
	case bytes.HasPrefix(t, []byte("begin:vcalendar")):
		return "an iCalendar file (events, not contacts)"
	}
	kb := text[:min(len(text), 1024)]
	controls := 0
	for _, c := range kb {
		switch {
		case c == 0:
			return "binary data"
		case c == '\t', c == '\n', c == '\r', c == '\f', c == '\v', c == 0x1a: // 0x1a: DOS end of file
		case c < 0x20, c == 0x7f:
			controls++
		}
	}
	if controls*100 > len(kb) {
		return "binary data"
	}
	return ""
}

// delimiters are the candidates sniffDelimiter chooses from, in order of
// preference on a tie.
var delimiters = []byte{',', ';', '\t', '|'}

// sniffRecords is how many records at the start of a file the delimiter
// is sniffed on.
const sniffRecords = 30

// sniffDelimiter picks the delimiter of a CSV file from up to sniffRecords
// records at the start of text, counting candidates outside quotes. It
// judges the table, not the first line: exporters put banners, titles and
// notes above the header ("Exported by X on 3/4/2025", with no tab in a
// tab-separated file). For each candidate, the records that have it are
// grouped by how many they have; the winner is the candidate whose largest
// group of equal counts is the largest (a table's header and rows agree),
// then the one with the higher count. When truncated, the last (possibly
// cut) record is ignored. preferTab picks tab whenever half the records
// have one (a file named .tsv). Without any candidate it returns ',' (or
// '\t' when preferTab).
func sniffDelimiter(text []byte, truncated, preferTab bool) rune {
	counts := delimiterCounts(text, truncated)
	fallback := ','
	if preferTab {
		fallback = '\t'
	}
	best, bestRows, bestCount := -1, 0, 0
	for i := range delimiters {
		groups := map[int]int{}
		withTab := 0
		for _, c := range counts {
			if c[i] > 0 {
				groups[c[i]]++
				withTab++
			}
		}
		if preferTab && delimiters[i] == '\t' && withTab*2 >= len(counts) && withTab > 0 {
			return '\t'
		}
		for count, rows := range groups {
			if rows > bestRows || (rows == bestRows && count > bestCount) ||
				(rows == bestRows && count == bestCount && i < best) {
				best, bestRows, bestCount = i, rows, count
			}
		}
	}
	if best < 0 {
		return fallback
	}
	return rune(delimiters[best])
}

// delimiterCounts counts each candidate delimiter outside quotes in each
// non-blank record of text, up to sniffRecords records.
func delimiterCounts(text []byte, truncated bool) [][4]int {
	var counts [][4]int
	var cur [4]int
	inQuote, blank := false, true
	end := func() {
		if !blank {
			counts = append(counts, cur)
		}
		cur, blank = [4]int{}, true
	}
	for _, c := range text {
		if len(counts) >= sniffRecords {
			return counts
		}
		switch {
		case c == '"':
			inQuote = !inQuote
			blank = false
		case inQuote:
		case c == '\n' || c == '\r':
			end()
		default:
			if c != ' ' {
				blank = false
			}
			if i := bytes.IndexByte(delimiters, c); i >= 0 {
				cur[i]++
			}
		}
	}
	if !truncated || len(counts) == 0 {
		end()
	}
	return counts
}
