package source

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// deflated compresses b on its own (no back-reference before it) and
// flushes to a byte boundary, so copies of the result can be chained into
// one deflate stream that inflates to b repeated.
func deflated(t *testing.T, b []byte, final bool) []byte {
	t.Helper()
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.BestCompression)
	w.Write(b)
	if final {
		w.Close()
	} else {
		w.Flush()
	}
	return out.Bytes()
}

// writePart writes head, pattern repeated to n bytes, and tail as one
// deflated entry. The repeats are one compressed megabyte chained, so a
// gigabyte entry takes a moment (and little memory) to build even under
// the race detector.
func writePart(t *testing.T, zw *zip.Writer, p part) {
	t.Helper()
	var body bytes.Buffer
	crc := crc32.NewIEEE()
	add := func(b []byte, times int64) {
		z := deflated(t, b, false)
		for range times {
			body.Write(z)
			crc.Write(b)
		}
	}
	add([]byte(p.head), 1)
	if p.n > 0 {
		chunk := bytes.Repeat([]byte(p.pattern), max(1, (1<<20)/len(p.pattern)))
		add(chunk, p.n/int64(len(chunk)))
		add(chunk[:p.n%int64(len(chunk))], 1)
	}
	crc.Write([]byte(p.tail))
	body.Write(deflated(t, []byte(p.tail), true))
	size := int64(len(p.head)) + p.n + int64(len(p.tail))
	w, err := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CRC32: crc.Sum32(),
		CompressedSize64: uint64(body.Len()), UncompressedSize64: uint64(size)})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(body.Bytes())
}

// part is one zip entry: head, then pattern repeated to n bytes, then tail.
type part struct {
	name, head string
	pattern    string
	n          int64
	tail       string
}

const (
	contentTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`
	rootRels     = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	workbookXML  = `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`
	workbookRels = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`
	sheetHead    = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
	sheetTail    = `</sheetData></worksheet>`
	headerRow    = `<row><c t="inlineStr"><is><t>email</t></is></c><c t="inlineStr"><is><t>name</t></is></c></row>`
	dataRow      = `<row><c t="inlineStr"><is><t>a@x.nl</t></is></c><c t="inlineStr"><is><t>Ann</t></is></c></row>`
)

// hostileWorkbook builds a workbook from the standard parts, where a part
// of extra with the same name replaces the standard one. A gigabyte of a
// pattern is a megabyte
// or two on disk.
func hostileWorkbook(t *testing.T, extra ...part) []byte {
	t.Helper()
	parts := []part{
		{name: "[Content_Types].xml", head: contentTypes},
		{name: "_rels/.rels", head: rootRels},
		{name: "xl/workbook.xml", head: workbookXML},
		{name: "xl/_rels/workbook.xml.rels", head: workbookRels},
		{name: "xl/worksheets/sheet1.xml", head: sheetHead + headerRow + dataRow + sheetTail},
	}
	for _, e := range extra {
		replaced := false
		for i := range parts {
			if parts[i].name == e.name {
				parts[i], replaced = e, true
			}
		}
		if !replaced {
			parts = append(parts, e)
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		writePart(t, zw, p)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// manySheets is n worksheets of size bytes each after the standard one.
func manySheets(n int, size int64) []part {
	var parts []part
	for i := range n {
		parts = append(parts, part{name: fmt.Sprintf("xl/worksheets/sheet%d.xml", i+2), head: sheetHead, pattern: "<row/>", n: size - size%6, tail: sheetTail})
	}
	return parts
}

// peakHeap samples the heap in use until stop is called, and returns the
// most it saw above where it started.
func peakHeap() (stop func() uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak - base
	}
}

// TestXLSXBombs opens workbooks that are small on disk and huge inflated:
// each fails with a clear error (or reads correctly), within bounded time
// and memory, and leaves no temporary file. Before the guard, excelize
// read the junk part and the shared strings whole, and parsed the giant
// cell as one token: gigabytes.
func TestXLSXBombs(t *testing.T) {
	const gb = 1 << 30
	ctl := func(n int) string { return strings.Repeat(`<c t="s"><v>0</v></c>`, n) }
	tests := []struct {
		name   string
		parts  []part
		opts   Options
		code   string // "" reads the header email,name
		reason string
	}{
		{name: "a 512 MB junk part is never unzipped",
			parts: []part{{name: "xl/media/junk.bin", pattern: "junk", n: 512 << 20}}},
		{name: "a 512 MB styles part",
			parts: []part{{name: "xl/styles.xml", head: "<styleSheet>", pattern: "<xf/>", n: 512 << 20, tail: "</styleSheet>"}},
			code:  "xlsx_too_large", reason: "unpacks to"},
		{name: "one 1 GB cell",
			parts: []part{{name: "xl/worksheets/sheet1.xml", head: sheetHead + `<row><c t="inlineStr"><is><t>`, pattern: "a", n: gb, tail: `</t></is></c></row>` + sheetTail}},
			opts:  Options{MaxUnzippedBytes: 2 * gb},
			code:  "xlsx_too_large", reason: "than 4194304 bytes"},
		{name: "a workbook over the unzip limit",
			parts: []part{{name: "xl/worksheets/sheet1.xml", head: sheetHead, pattern: "<row/>", n: 100 << 20, tail: sheetTail}},
			opts:  Options{MaxUnzippedBytes: 64 << 20},
			code:  "xlsx_too_large", reason: "unpacks to more than"},
		{name: "millions of empty rows before the header",
			parts: []part{{name: "xl/worksheets/sheet1.xml", head: sheetHead, pattern: "<row/>", n: 6 * 3_000_000, tail: headerRow + sheetTail}},
			code:  "xlsx_too_large", reason: "more than 1048576 rows"},
		{name: "100,000 empty rows before the header are read",
			parts: []part{{name: "xl/worksheets/sheet1.xml", head: sheetHead, pattern: "<row/>", n: 6 * 100_000, tail: headerRow + dataRow + sheetTail}}},
		{name: "a gigabyte of white space between rows",
			parts: []part{{name: "xl/worksheets/sheet1.xml", head: sheetHead + headerRow, pattern: " ", n: 300 << 20, tail: sheetTail}},
			code:  "xlsx_too_large", reason: "a text of more than"},
		{name: "a huge CDATA section",
			parts: []part{{name: "xl/worksheets/sheet1.xml", head: sheetHead + headerRow + "<![CDATA[", pattern: "<x>", n: 300 << 20, tail: "]]>" + sheetTail}},
			code:  "xlsx_too_large", reason: "CDATA"},
		{name: "huge sharedStrings: three million strings",
			parts: []part{{name: "xl/sharedStrings.xml", head: "<sst>", pattern: "<si><t>x</t></si>", n: 17 * 3_000_000, tail: "</sst>"}},
			code:  "xlsx_too_large", reason: "shared strings"},
		{name: "shared strings whose temporary files would pass the budget",
			// 40 MB of strings under a 64 MB budget: excelize would unzip
			// them and write their text again, 80 MB of temporary files.
			parts: []part{{name: "xl/sharedStrings.xml", head: "<sst>", pattern: "<si><t>" + strings.Repeat("s", 500) + "</t></si>", n: 517 * 80_000, tail: "</sst>"}},
			opts:  Options{MaxUnzippedBytes: 64 << 20},
			code:  "xlsx_too_large", reason: "temporary files"},
		{name: "huge sharedStrings: one string of 600 MB",
			parts: []part{{name: "xl/sharedStrings.xml", head: "<sst><si><t>", pattern: "y", n: 600 << 20, tail: "</t></si></sst>"}},
			opts:  Options{MaxUnzippedBytes: 2 * gb}, // past the temporary-file budget, to reach the text bound
			code:  "xlsx_too_large", reason: "a text of more than"},
		{name: "a row that repeats a 1 MB shared string",
			parts: []part{
				{name: "xl/sharedStrings.xml", head: "<sst><si><t>", pattern: "z", n: 1 << 20, tail: "</t></si></sst>"},
				{name: "xl/worksheets/sheet1.xml", head: sheetHead + headerRow + "<row>" + ctl(16) + "</row>" + sheetTail}},
			code: "xlsx_too_large", reason: "row 2 is longer than"},
		{name: "a row of a million empty cells",
			parts: []part{{name: "xl/worksheets/sheet1.xml", head: sheetHead + headerRow + "<row>", pattern: "<c/>", n: 4 << 20, tail: "</row>" + sheetTail}},
			opts:  Options{MaxRowBytes: 64 << 20},
			code:  "xlsx_too_large", reason: "cells"},
		{name: "a million rows of empty cells",
			parts: []part{{name: "xl/worksheets/sheet1.xml", head: sheetHead + headerRow, pattern: "<row>" + strings.Repeat("<c/>", 30) + "</row>", n: 131 * 1_000_000, tail: sheetTail}},
			code:  "xlsx_too_large", reason: "empty cells"},
		{name: "styles with 95,000 cell formats are read within bounds",
			parts: []part{{name: "xl/styles.xml", head: `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="0.00"/></numFmts><cellXfs>`,
				pattern: `<xf numFmtId="164" applyNumberFormat="1"/>`, n: 42 * 95_000, tail: "</cellXfs></styleSheet>"}}},
		{name: "styles with too many elements",
			parts: []part{{name: "xl/styles.xml", head: `<styleSheet><cellXfs>`, pattern: `<xf/>`, n: 5 * 300_000, tail: "</cellXfs></styleSheet>"}},
			code:  "xlsx_too_large", reason: "elements"},
		{name: "1 MB of tiny shared strings held in memory",
			parts: []part{{name: "xl/sharedStrings.xml", head: `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`, pattern: "<si><t>x</t></si>", n: 17 * 60_000, tail: "</sst>"}}},
		{name: "100 worksheets just under the size that goes to disk",
			parts: manySheets(100, 1<<20-1024),
			code:  "xlsx_too_large", reason: "small parts"},
		{name: "a sheet in UTF-16",
			parts: []part{{name: "xl/worksheets/sheet1.xml", head: `<?xml version="1.0" encoding="UTF-16"?><worksheet/>`}},
			code:  "malformed_xlsx", reason: "not UTF-8"},
		{name: "a DTD",
			parts: []part{{name: "xl/workbook.xml", head: `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>` + workbookXML[38:]}},
			code:  "malformed_xlsx", reason: "DTD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			book := hostileWorkbook(t, tt.parts...)
			if len(book) > 4<<20 {
				t.Fatalf("the workbook is %d bytes on disk", len(book))
			}
			dir := t.TempDir()
			opts := tt.opts
			opts.TempDir = dir
			stop := peakHeap()
			start := time.Now()
			r, err := Open(bytes.NewReader(book), opts)
			if err == nil {
				defer r.Close()
			}
			took, heap := time.Since(start), stop()
			t.Logf("%d bytes on disk: %v, peak heap +%d MB, %v", len(book), took.Round(time.Millisecond), heap>>20, err)
			if tt.code == "" {
				if err != nil || strings.Join(r.Header(), ",") != "email,name" {
					t.Fatalf("Open: %v", err)
				}
				row, err := r.Next()
				if err != nil || row.Values[0] != "a@x.nl" {
					t.Fatalf("Next: %+v %v", row, err)
				}
				r.Close()
			} else if code := FileCode(err); code != tt.code || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("error %v (code %q), want %s about %q", err, code, tt.code, tt.reason)
			}
			if heap > 200<<20 {
				t.Errorf("peak heap +%d MB", heap>>20)
			}
			if took > raceSlowdown*10*time.Second {
				t.Errorf("took %v", took)
			}
			if left := tempFilesLeft(t, dir); len(left) > 0 {
				t.Errorf("left %d temporary files", len(left))
			}
		})
	}
}

func TestXLSXTooManyZipEntries(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml"} {
		if _, err := zw.Create(name); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 120_000 {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("x/%d", i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	zw.Close()
	_, err := Open(bytes.NewReader(buf.Bytes()), Options{Format: FormatXLSX, TempDir: t.TempDir()})
	if code := FileCode(err); code != "xlsx_too_large" || !strings.Contains(err.Error(), "zip directory") {
		t.Fatalf("%v", err)
	}
}

// TestXLSXContext: a cancelled context stops the reader between rows.
func TestXLSXContext(t *testing.T) {
	book := hostileWorkbook(t, part{name: "xl/worksheets/sheet1.xml", head: sheetHead + headerRow, pattern: dataRow, n: int64(len(dataRow)) * 5000, tail: sheetTail})
	ctx, cancel := context.WithCancel(context.Background())
	r, err := OpenContext(ctx, bytes.NewReader(book), Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cancel()
	for i := 0; ; i++ {
		_, err := r.Next()
		if errors.Is(err, context.Canceled) {
			if i > 256 {
				t.Fatalf("read %d rows after cancel", i)
			}
			return
		}
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
	}
}
