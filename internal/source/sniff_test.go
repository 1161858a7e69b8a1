package source

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"github.com/intake/intake"
	"strings"
	"testing"
)

func zipWith(t *testing.T, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, n := range names {
		f, err := w.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte("<x/>")); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSniff(t *testing.T) {
	t.Parallel()
	xlsx := buildWorkbook(t)
	tests := []struct {
		name     string
		head     []byte
		file     string
		declared Format
		want     Format
		code     string // error code, "" for none
		looks    string // part of the error message
	}{
		{name: "PDF", head: []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), code: "unsupported_format", looks: "this looks like a PDF document."},
		{name: "PNG", head: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), code: "unsupported_format", looks: "a PNG image"},
		{name: "JPEG", head: []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), code: "unsupported_format", looks: "a JPEG image"},
		{name: "GIF", head: []byte("GIF89a\x01\x00\x01\x00"), code: "unsupported_format", looks: "a GIF image"},
		{name: "WebP", head: []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), code: "unsupported_format", looks: "a WebP image"},
		{name: "old xls", head: []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"), code: "unsupported_format", looks: ".xls"},
		{name: "zip that is not xlsx", head: zipWith(t, "contacts.csv", "readme.txt"), code: "unsupported_format", looks: "a zip archive"},
		{name: "docx", head: zipWith(t, "[Content_Types].xml", "word/document.xml"), code: "unsupported_format", looks: "a Word document"},
		{name: "real xlsx", head: xlsx, file: "contacts.xlsx", want: FormatXLSX},
		{name: "real xlsx, head cut to 4 KiB", head: xlsx[:min(len(xlsx), 4096)], want: FormatXLSX},
		{name: "xlsx declared xlsx", head: xlsx, declared: FormatXLSX, want: FormatXLSX},
		{name: "xlsx declared csv", head: xlsx, declared: FormatCSV, code: "unsupported_format", looks: "declared as CSV"},
		{name: "CSV", head: []byte("email,name\na@x.nl,Ann\n"), want: FormatCSV},
		{name: "CSV in windows-1252", head: []byte("city\nZ\xfcrich\n"), want: FormatCSV},
		{name: "TSV by name", head: []byte("email\n"), file: "list.tsv", want: FormatTSV},
		{name: "TSV by content", head: []byte("email\tname\na@x.nl\tAnn\n"), file: "list.csv", want: FormatTSV},
		{name: "JSON array", head: []byte("  [{\"email\":\"a@x.nl\"}]"), want: FormatJSON},
		{name: "JSON array with BOM", head: []byte("\xEF\xBB\xBF[{\"email\":\"a@x.nl\"}]"), want: FormatJSON},
		{name: "JSON object", head: []byte(`{"email":"a@x.nl"}`), want: FormatJSON},
		{name: "JSON Lines", head: []byte("{\"email\":\"a@x.nl\"}\n{\"email\":\"b@x.nl\"}\n"), file: "x.ndjson", want: FormatJSON},
		{name: "declared JSON, not JSON", head: []byte("a,b\n"), declared: FormatJSON, code: "unsupported_format", looks: "declared as JSON"},
		{name: "declared CSV wins over JSON-looking text", head: []byte("[a],b\n"), declared: FormatCSV, want: FormatCSV},
		{name: "binary garbage", head: []byte("\x01\x02\x03\x00\xff\xfe\x10abc"), code: "unsupported_format", looks: "binary data"},
		{name: "control characters", head: []byte("a\x01b\x02c\x03d\x04,e\n"), code: "unsupported_format", looks: "binary data"},
		{name: "UTF-16 text is not binary", head: utf16Bytes("email,name\n", binary.LittleEndian, true), want: FormatCSV},
		{name: "HTML", head: []byte("<!DOCTYPE html><html>"), code: "unsupported_format", looks: "an HTML page"},
		{name: "declared CSV but PDF content", head: []byte("%PDF-1.4\n"), declared: FormatCSV, code: "unsupported_format", looks: "a PDF document"},
		{name: "empty", head: nil, code: "empty_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Sniff(tt.head, tt.file, tt.declared)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("Sniff: %v", err)
				}
				if got != tt.want {
					t.Fatalf("Sniff = %s, want %s", got, tt.want)
				}
				return
			}
			if code := errorCode(t, err); code != tt.code {
				t.Fatalf("code = %q (%v), want %q", code, err, tt.code)
			}
			if !strings.Contains(err.Error(), tt.looks) {
				t.Errorf("message %q does not contain %q", err, tt.looks)
			}
		})
	}
}

func TestSniffMessage(t *testing.T) {
	t.Parallel()
	_, err := Sniff([]byte("%PDF-1.7\n"), "x.csv", "")
	const want = "File must be a CSV, TSV, XLSX, JSON or vCard file (text/csv); this looks like a PDF document."
	if err == nil || intake.ErrorMessage(err) != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}
