package source

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"
	"unicode/utf8"
)

// drain opens data and reads every row, checking the invariants any input
// must keep: no panic, an end, increasing row numbers, rows aligned with the
// header unless they carry a RowError, and valid UTF-8 values.
func drain(t *testing.T, data []byte, opts Options) {
	r, err := Open(bytes.NewReader(data), opts)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("Open returned %T %v, want *Error", err, err)
		}
		return
	}
	defer r.Close()
	last := 1
	for i := 0; ; i++ {
		if i > len(data)+1 {
			t.Fatalf("more rows (%d) than bytes (%d)", i, len(data))
		}
		row, err := r.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Next returned %T %v, want *Error", err, err)
			}
			return
		}
		if row.Number <= last {
			t.Fatalf("row number %d after %d", row.Number, last)
		}
		last = row.Number
		if row.Err == nil && len(row.Values) != len(r.Header()) {
			t.Fatalf("row %d has %d values, header %d, and no error", row.Number, len(row.Values), len(r.Header()))
		}
		for _, v := range row.Values {
			if !utf8.ValidString(v) {
				t.Fatalf("row %d has invalid UTF-8 %q", row.Number, v)
			}
		}
	}
}

// watchdog crashes the fuzz worker when one input takes more than 10s (a
// hang), so the fuzzer saves the input; call the returned func when done.
func watchdog(data []byte) (stop func()) {
	t := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("input takes more than 10s: %q", data)) })
	return func() { t.Stop() }
}

var fuzzSeeds = []string{
	"email,name\na@x.nl,Ann\n",
	"\xEF\xBB\xBFemail;name\r\nb@x.nl;Bob\r\n",
	"city\nZ\xfcrich\nBesan\xe7on\n",
	"a,b\r1,2\r3,4",
	"name,notes\n\"Doe, J\",\"line 1\nline 2\"\n",
	"a,b,c\n1,2\n3,4,5,6\n",
	"a,b\n1,x\"y\n\"3\"x,4\n",
	"a,b\n1,\"unterminated\n2,3\n",
	"a\tb\n1\t2\n",
	"a|b\n1|2\n",
	",,\n1,2\n",
	"a,a\n",
	"\xff\xfee\x00,\x00n\x00\n\x00",
}

func FuzzCSV(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog(data)()
		drain(t, data, Options{})
		drain(t, data, Options{Format: FormatCSV, MaxRowBytes: 64, MaxCellBytes: 8, MaxColumns: 4})
	})
}

var jsonSeeds = []string{
	`{"data":[{"email":"a@x.nl","company":{"name":"A","address":{"city":"D"}}}],"meta":{"n":1}}`,
	"{\"email\":\"a@x.nl\"}\n{\"email\":\"b@x.nl\",\"n\":{\"x\":1}}\n",
	`[{"email":"a@x.nl","age":42,"vip":true,"x":null,"tags":["a",1],"o":{"k":[1]}}]`,
	`[{"a":"1"},2,"x",[1],null,{"b":"3"}]`,
	`[{"a":"1"},{"a":}]`,
	`[{"a":"1"} {"a":"2"}]`,
	`[{"a":"1"}] [2]`,
	`[]`,
	`{"a":1}`,
	"\xEF\xBB\xBF[{\"naam\":\"\xc5\x81ukasz\"}]",
	`[{"A":"1","a ":"2"},{}]`,
	`{"data":{"people":[{"a":"1","b":"x@y.z"}]},"tags":[{"id":1}]}`,
	`{"u1":{"a":"1","b":"2"},"u2":{"a":"3","b":"4"}}`,
}

func FuzzJSON(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog(data)()
		drain(t, data, Options{Format: FormatJSON})
		drain(t, data, Options{Format: FormatJSON, MaxRowBytes: 32, MaxCellBytes: 8, MaxColumns: 3})
	})
}

func FuzzVCard(f *testing.F) {
	f.Add([]byte("BEGIN:VCARD\r\nVERSION:3.0\r\nN:A;B;;;\r\nFN:B A\r\nEMAIL;type=pref:a@x.nl\r\nTEL;type=CELL:0612345678\r\nADR:;;S 1;C;;1234;NL\r\nEND:VCARD\r\n"))
	f.Add([]byte("BEGIN:VCARD\nFN:x\n y\nEND:VCARD\nBEGIN:VCARD\nEND:VCARD\njunk\n"))
	f.Add([]byte("BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:=C1lva=\r\nrez;Jos=E9\r\nTEL;WORK;VOICE:1\r\nTEL;WORK;VOICE:2\r\nEMAIL;PREF;INTERNET:a@x.nl\r\nEND:VCARD\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer watchdog(data)()
		drain(t, data, Options{Format: FormatVCard})
		drain(t, data, Options{Format: FormatVCard, MaxRowBytes: 64, MaxCellBytes: 8})
	})
}

// xlsxWith is a minimal workbook whose first sheet and shared strings
// are the given XML, stored uncompressed.
func xlsxWith(sheet, sst []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range []struct {
		name string
		body []byte
	}{
		{"[Content_Types].xml", []byte(contentTypes)},
		{"_rels/.rels", []byte(rootRels)},
		{"xl/workbook.xml", []byte(workbookXML)},
		{"xl/_rels/workbook.xml.rels", []byte(workbookRels)},
		{"xl/worksheets/sheet1.xml", sheet},
		{"xl/sharedStrings.xml", sst},
	} {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Store})
		w.Write(p.body)
	}
	zw.Close()
	return buf.Bytes()
}

var xlsxSeeds = [][2]string{
	{sheetHead + headerRow + dataRow + sheetTail, "<sst></sst>"},
	{sheetHead + `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="3"><c r="B3" t="s"><v>2</v></c></row>` + sheetTail,
		`<sst><si><t>email</t></si><si><r><t>na</t></r><r><t>me</t></r></si><si><t xml:space="preserve"> x </t></si></sst>`},
	{sheetHead + `<row><c t="s"><v>7</v></c></row><row><c t="b"><v>1</v></c><c t="d"><v>2024-01-02</v></c><c><v>1E+3</v></c></row>` + sheetTail, `<sst/>`},
	{sheetHead + `<row><c><v><![CDATA[a<b]]></v></c></row><!-- > --><row/>` + sheetTail, `<?xml version="1.0"?><sst/>`},
	{`<worksheet><sheetData><row r="1048577"/></sheetData></worksheet>`, ``},
}

func FuzzXLSX(f *testing.F) {
	for _, s := range xlsxSeeds {
		f.Add([]byte(s[0]), []byte(s[1]))
	}
	f.Fuzz(func(t *testing.T, sheet, sst []byte) {
		book := xlsxWith(sheet, sst)
		defer watchdog(book)()
		dir := t.TempDir()
		drain(t, book, Options{TempDir: dir})
		drain(t, book, Options{TempDir: dir, MaxRowBytes: 256, MaxCellBytes: 8, MaxColumns: 4, MaxSharedStrings: 4})
		if left := tempFilesLeft(t, dir); len(left) > 0 {
			t.Fatalf("left %d temporary files", len(left))
		}
	})
}
