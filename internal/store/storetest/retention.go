package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// testRetention: ExpiredImports finds jobs of every tenant that ended
// before the cutoff and have not expired, oldest first; ExpireImport
// deletes a job's row errors and marks it, in its tenant only; the report
// counters a checkpoint stores read back.
func testRetention(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, b := setup(t, open)
	job := func(tenant int64, status intake.ImportStatus) intake.Import {
		t.Helper()
		im := intake.Import{TenantID: tenant, Status: intake.StatusRunning, FileKey: "k", Format: "csv", Spec: intake.DefaultSpec()}
		if err := store.CreateImport(ctx, s, &im); err != nil {
			t.Fatal(err)
		}
		next := im
		next.ProcessedRows, next.FailedRows, next.ErrorsStored, next.ErrorsOmitted = 3, 3, 1, 2
		err := s.Write(ctx, tenant, func(tx store.Tx) error {
			return tx.SaveImportProgress(ctx, &next, 0, []intake.RowError{{Row: 2, Code: "x", Message: "m", Outcome: intake.OutcomeFailed}})
		})
		if err != nil {
			t.Fatal(err)
		}
		im, err = store.UpdateImport(ctx, s, tenant, im.ID, func(im *intake.Import) error {
			if status == intake.StatusRunning {
				return nil
			}
			now := time.Now()
			im.Status, im.FinishedAt = status, &now
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return im
	}
	done, failed, other, running := job(a.ID, intake.StatusCompleted), job(a.ID, intake.StatusFailed), job(b.ID, intake.StatusCancelled), job(a.ID, intake.StatusRunning)
	if done.ErrorsStored != 1 || done.ErrorsOmitted != 2 || done.ReportExpired {
		t.Fatalf("report counters: %+v", done)
	}
	ids := func(ims []intake.Import) []int64 {
		var out []int64
		for _, im := range ims {
			out = append(out, im.ID)
		}
		return out
	}
	if got, err := s.ExpiredImports(ctx, time.Now().Add(-time.Hour), 10); err != nil || len(got) != 0 {
		t.Fatalf("nothing ended an hour ago: %v %v", ids(got), err)
	}
	got, err := s.ExpiredImports(ctx, time.Now().Add(time.Second), 10)
	if err != nil || !slices.Equal(ids(got), []int64{done.ID, failed.ID, other.ID}) {
		t.Fatalf("expired %v, want %v %v", ids(got), []int64{done.ID, failed.ID, other.ID}, err)
	}
	if err := s.ExpireImport(ctx, b.ID, done.ID); intake.ErrorCode(err) != intake.ENOTFOUND {
		t.Fatalf("another tenant expired the job: %v", err)
	}
	if err := s.ExpireImport(ctx, a.ID, done.ID); err != nil {
		t.Fatal(err)
	}
	im, _ := s.GetImport(ctx, a.ID, done.ID)
	if !im.ReportExpired || im.ExpiredAt == nil || im.FailedRows != 3 {
		t.Fatalf("expired job %+v", im)
	}
	if errs, err := s.ListImportErrors(ctx, a.ID, done.ID, 0, 10); err != nil || len(errs) != 0 {
		t.Fatalf("row errors left: %v %v", errs, err)
	}
	if errs, _ := s.ListImportErrors(ctx, a.ID, failed.ID, 0, 10); len(errs) != 1 {
		t.Fatalf("another job's row errors went: %v", errs)
	}
	got, _ = s.ExpiredImports(ctx, time.Now().Add(time.Second), 10)
	if !slices.Equal(ids(got), []int64{failed.ID, other.ID}) || slices.Contains(ids(got), running.ID) {
		t.Fatalf("after expiring one: %v", ids(got))
	}
}
