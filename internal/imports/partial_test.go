package imports

import (
	"context"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/testdb"
)

// TestPartialRowsKeepStoredValues: a bad value written in part never
// clears what is stored, even when empty cells overwrite
// (ignore_empty_fields=false); the match key's own error still fails the row.
func TestPartialRowsKeepStoredValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			s := be.Open(t)
			b := setup(t, s)
			seed := "email,first_name,phone,country\nann@x.nl,Ann,+31 6 12345678,NL\n"
			if err := b.svc.Run(ctx, b.tenant, b.newImport(t, seed, nil).ID); err != nil {
				t.Fatal(err)
			}
			file := "email,first_name,phone,country\nann@x.nl,Anna,call me,NL\nnot-an-email,Bob,,\n"
			im := b.newImport(t, file, func(im *intake.Import) { im.Spec.IgnoreEmptyFields = false })
			if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
				t.Fatal(err)
			}
			got := getImport(t, b, im.ID)
			if got.Updated != 1 || got.PartialRows != 1 || got.FailedRows != 1 || !got.HasReport() {
				t.Fatalf("job %+v", got)
			}
			cs, err := s.ListContacts(ctx, b.tenant, store.ContactFilter{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != 1 || cs[0].FirstName != "Anna" || cs[0].Phone != "+31612345678" {
				t.Fatalf("stored %+v", cs)
			}
			errs, err := s.ListImportErrors(ctx, b.tenant, im.ID, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(errs) != 2 || errs[0].Outcome != intake.OutcomePartial || errs[0].Field != "phone" || errs[0].Code != intake.CodeInvalidPhone ||
				errs[1].Outcome != intake.OutcomeFailed || errs[1].Code != intake.CodeInvalidEmail {
				t.Fatalf("report %+v", errs)
			}
		})
	}
}
