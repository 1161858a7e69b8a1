package imports

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/testdb"
)

func countContacts(t *testing.T, s store.Store, tenant int64) int {
	t.Helper()
	n, after := 0, int64(0)
	for {
		page, err := s.ListContacts(context.Background(), tenant, store.ContactFilter{After: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return n
		}
		n += len(page)
		after = page[len(page)-1].ID
	}
}

func getImport(t *testing.T, b *bundle, id int64) intake.Import {
	t.Helper()
	im, err := b.store.GetImport(context.Background(), b.tenant, id)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

func TestRunner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const rows = 5000
	content, distinct, invalid, dups := contactsCSV(rows)
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			s := be.Open(t)

			t.Run("a messy file completes with counts that match the file", func(t *testing.T) {
				b := setup(t, s)
				b.svc.Engine.ChunkSize = 700
				var progress []int
				b.svc.afterChunk = func(processed int) { progress = append(progress, processed) }
				im := b.newImport(t, content, nil)
				if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
					t.Fatal(err)
				}
				got := getImport(t, b, im.ID)
				if got.Status != intake.StatusCompleted || got.TotalRows != rows || got.ProcessedRows != rows ||
					got.Created != distinct || got.FailedRows != invalid || got.Skipped != dups || got.Updated != 0 {
					t.Fatalf("job %+v; want created %d failed %d skipped %d", got, distinct, invalid, dups)
				}
				if n := countContacts(t, s, b.tenant); n != distinct {
					t.Fatalf("%d contacts stored, want %d", n, distinct)
				}
				if len(progress) != 8 || progress[0] != 700 || progress[len(progress)-1] != rows {
					t.Fatalf("checkpoints %v", progress)
				}
				errs, err := s.ListImportErrors(ctx, b.tenant, im.ID, 0, 100000)
				if err != nil || len(errs) != invalid+dups {
					t.Fatalf("%d row errors (%v), want %d", len(errs), err, invalid+dups)
				}
				for _, e := range errs {
					switch e.Code {
					case intake.CodeInvalidEmail:
						if e.Outcome != intake.OutcomeFailed || e.Column != "email" || !strings.Contains(e.Values[0], "-at-") {
							t.Fatalf("bad invalid-email error %+v", e)
						}
					case intake.CodeDuplicateInFile:
						if e.Outcome != intake.OutcomeSkipped {
							t.Fatalf("bad duplicate error %+v", e)
						}
					default:
						t.Fatalf("unexpected error %+v", e)
					}
				}
				// Re-running the same file changes nothing.
				again := b.newImport(t, content, nil)
				if err := b.svc.Run(ctx, b.tenant, again.ID); err != nil {
					t.Fatal(err)
				}
				if g := getImport(t, b, again.ID); g.Created != 0 || g.Updated != distinct {
					t.Fatalf("second run %+v", g)
				}
			})

			t.Run("validate mode writes nothing, reports what would happen and ends previewed", func(t *testing.T) {
				b := setup(t, s)
				im := b.newImport(t, content, func(im *intake.Import) { im.Spec.Mode = intake.ModeValidate })
				if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
					t.Fatal(err)
				}
				got := getImport(t, b, im.ID)
				if got.Status != intake.StatusPreviewed || got.Created != distinct || got.FailedRows != invalid {
					t.Fatalf("job %+v", got)
				}
				if n := countContacts(t, s, b.tenant); n != 0 {
					t.Fatalf("validate wrote %d contacts", n)
				}
			})

			t.Run("a job stopped mid-file resumes without losing or repeating a row", func(t *testing.T) {
				b := setup(t, s)
				b.svc.Engine.ChunkSize = 500
				im := b.newImport(t, content, nil)
				runCtx, stop := context.WithCancel(ctx)
				chunks := 0
				b.svc.afterChunk = func(int) {
					if chunks++; chunks == 3 {
						stop() // the worker is stopped: the next chunk's transaction fails
					}
				}
				if err := b.svc.Run(runCtx, b.tenant, im.ID); !errors.Is(err, context.Canceled) {
					t.Fatalf("stopped run returned %v", err)
				}
				mid := getImport(t, b, im.ID)
				if mid.Status != intake.StatusRunning || mid.ProcessedRows != 1500 {
					t.Fatalf("after stop: %+v", mid)
				}
				b.svc.afterChunk = nil
				if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
					t.Fatal(err)
				}
				got := getImport(t, b, im.ID)
				if got.Status != intake.StatusCompleted || got.Created != distinct || got.FailedRows != invalid || got.Skipped != dups || got.ProcessedRows != rows {
					t.Fatalf("resumed job %+v", got)
				}
				if n := countContacts(t, s, b.tenant); n != distinct {
					t.Fatalf("%d contacts, want %d", n, distinct)
				}
				errs, _ := s.ListImportErrors(ctx, b.tenant, im.ID, 0, 100000)
				if len(errs) != invalid+dups {
					t.Fatalf("%d row errors after resume, want %d", len(errs), invalid+dups)
				}
			})

			t.Run("cancel stops a running job at its next chunk", func(t *testing.T) {
				b := setup(t, s)
				b.svc.Engine.ChunkSize = 500
				im := b.newImport(t, content, nil)
				b.svc.afterChunk = func(processed int) {
					if processed == 1000 {
						if _, err := store.UpdateImport(ctx, s, b.tenant, im.ID, func(im *intake.Import) error {
							im.Status = intake.StatusCancelled
							return nil
						}); err != nil {
							t.Error(err)
						}
					}
				}
				if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
					t.Fatal(err)
				}
				got := getImport(t, b, im.ID)
				if got.Status != intake.StatusCancelled || got.ProcessedRows != 1000 {
					t.Fatalf("cancelled job %+v", got)
				}
				if n := countContacts(t, s, b.tenant); n != got.Created || n == 0 {
					t.Fatalf("%d contacts stored, job says %d created", n, got.Created)
				}
				// Running it again does nothing.
				if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil || getImport(t, b, im.ID).ProcessedRows != 1000 {
					t.Fatalf("rerun of a cancelled job: %v", err)
				}
			})

			t.Run("skip_on_error=false writes nothing when a row fails and reports every row", func(t *testing.T) {
				b := setup(t, s)
				b.svc.Engine.ChunkSize = 100
				small, _, inv, _ := contactsCSV(400)
				im := b.newImport(t, small, func(im *intake.Import) { im.Spec.SkipOnError = false })
				if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
					t.Fatal(err)
				}
				got := getImport(t, b, im.ID)
				if got.Status != intake.StatusCompleted || got.Created != 0 || got.FailedRows != inv || got.Skipped != 400-inv {
					t.Fatalf("job %+v", got)
				}
				if n := countContacts(t, s, b.tenant); n != 0 {
					t.Fatalf("%d contacts written", n)
				}
				// A row that fails only because of an earlier chunk's row
				// still stops the whole file.
				b.svc.Engine.ChunkSize = 1
				im = b.newImport(t, "email,customer_number\nd1@example.com,CX\nd2@example.com,\nd3@example.com,CX\n",
					func(im *intake.Import) { im.Spec.SkipOnError = false })
				if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
					t.Fatal(err)
				}
				if got := getImport(t, b, im.ID); got.Created != 0 || got.FailedRows != 1 || got.Skipped != 2 {
					t.Fatalf("cross-chunk conflict: %+v", got)
				}
				errs, _ := s.ListImportErrors(ctx, b.tenant, im.ID, 0, 10)
				if len(errs) != 3 || errs[2].Row != 4 || errs[2].Code != intake.CodeValueTaken || errs[0].Code != intake.CodeNotWrittenBatch {
					t.Fatalf("report %+v", errs)
				}
				if n := countContacts(t, s, b.tenant); n != 0 {
					t.Fatalf("%d contacts written", n)
				}
				// Without a bad row the same setting writes everything.
				clean := "email,first_name\na@example.com,A\nb@example.com,B\n"
				im = b.newImport(t, clean, func(im *intake.Import) { im.Spec.SkipOnError = false })
				if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
					t.Fatal(err)
				}
				if got := getImport(t, b, im.ID); got.Created != 2 {
					t.Fatalf("clean all-or-nothing job %+v", got)
				}
			})

			t.Run("a NUL character in a row is dropped, the batch still commits", func(t *testing.T) {
				b := setup(t, s)
				// Past the head that format sniffing reads, where a NUL
				// still means "binary file".
				head, n, _, _ := contactsCSV(3000)
				im := b.newImport(t, head+"nul@example.com,B\x00C,,,,,,,\n", nil)
				if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
					t.Fatal(err)
				}
				if got := getImport(t, b, im.ID); got.Status != intake.StatusCompleted || got.Created != n+1 {
					t.Fatalf("job %+v", got)
				}
			})

			t.Run("after an all-new chunk, lookups are skipped until a unique index objects", func(t *testing.T) {
				b := setup(t, s)
				b.svc.Engine.ChunkSize = 2
				// A contact the later chunks will meet.
				if err := s.Write(ctx, b.tenant, func(tx store.Tx) error {
					return tx.InsertContacts(ctx, []*intake.Contact{{Email: "old@example.com", City: "Oslo"}})
				}); err != nil {
					t.Fatal(err)
				}
				file := "email,customer_number,city\n" +
					"n1@example.com,C1,A\nn2@example.com,C2,A\n" + // chunk 1: all new, so chunk 2 goes optimistic
					"n3@example.com,C3,A\nold@example.com,,Bergen\n" + // chunk 2: old exists → conflict → fallback → update
					"n4@example.com,C1,A\nn5@example.com,C5,A\n" + // chunk 3: C1 is taken by n1 → value_taken
					"n6@example.com,C6,A\nn7@example.com,C7,A\n" // chunk 4
				im := b.newImport(t, file, nil)
				if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
					t.Fatal(err)
				}
				got := getImport(t, b, im.ID)
				if got.Created != 6 || got.Updated != 1 || got.FailedRows != 1 {
					t.Fatalf("job %+v", got)
				}
				errs, _ := s.ListImportErrors(ctx, b.tenant, im.ID, 0, 10)
				if len(errs) != 1 || errs[0].Row != 6 || errs[0].Code != intake.CodeValueTaken {
					t.Fatalf("errors %+v", errs)
				}
				list, _ := s.ListContacts(ctx, b.tenant, store.ContactFilter{Email: "old@example.com", Limit: 5})
				if len(list) != 1 || list[0].City != "Bergen" {
					t.Fatalf("old contact %+v", list)
				}
				if n := countContacts(t, s, b.tenant); n != 7 {
					t.Fatalf("%d contacts, want 7", n)
				}
			})

			t.Run("an unusable file fails the job with the reason", func(t *testing.T) {
				b := setup(t, s)
				big := "email\n\"" + strings.Repeat("x", 5<<20) + "\n"
				im := b.newImport(t, big, nil)
				if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
					t.Fatal(err)
				}
				got := getImport(t, b, im.ID)
				if got.Status != intake.StatusFailed || got.Error == "" {
					t.Fatalf("job %+v", got)
				}
			})

			t.Run("two jobs on one tenant at once never create duplicates", func(t *testing.T) {
				b := setup(t, s)
				b.svc.Engine.ChunkSize = 300
				small, dist, _, _ := contactsCSV(2000)
				ims := []intake.Import{b.newImport(t, small, nil), b.newImport(t, small, nil)}
				errc := make(chan error, 2)
				for _, im := range ims {
					go func() { errc <- b.svc.Run(ctx, b.tenant, im.ID) }()
				}
				for range 2 {
					if err := <-errc; err != nil {
						t.Fatal(err)
					}
				}
				created := 0
				for _, im := range ims {
					g := getImport(t, b, im.ID)
					created += g.Created
					if g.Created+g.Updated != dist {
						t.Fatalf("job %d: created %d + updated %d != %d", g.ID, g.Created, g.Updated, dist)
					}
				}
				if n := countContacts(t, s, b.tenant); n != dist || created != dist {
					t.Fatalf("%d contacts, %d created in total; want %d", n, created, dist)
				}
			})
		})
	}
}

func TestContactsCSVCounts(t *testing.T) {
	_, d, i, u := contactsCSV(1000)
	if d+i+u != 1000 || i == 0 || u == 0 {
		t.Fatal(fmt.Sprint(d, i, u))
	}
}
