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

// TestParticipantsJob runs a participants file through a job that is
// stopped mid-file and resumed: contacts_created is checkpointed with the
// other counts, and a second run of the file duplicates nobody.
func TestParticipantsJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var file strings.Builder
	file.WriteString("email,status\n")
	for i := range 10 {
		fmt.Fprintf(&file, "p%d@example.com,row %d\n", i, i)
	}
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			s := be.Open(t)
			b := setup(t, s)
			b.svc.Engine.ChunkSize = 3
			ev := intake.Event{Key: "conf"}
			if err := s.CreateEvent(ctx, b.tenant, &ev); err != nil {
				t.Fatal(err)
			}
			existing := &intake.Contact{Email: "p0@example.com"}
			if err := s.Write(ctx, b.tenant, func(tx store.Tx) error { return tx.InsertContacts(ctx, []*intake.Contact{existing}) }); err != nil {
				t.Fatal(err)
			}
			job := func() intake.Import {
				return b.newImport(t, file.String(), func(im *intake.Import) {
					im.Spec.Resource, im.Spec.EventKey = intake.ResourceParticipants, "conf"
					im.Spec.Mapping["status"] = "status"
				})
			}
			im := job()
			runCtx, stop := context.WithCancel(ctx)
			b.svc.afterChunk = func(done int) {
				if done == 6 {
					stop()
				}
			}
			if err := b.svc.Run(runCtx, b.tenant, im.ID); !errors.Is(err, context.Canceled) {
				t.Fatalf("stopped run returned %v", err)
			}
			if mid := getImport(t, b, im.ID); mid.ProcessedRows != 6 || mid.ContactsCreated != 5 {
				t.Fatalf("after stop: processed %d, contacts_created %d", mid.ProcessedRows, mid.ContactsCreated)
			}
			b.svc.afterChunk = nil
			if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
				t.Fatal(err)
			}
			got := getImport(t, b, im.ID)
			if got.Status != intake.StatusCompleted || got.Created != 10 || got.ContactsCreated != 9 || got.FailedRows != 0 {
				t.Fatalf("resumed job: created %d contacts_created %d failed %d (%s)", got.Created, got.ContactsCreated, got.FailedRows, got.Status)
			}
			again := job()
			if err := b.svc.Run(ctx, b.tenant, again.ID); err != nil {
				t.Fatal(err)
			}
			got = getImport(t, b, again.ID)
			if got.Created != 0 || got.Updated != 10 || got.ContactsCreated != 0 {
				t.Fatalf("second run: created %d updated %d contacts_created %d", got.Created, got.Updated, got.ContactsCreated)
			}
			ps, err := s.ListParticipants(ctx, b.tenant, ev.ID, store.ParticipantFilter{Limit: 100})
			if err != nil || len(ps) != 10 || ps[9].Status != "row 9" {
				t.Fatalf("%d participants (%v)", len(ps), err)
			}
			if n := countContacts(t, s, b.tenant); n != 10 {
				t.Fatalf("%d contacts, want 10", n)
			}
		})
	}
}
