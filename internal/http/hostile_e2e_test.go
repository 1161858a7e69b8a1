package http_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// bombWorkbook is a 1 MB workbook whose one cell unpacks to 512 MB.
func bombWorkbook(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for name, body := range map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`,
		"_rels/.rels":                `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
	} {
		w, _ := zw.Create(name)
		io.WriteString(w, body)
	}
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	io.WriteString(w, `<worksheet><sheetData><row><c t="inlineStr"><is><t>`)
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	for range 512 {
		w.Write(chunk)
	}
	io.WriteString(w, `</t></is></c></row></sheetData></worksheet>`)
	zw.Close()
	return buf.Bytes()
}

// TestHostileUploads: a decompression bomb is refused with a clear 4xx at
// upload, and a finished job's report expires after --retention: the job
// says so and its error routes answer 410 Gone.
func TestHostileUploads(t *testing.T) {
	t.Parallel()
	bomb := bombWorkbook(t)
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "acme", "imports,contacts")
			c := client{t, serve(t, db, func(c *serverConfig) {
				c.Retention, c.SweepEvery, c.TempDir = time.Millisecond, 200*time.Millisecond, t.TempDir()
			}), key}

			start := time.Now()
			// A workbook is opened by its job (DESIGN §4a: the upload answers
			// at once, analyzing); the bomb fails the job, not the server.
			st, job, raw := c.upload("bomb.xlsx", bomb, nil)
			if st != 201 || job["status"] != "analyzing" {
				t.Fatalf("bomb upload: %d %v %s", st, job, raw)
			}
			if job = c.wait(num(job, "id")); job["status"] != "failed" || !strings.Contains(fmt.Sprint(job["error"]), "cannot be read safely") {
				t.Fatalf("bomb job: %v", job)
			}
			if took := time.Since(start); took > 30*time.Second {
				t.Fatalf("the bomb took %v", took)
			}

			// Twice: each sweep must run after the last one completed.
			for range 2 {
				st, job, raw = c.upload("c.csv", []byte("email\nnot-an-email\n"), nil)
				if st != 201 && st != 202 {
					t.Fatalf("upload: %d %s", st, raw)
				}
				id := num(job, "id")
				if job = c.wait(id); job["status"] != "completed" || num(job, "failed_rows") != 1 {
					t.Fatalf("job %v", job)
				}
				expired := waitFor(20*time.Second, func() bool {
					_, job, _ = c.do("GET", fmt.Sprintf("/api/v1/imports/%d", id), nil)
					return job["report_expired"] == true
				})
				if !expired {
					t.Fatalf("the report did not expire: %v", job)
				}
				if num(job, "failed_rows") != 1 || job["expired_at"] == nil {
					t.Fatalf("expired job %v", job)
				}
				for _, path := range []string{"/errors", "/errors.csv"} {
					st, raw := c.get(fmt.Sprintf("/api/v1/imports/%d%s", id, path))
					if st != 410 || !strings.Contains(raw, "was deleted on") {
						t.Fatalf("%s of an expired job: %d %s", path, st, raw)
					}
				}
			}
		})
	}
}
