package imports

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/testdb"
)

// storedEmails lists a tenant's contacts by email, sorted.
func storedEmails(t *testing.T, s store.Store, tenant int64) []string {
	t.Helper()
	cs, err := s.ListContacts(context.Background(), tenant, store.ContactFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		out = append(out, c.Email)
	}
	slices.Sort(out)
	return out
}

// TestRemoveMissing is remove_missing (Copernica's removeMissing) on both
// stores: what is deleted, what a failed or duplicate row protects, what
// validate reports, and that an unfinished or rejected job removes nothing.
func TestRemoveMissing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const seed = "email,first_name,phone\na@x.nl,Ann,\nb@x.nl,Bob,\nc@x.nl,Cas,\nd@x.nl,Dirk,\ne@x.nl,Eva,\ng@x.nl,Gus,\n"
	// a changes, b is unchanged, c has a bad phone (failed: its contact
	// stays), g appears twice under ignore_all (skipped: stays), f is new;
	// d and e are not in the file.
	const file = "email,first_name,phone\na@x.nl,Anna,\nb@x.nl,Bob,\nc@x.nl,Cas,not a phone\nf@x.nl,Fay,\ng@x.nl,Gus,\ng@x.nl,Gus,\n"
	withRemove := func(mode intake.Mode) func(*intake.Import) {
		return func(im *intake.Import) {
			im.Spec.Mode, im.Spec.RemoveMissing, im.Spec.Duplicates = mode, true, intake.DuplicatesIgnoreAll
			im.Spec.InvalidFields = intake.InvalidFieldsSkipRow // c's bad phone fails its row
		}
	}
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			s := be.Open(t)
			seeded := func(t *testing.T) *bundle {
				b := setup(t, s)
				if err := b.svc.Run(ctx, b.tenant, b.newImport(t, seed, nil).ID); err != nil {
					t.Fatal(err)
				}
				return b
			}
			run := func(t *testing.T, b *bundle, content string, mutate func(*intake.Import)) intake.Import {
				t.Helper()
				im := b.newImport(t, content, mutate)
				if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
					t.Fatal(err)
				}
				return getImport(t, b, im.ID)
			}
			removedRows := func(t *testing.T, b *bundle, id int64) []string {
				t.Helper()
				errs, err := s.ListImportErrors(ctx, b.tenant, id, 0, 100)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, e := range errs {
					if e.Outcome == intake.OutcomeRemoved {
						if e.Code != intake.CodeRemoved || e.Column != "email" || !strings.Contains(e.Message, e.Value) ||
							len(e.Values) != 3 || e.Values[0] != e.Value {
							t.Errorf("removed report row %+v", e)
						}
						out = append(out, e.Value)
						if e.Row <= 7 {
							t.Errorf("removed contact numbered %d, inside the file's rows", e.Row)
						}
					}
				}
				return out
			}

			t.Run("upsert removes what the file does not contain", func(t *testing.T) {
				b := seeded(t)
				got := run(t, b, file, withRemove(intake.ModeUpsert))
				if got.Status != intake.StatusCompleted || got.Created != 1 || got.Updated != 2 || got.FailedRows != 1 ||
					got.Skipped != 2 || got.Deleted != 2 || got.ProcessedRows != 6 {
					t.Fatalf("job %+v", got)
				}
				if want := []string{"a@x.nl", "b@x.nl", "c@x.nl", "f@x.nl", "g@x.nl"}; !slices.Equal(storedEmails(t, s, b.tenant), want) {
					t.Fatalf("left %v, want %v", storedEmails(t, s, b.tenant), want)
				}
				if r := removedRows(t, b, got.ID); !slices.Equal(r, []string{"d@x.nl", "e@x.nl"}) {
					t.Fatalf("report lists removed %v", r)
				}
			})

			t.Run("create keeps the contacts it skips as existing", func(t *testing.T) {
				b := seeded(t)
				got := run(t, b, file, withRemove(intake.ModeCreate))
				if got.Created != 1 || got.Deleted != 2 {
					t.Fatalf("job %+v", got)
				}
				if want := []string{"a@x.nl", "b@x.nl", "c@x.nl", "f@x.nl", "g@x.nl"}; !slices.Equal(storedEmails(t, s, b.tenant), want) {
					t.Fatalf("left %v", storedEmails(t, s, b.tenant))
				}
			})

			t.Run("validate reports what would be removed and removes nothing", func(t *testing.T) {
				b := seeded(t)
				got := run(t, b, file, withRemove(intake.ModeValidate))
				if got.Deleted != 2 || len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "would remove 2") {
					t.Fatalf("job %+v", got)
				}
				if n := len(storedEmails(t, s, b.tenant)); n != 6 {
					t.Fatalf("validate left %d of 6 contacts", n)
				}
				if r := removedRows(t, b, got.ID); len(r) != 2 {
					t.Fatalf("report lists %v", r)
				}
			})

			t.Run("a rejected all-or-nothing job removes nothing", func(t *testing.T) {
				b := seeded(t)
				got := run(t, b, file, func(im *intake.Import) {
					withRemove(intake.ModeUpsert)(im)
					im.Spec.SkipOnError = false
				})
				if got.Deleted != 0 || got.Created != 0 {
					t.Fatalf("job %+v", got)
				}
				if n := len(storedEmails(t, s, b.tenant)); n != 6 {
					t.Fatalf("rejected job left %d of 6 contacts", n)
				}
			})

			t.Run("an all-or-nothing job that commits removes too", func(t *testing.T) {
				b := seeded(t)
				got := run(t, b, "email\na@x.nl\nb@x.nl\n", func(im *intake.Import) {
					withRemove(intake.ModeUpsert)(im)
					im.Spec.SkipOnError = false
				})
				if got.Deleted != 4 || !slices.Equal(storedEmails(t, s, b.tenant), []string{"a@x.nl", "b@x.nl"}) {
					t.Fatalf("job %+v left %v", got, storedEmails(t, s, b.tenant))
				}
			})

			t.Run("a failed job removes nothing", func(t *testing.T) {
				b := seeded(t)
				got := run(t, b, file, func(im *intake.Import) {
					withRemove(intake.ModeUpsert)(im)
					im.Format = "xlsx" // the upload is CSV: the job fails on opening it
				})
				if got.Status != intake.StatusFailed {
					t.Fatalf("job %+v", got)
				}
				if n := len(storedEmails(t, s, b.tenant)); n != 6 {
					t.Fatalf("failed job left %d of 6 contacts", n)
				}
			})

			t.Run("a stopped job removes nothing until it resumes, then exactly the missing", func(t *testing.T) {
				b := seeded(t)
				b.svc.Engine.ChunkSize = 2
				im := b.newImport(t, file, withRemove(intake.ModeUpsert))
				runCtx, stop := context.WithCancel(ctx)
				b.svc.afterChunk = func(int) { stop() }
				if err := b.svc.Run(runCtx, b.tenant, im.ID); err == nil {
					t.Fatal("the stopped run returned no error")
				}
				// The first chunk (a, b) committed; nothing was removed.
				if got := storedEmails(t, s, b.tenant); len(got) != 6 || !slices.Contains(got, "d@x.nl") {
					t.Fatalf("stopped job left %v", got)
				}
				b.svc.afterChunk = nil
				if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
					t.Fatal(err)
				}
				if want := []string{"a@x.nl", "b@x.nl", "c@x.nl", "f@x.nl", "g@x.nl"}; !slices.Equal(storedEmails(t, s, b.tenant), want) {
					t.Fatalf("left %v", storedEmails(t, s, b.tenant))
				}
			})

			t.Run("a file whose every row failed removes nothing and says why", func(t *testing.T) {
				b := seeded(t)
				got := run(t, b, "email\nnot-an-email\n", withRemove(intake.ModeUpsert))
				if got.Deleted != 0 || len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "not applied") {
					t.Fatalf("job %+v", got)
				}
				if n := len(storedEmails(t, s, b.tenant)); n != 6 {
					t.Fatalf("left %d of 6", n)
				}
			})
		})
	}
}
