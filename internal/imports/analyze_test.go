package imports

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/testdb"
)

// TestAnalyzeInJob: a remote location is not fetched by the create request
// (status analyzing, no file yet); the job fetches it, reads the header,
// maps it and runs; one whose mapping misses a required field waits for it;
// one it cannot fetch fails with the reason.
func TestAnalyzeInJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/export.csv":
			w.Write([]byte("email,first_name\nremote@x.nl,Rem\n"))
		case "/nameless.csv":
			w.Write([]byte("first_name\nRem\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(files.Close)
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be.Open(t))
			b.svc.Queue, b.svc.LocationPrivate = enqueueOnly{}, true
			run := func(path string) intake.Import {
				t.Helper()
				up, err := b.svc.Remote(b.tenant, files.URL+path, "")
				if err != nil {
					t.Fatal(err)
				}
				req := intake.ImportRequest{Spec: intake.DefaultSpec(), Autostart: true, Remap: true}
				req.Spec.Required = []string{intake.FieldEmail}
				c, err := b.svc.Create(ctx, b.tenant, Input{Upload: up, Translate: fixed(req)})
				if exists, _ := b.bucket.Exists(ctx, c.Import.FileKey); err != nil || c.Import.Status != intake.StatusAnalyzing || exists {
					t.Fatalf("create: %+v %v", c.Import, err)
				}
				if err := b.svc.Run(ctx, b.tenant, c.Import.ID); err != nil {
					t.Fatal(err)
				}
				return getImport(t, b, c.Import.ID)
			}
			if im := run("/export.csv"); im.Status != intake.StatusCompleted || im.Created != 1 ||
				strings.Join(im.Headers, ",") != "email,first_name" || im.Spec.Analysis != nil {
				t.Fatalf("fetched: %+v", im)
			}
			if im := run("/nameless.csv"); im.Status != intake.StatusAwaitingMapping || !strings.Contains(strings.Join(im.Warnings, " "), "Missing required headers: email") {
				t.Fatalf("no email column: %+v", im)
			}
			if im := run("/missing.csv"); im.Status != intake.StatusFailed || !strings.Contains(im.Error, "404") {
				t.Fatalf("missing: %+v", im)
			}
		})
	}
}
