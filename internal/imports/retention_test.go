package imports

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/testdb"
)

// TestReportCap: a file of many bad rows stores at most MaxReportRows row
// errors (once 3.5 million, 657 MB); the counts stay exact and the job says
// how many report rows it left out, across chunks.
func TestReportCap(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be.Open(t))
			b.svc.MaxReportRows, b.svc.Engine.ChunkSize = 25, 10
			var file strings.Builder
			file.WriteString("email\n")
			for i := range 100 {
				fmt.Fprintf(&file, "not-an-email-%d\n", i)
			}
			im := b.newImport(t, file.String(), nil)
			if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
				t.Fatal(err)
			}
			got := getImport(t, b, im.ID)
			if got.Status != intake.StatusCompleted || got.FailedRows != 100 || got.ErrorsOmitted != 75 || got.ErrorsStored != 25 {
				t.Fatalf("job %+v", got)
			}
			errs, err := b.svc.Errors(ctx, b.tenant, im.ID, 0, 1000)
			if err != nil || len(errs) != 25 || errs[0].Row != 2 || errs[24].Row != 26 {
				t.Fatalf("%d report rows, %v", len(errs), err)
			}
		})
	}
}

// TestSweep: uploads and reports of jobs that ended before the retention
// period are deleted, the job says its report expired and its errors are
// gone (EGONE); a job that ended recently keeps both. Stale temporary
// files go; fresh ones (an upload being written) stay.
func TestSweep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be.Open(t))
			b.svc.Retention = time.Hour
			b.svc.UploadDir, b.svc.TempDir = t.TempDir(), t.TempDir()
			first := b.newImport(t, "email\nbad\n", nil)
			second := b.newImport(t, "email\nbad\n", nil)
			for _, im := range []intake.Import{first, second} {
				if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
					t.Fatal(err)
				}
			}
			stale := []string{filepath.Join(b.svc.UploadDir, "imports", "1", "x.123.tmp"), filepath.Join(b.svc.TempDir, "intake-xlsx-1.tmp")}
			fresh := filepath.Join(b.svc.UploadDir, "y.456.tmp")
			for _, p := range append(stale, fresh) {
				os.MkdirAll(filepath.Dir(p), 0o700)
				os.WriteFile(p, []byte("x"), 0o600)
			}
			for _, p := range stale {
				os.Chtimes(p, time.Now().Add(-time.Hour), time.Now().Add(-time.Hour))
			}
			// Move the clock: jobs that ended now are an hour and a minute old.
			b.svc.now = func() time.Time { return time.Now().Add(time.Hour + time.Minute) }
			n, err := b.svc.Sweep(ctx)
			if err != nil || n != 2 {
				t.Fatalf("swept %d, %v", n, err)
			}
			for _, im := range []intake.Import{first, second} {
				got := getImport(t, b, im.ID)
				if !got.ReportExpired || got.FailedRows != 1 {
					t.Fatalf("after the sweep: %+v", got)
				}
				if ok, _ := b.bucket.Exists(ctx, im.FileKey); ok {
					t.Fatalf("upload %s kept", im.FileKey)
				}
				if _, err := b.svc.Errors(ctx, b.tenant, im.ID, 0, 10); intake.ErrorCode(err) != intake.EGONE {
					t.Fatalf("errors of an expired job: %v", err)
				}
				// The job itself still shows, in every dialect's view: no
				// errors, not a 410.
				if errs, err := b.svc.FirstErrors(ctx, &got, 25); err != nil || len(errs) != 0 {
					t.Fatalf("first errors of an expired job: %v, %v", errs, err)
				}
			}
			for _, p := range stale {
				if _, err := os.Stat(p); !os.IsNotExist(err) {
					t.Fatalf("stale %s kept: %v", p, err)
				}
			}
			if _, err := os.Stat(fresh); err != nil {
				t.Fatalf("fresh temporary file removed: %v", err)
			}
			// A second sweep finds nothing; a job within the period stays.
			b.svc.now = nil
			kept := b.newImport(t, "email\nbad\n", nil)
			if err := b.svc.Run(ctx, b.tenant, kept.ID); err != nil {
				t.Fatal(err)
			}
			if n, err := b.svc.Sweep(ctx); err != nil || n != 0 {
				t.Fatalf("second sweep %d %v", n, err)
			}
			if got := getImport(t, b, kept.ID); got.ReportExpired {
				t.Fatalf("a recent job expired: %+v", got)
			}
			if ok, _ := b.bucket.Exists(ctx, kept.FileKey); !ok {
				t.Fatal("a recent job's upload went")
			}
		})
	}
}
