package storetest

import (
	"context"
	"testing"

	"github.com/intake/intake"
)

// testBulkImports: bulk imports are recorded with their counts and key,
// listed newest first, paged, and never seen by another tenant.
func testBulkImports(t *testing.T, open opener) {
	ctx := context.Background()
	s, acme, globex := setup(t, open)
	for i := range 3 {
		b := intake.BulkImport{TenantID: acme.ID, KeyID: 7, Resource: intake.ResourceContacts, Mode: intake.ModeCreate,
			Total: 10 + i, Created: 4, Updated: 3, Skipped: 3 + i, Failed: i, ContactsCreated: 4}
		if err := s.RecordBulkImport(ctx, &b); err != nil {
			t.Fatal(err)
		}
		if b.ID == 0 || b.CreatedAt.IsZero() || !b.UpdatedAt.Equal(b.CreatedAt) {
			t.Fatalf("recorded %+v: want an id and equal timestamps", b)
		}
	}
	other := intake.BulkImport{TenantID: globex.ID, Resource: intake.ResourceParticipants, Mode: intake.ModeUpsert,
		EventKey: "conf", Rejected: true, Total: 1, Failed: 1}
	if err := s.RecordBulkImport(ctx, &other); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListBulkImports(ctx, acme.ID, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Total != 12 || list[1].Total != 11 {
		t.Fatalf("first page %+v: want totals 12, 11", list)
	}
	got := list[0]
	if got.KeyID != 7 || got.Mode != intake.ModeCreate || got.Resource != intake.ResourceContacts || got.Created != 4 ||
		got.Updated != 3 || got.Skipped != 5 || got.Failed != 2 || got.ContactsCreated != 4 || got.TenantID != acme.ID {
		t.Errorf("stored %+v: the counts did not round-trip", got)
	}
	rest, err := s.ListBulkImports(ctx, acme.ID, list[1].ID, 10)
	if err != nil || len(rest) != 1 || rest[0].Total != 10 {
		t.Fatalf("second page %+v, %v: want the oldest", rest, err)
	}
	g, err := s.GetBulkImport(ctx, globex.ID, other.ID)
	if err != nil || !g.Rejected || g.EventKey != "conf" || g.Resource != intake.ResourceParticipants {
		t.Fatalf("get %+v, %v", g, err)
	}
	if _, err := s.GetBulkImport(ctx, acme.ID, other.ID); intake.ErrorCode(err) != intake.ENOTFOUND {
		t.Errorf("acme read globex's bulk import: %v", err)
	}
	if l, _ := s.ListBulkImports(ctx, globex.ID, 0, 10); len(l) != 1 {
		t.Errorf("globex lists %d bulk imports, want its 1", len(l))
	}
}
