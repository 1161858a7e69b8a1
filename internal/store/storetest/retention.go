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
		return endedJob(t, s, tenant, status)
	}
	done, failed, other, running := job(a.ID, intake.StatusCompleted), job(a.ID, intake.StatusFailed), job(b.ID, intake.StatusCancelled), job(a.ID, intake.StatusRunning)
	if done.ErrorsStored != 1 || done.ErrorsOmitted != 2 || done.ReportExpired {
		t.Fatalf("report counters: %+v", done)
	}
	if got, err := s.ExpiredImports(ctx, time.Now().Add(-time.Hour), 10); err != nil || len(got) != 0 {
		t.Fatalf("nothing ended an hour ago: %v %v", importIDs(got), err)
	}
	got, err := s.ExpiredImports(ctx, time.Now().Add(time.Second), 10)
	if err != nil || !slices.Equal(importIDs(got), []int64{done.ID, failed.ID, other.ID}) {
		t.Fatalf("expired %v, want %v %v", importIDs(got), []int64{done.ID, failed.ID, other.ID}, err)
	}
	checkExpireImport(t, s, a.ID, b.ID, done, failed)
	got, _ = s.ExpiredImports(ctx, time.Now().Add(time.Second), 10)
	if !slices.Equal(importIDs(got), []int64{failed.ID, other.ID}) || slices.Contains(importIDs(got), running.ID) {
		t.Fatalf("after expiring one: %v", importIDs(got))
	}
}

// endedJob is a job of tenant with three rows processed, one row error
// stored and two omitted, then ended with status (running: left running).
func endedJob(t *testing.T, s store.Store, tenant int64, status intake.ImportStatus) intake.Import {
	t.Helper()
	ctx := context.Background()
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

func importIDs(ims []intake.Import) []int64 {
	var out []int64
	for _, im := range ims {
		out = append(out, im.ID)
	}
	return out
}

// checkExpireImport: ExpireImport works in its tenant only, marks the job
// and deletes its row errors, not another job's.
func checkExpireImport(t *testing.T, s store.Store, a, b int64, done, failed intake.Import) {
	ctx := context.Background()
	if err := s.ExpireImport(ctx, b, done.ID); intake.ErrorCode(err) != intake.ENOTFOUND {
		t.Fatalf("another tenant expired the job: %v", err)
	}
	if err := s.ExpireImport(ctx, a, done.ID); err != nil {
		t.Fatal(err)
	}
	im, _ := s.GetImport(ctx, a, done.ID)
	if !im.ReportExpired || im.ExpiredAt == nil || im.FailedRows != 3 {
		t.Fatalf("expired job %+v", im)
	}
	if errs, err := s.ListImportErrors(ctx, a, done.ID, 0, 10); err != nil || len(errs) != 0 {
		t.Fatalf("row errors left: %v %v", errs, err)
	}
	if errs, _ := s.ListImportErrors(ctx, a, failed.ID, 0, 10); len(errs) != 1 {
		t.Fatalf("another job's row errors went: %v", errs)
	}
}
