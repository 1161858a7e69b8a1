package imports

import (
	"context"
	"strings"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/testdb"
)

// TestDetectedTableOnTheJob: a JSON upload whose people are nested under
// data.people, and a tab-separated UTF-16 file with a banner, land whole;
// the job keeps what the reader chose (path, header row, delimiter,
// encoding), so every later read of the file reads the same table.
func TestDetectedTableOnTheJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	utf16 := func(s string) string {
		b := []byte{0xFF, 0xFE}
		for _, r := range s {
			b = append(b, byte(r), byte(r>>8))
		}
		return string(b)
	}
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be.Open(t))
			b.svc.Queue = enqueueOnly{}
			for _, tc := range []struct {
				name, file, content string
				check               func(intake.Import) bool
			}{
				{"nested.json", "nested.json", `{"meta":{"page":1},"data":{"people":[{"email":"ann@x.nl","first_name":"Ann"},{"email":"bob@x.nl","first_name":"Bob"}]}}`,
					func(im intake.Import) bool { return im.Spec.Path == "data.people" && im.Format == "json" }},
				{"banner.tsv", "export.txt", utf16("Exported 2025-03-04 by the CRM\r\nemail\tfirst_name\tcity\r\ncy@x.nl\tCy\tOslo\r\ndee@x.nl\tDee\tBergen\r\n"),
					func(im intake.Import) bool {
						return im.Spec.HeaderRow == 2 && im.Delimiter == "\t" && im.Encoding == "utf-16le" && im.Format == "tsv"
					}},
				{"footer.csv", "report.csv", "Name,email,city\nEve,eve@x.nl,Oslo\nFay,fay@x.nl,Bergen\nTotal: 2,,\n",
					func(im intake.Import) bool {
						return len(im.Warnings) > 0 && strings.Contains(im.Warnings[len(im.Warnings)-1], "Rows 4 at the end")
					}},
			} {
				// The job as the create path makes it: the header read
				// (readHeader) and each header mapped to its own field.
				im := b.newImport(t, tc.content, func(im *intake.Import) {
					im.FileName, im.Format = tc.file, ""
					if err := b.svc.readHeader(ctx, im); err != nil {
						t.Fatal(err)
					}
					im.Spec.Mapping = map[string]string{}
					for _, h := range im.Headers {
						im.Spec.Mapping[h] = h
					}
				})
				err := b.svc.Run(ctx, b.tenant, im.ID)
				if err == nil {
					im, err = b.svc.Get(ctx, b.tenant, im.ID)
				}
				if err != nil || im.Status != intake.StatusCompleted || im.Created != 2 || !tc.check(im) {
					t.Fatalf("%s: job %+v %v", tc.name, im, err)
				}
			}
		})
	}
}
