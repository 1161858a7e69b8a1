package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// testImports checks that import jobs are tenant-scoped, checkpoints guarded
// and row errors listed in row order.
func testImports(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, b := setup(t, open)
	im := &intake.Import{TenantID: a.ID, Status: intake.StatusQueued, FileKey: "k", Format: "csv",
		Spec: intake.DefaultSpec(), Headers: []string{"email", "name"}}
	if err := store.CreateImport(ctx, s, im); err != nil || im.ID == 0 {
		t.Fatalf("create: %v %+v", err, im)
	}
	if _, err := s.GetImport(ctx, b.ID, im.ID); intake.ErrorCode(err) != intake.ENOTFOUND {
		t.Fatalf("other tenant reads the job: %v", err)
	}
	if _, err := store.UpdateImport(ctx, s, b.ID, im.ID, func(*intake.Import) error { return nil }); intake.ErrorCode(err) != intake.ENOTFOUND {
		t.Fatalf("other tenant updates the job: %v", err)
	}
	running, err := store.UpdateImport(ctx, s, a.ID, im.ID, func(im *intake.Import) error {
		im.Status = intake.StatusRunning
		now := time.Now()
		im.StartedAt = &now
		return nil
	})
	if err != nil || running.Status != intake.StatusRunning || running.StartedAt == nil {
		t.Fatalf("update: %+v %v", running, err)
	}
	save := func(from, to int, errs ...intake.RowError) error {
		next := running
		next.ProcessedRows, next.TotalRows, next.Created = to, 10, to
		return s.Write(ctx, a.ID, func(tx store.Tx) error { return tx.SaveImportProgress(ctx, &next, from, errs) })
	}
	if err := save(0, 4, intake.RowError{Row: 5, Column: "Member No", Field: "custom.member_id", Value: "seven", Code: "x", Message: "m", Outcome: intake.OutcomeFailed, Values: []string{"a", "b"}},
		intake.RowError{Row: 3, Code: "y", Message: "n", Outcome: intake.OutcomeSkipped}); err != nil {
		t.Fatal(err)
	}
	if err := save(0, 4); intake.ErrorCode(err) != intake.ESTATE {
		t.Fatalf("a stale checkpoint was accepted: %v", err)
	}
	got, _ := s.GetImport(ctx, a.ID, im.ID)
	if got.ProcessedRows != 4 || got.Created != 4 || got.TotalRows != 10 || got.Progress() != 40 {
		t.Fatalf("after checkpoint: %+v", got)
	}
	errs, err := s.ListImportErrors(ctx, a.ID, im.ID, 0, 10)
	if err != nil || len(errs) != 2 || errs[0].Row != 3 || errs[1].Row != 5 || !slices.Equal(errs[1].Values, []string{"a", "b"}) ||
		errs[1].Column != "Member No" || errs[1].Field != "custom.member_id" || errs[1].Value != "seven" {
		t.Fatalf("row errors %+v %v", errs, err)
	}
	if other, _ := s.ListImportErrors(ctx, b.ID, im.ID, 0, 10); len(other) != 0 {
		t.Fatalf("other tenant reads row errors: %+v", other)
	}
	store.UpdateImport(ctx, s, a.ID, im.ID, func(im *intake.Import) error { im.Status = intake.StatusCancelled; return nil })
	if err := save(4, 8); intake.ErrorCode(err) != intake.ESTATE {
		t.Fatalf("a cancelled job took a checkpoint: %v", err)
	}
	list, err := s.ListImports(ctx, a.ID, 0, 10)
	if err != nil || len(list) != 1 || list[0].ID != im.ID {
		t.Fatalf("list %+v %v", list, err)
	}
	if other, _ := s.ListImports(ctx, b.ID, 0, 10); len(other) != 0 {
		t.Fatalf("other tenant lists the job")
	}
}

// testJobs checks that Jobs creates and updates a job in one transaction.
func testJobs(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, _ := setup(t, open)
	im := &intake.Import{TenantID: a.ID, Status: intake.StatusQueued, FileKey: "k", Format: "csv",
		Spec: intake.DefaultSpec()}
	var running intake.Import
	err := s.Jobs(ctx, a.ID, func(tx store.JobTx) error {
		if tx.Enqueue(ctx, 1) == nil {
			return errors.New("enqueue succeeded on a store paired with no queue")
		}
		if err := tx.CreateImport(ctx, im); err != nil {
			return err
		}
		var err error
		running, err = tx.UpdateImport(ctx, im.ID, func(im *intake.Import) error {
			im.Status = intake.StatusRunning
			return nil
		})
		return err
	})
	if err != nil || im.ID == 0 || im.CreatedAt.IsZero() || running.Status != intake.StatusRunning {
		t.Fatalf("jobs: %v, created %+v, updated %+v", err, im, running)
	}
	if got, err := s.GetImport(ctx, a.ID, im.ID); err != nil || got.Status != intake.StatusRunning || got.FileKey != "k" {
		t.Fatalf("stored %+v %v", got, err)
	}
}

// testJobsRollBack checks that an error from a Jobs fn leaves nothing.
func testJobsRollBack(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, _ := setup(t, open)
	boom := errors.New("boom")
	kept := &intake.Import{TenantID: a.ID, Status: intake.StatusQueued, Spec: intake.DefaultSpec()}
	if err := store.CreateImport(ctx, s, kept); err != nil {
		t.Fatal(err)
	}
	err := s.Jobs(ctx, a.ID, func(tx store.JobTx) error {
		gone := &intake.Import{TenantID: a.ID, Status: intake.StatusQueued, Spec: intake.DefaultSpec()}
		if err := tx.CreateImport(ctx, gone); err != nil {
			return err
		}
		if _, err := tx.UpdateImport(ctx, kept.ID, func(im *intake.Import) error { im.Name = "renamed"; return nil }); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	// fn's error from UpdateImport is returned and nothing is stored,
	// even when the transaction then commits.
	err = s.Jobs(ctx, a.ID, func(tx store.JobTx) error {
		_, err := tx.UpdateImport(ctx, kept.ID, func(im *intake.Import) error { im.Name = "renamed"; return boom })
		if !errors.Is(err, boom) {
			return fmt.Errorf("UpdateImport err = %v, want boom", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.ListImports(ctx, a.ID, 0, 10)
	if err != nil || len(list) != 1 || list[0].ID != kept.ID || list[0].Name != "" {
		t.Fatalf("after rollback: %+v %v", list, err)
	}
}

// testJobsTenancy checks that Jobs of one tenant cannot read or change another's job.
func testJobsTenancy(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, b := setup(t, open)
	im := &intake.Import{TenantID: a.ID, Status: intake.StatusQueued, Spec: intake.DefaultSpec()}
	if err := store.CreateImport(ctx, s, im); err != nil {
		t.Fatal(err)
	}
	err := s.Jobs(ctx, b.ID, func(tx store.JobTx) error {
		_, err := tx.UpdateImport(ctx, im.ID, func(im *intake.Import) error { im.Name = "hijacked"; return nil })
		return err
	})
	if intake.ErrorCode(err) != intake.ENOTFOUND {
		t.Fatalf("err = %v, want not found", err)
	}
	err = s.Jobs(ctx, b.ID, func(tx store.JobTx) error {
		return tx.CreateImport(ctx, &intake.Import{TenantID: a.ID, Status: intake.StatusQueued})
	})
	if err == nil {
		t.Fatal("a job of tenant a was created in a transaction of tenant b")
	}
	if got, _ := s.GetImport(ctx, a.ID, im.ID); got.Name != "" {
		t.Fatalf("job changed: %+v", got)
	}
	if list, _ := s.ListImports(ctx, a.ID, 0, 10); len(list) != 1 {
		t.Fatalf("tenant a has %d jobs, want 1", len(list))
	}
}
