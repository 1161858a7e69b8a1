package imports

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/testdb"
)

// slowWorkbook is a workbook whose header and first row are followed by a
// million rows of one empty cell each: a reader works through them for
// seconds without a row to commit.
func slowWorkbook(t *testing.T) []byte {
	t.Helper()
	files := map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels":                `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for name, body := range files {
		w, _ := zw.Create(name)
		io.WriteString(w, body)
	}
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+
		`<row><c t="inlineStr"><is><t>email</t></is></c></row><row><c t="inlineStr"><is><t>a@x.nl</t></is></c></row>`)
	empty := []byte(strings.Repeat("<row><c/></row>", 1000))
	for range 1000 {
		w.Write(empty)
	}
	io.WriteString(w, `<row><c t="inlineStr"><is><t>b@x.nl</t></is></c></row></sheetData></worksheet>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCancelStopsAWorkbookMidRead: cancelling a job stops its run within
// moments even while the reader is in a long stretch without rows to
// commit (before, a bomb workbook ran for minutes after it was cancelled);
// and a worker handed the job again, as River does with the job of a
// process that died, leaves it cancelled without opening the file.
func TestCancelStopsAWorkbookMidRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	book := slowWorkbook(t)
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be.Open(t))
			b.svc.cancelPoll = 10 * time.Millisecond
			b.svc.TempDir = t.TempDir()
			im := b.newImport(t, string(book), func(im *intake.Import) {
				im.Format, im.FileName, im.Headers = "xlsx", "slow.xlsx", []string{"email"}
				im.Spec.Mapping = map[string]string{"email": intake.FieldEmail}
			})
			done := make(chan error, 1)
			go func() { done <- b.svc.Run(ctx, b.tenant, im.ID) }()
			for getImport(t, b, im.ID).Status != intake.StatusRunning {
				time.Sleep(2 * time.Millisecond)
			}
			time.Sleep(200 * time.Millisecond) // well into the workbook
			if _, err := b.svc.Cancel(ctx, b.tenant, im.ID); err != nil {
				t.Fatal(err)
			}
			cancelled := time.Now()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
			case <-time.After(time.Minute):
				t.Fatal("the run goes on a minute after its job was cancelled")
			}
			if took := time.Since(cancelled); took > 2*time.Second {
				t.Fatalf("the run stopped %v after its job was cancelled", took)
			}
			got := getImport(t, b, im.ID)
			if got.Status != intake.StatusCancelled || got.Created != 0 || countContacts(t, b.store, b.tenant) != 0 {
				t.Fatalf("after cancel: %+v", got)
			}
			// Handed the job again: nothing runs. The upload is gone, so a run
			// that opened it would fail.
			if err := b.bucket.Delete(ctx, im.FileKey); err != nil {
				t.Fatal(err)
			}
			if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
				t.Fatalf("second run: %v", err)
			}
			if again := getImport(t, b, im.ID); again.Status != intake.StatusCancelled || again.Error != "" || again.ProcessedRows != got.ProcessedRows {
				t.Fatalf("after a second run: %+v", again)
			}
		})
	}
}
