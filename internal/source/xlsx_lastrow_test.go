package source

import (
	"bytes"
	"strings"
	"testing"
)

// TestXLSXRowPastLastRow: a row numbered past Excel's last row (1048576)
// is reported as that, not as a failure at the legal row read before it.
func TestXLSXRowPastLastRow(t *testing.T) {
	t.Parallel()
	for name, rows := range map[string]string{
		"after the header":       headerRow + dataRow + `<row r="1048577"><c t="inlineStr"><is><t>x</t></is></c></row>`,
		"right after the header": headerRow + `<row r="1048577"/>`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, err := Open(bytes.NewReader(xlsxWith([]byte(sheetHead+rows+sheetTail), []byte(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>`))), Options{})
			if err == nil {
				_, err = readAll(t, r)
				r.Close()
			}
			if code := errorCode(t, err); code != "xlsx_too_large" {
				t.Fatalf("code = %q (%v), want xlsx_too_large", code, err)
			}
			if msg := err.Error(); !strings.Contains(msg, "numbered past 1048576") || strings.Contains(msg, "at row") {
				t.Fatalf("message %q", msg)
			}
		})
	}
}
