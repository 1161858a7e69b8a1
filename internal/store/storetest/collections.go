package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// testCollections checks collection definitions: names unique per tenant
// ignoring case, found ignoring case, updated, listed per tenant, deleted
// with their records.
func testCollections(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, b := setup(t, open)
	order := &intake.Collection{Name: "Order", BelongsToContact: true, KeyFields: []string{"OrderID"},
		Fields: []intake.CollectionField{{Name: "OrderID", Type: intake.TypeText}, {Name: "Amount", Type: intake.TypeNumber, Required: true}}}
	write(t, s, a.ID, func(tx store.Tx) error { return tx.SaveCollection(ctx, order) })
	if order.ID == 0 || order.CreatedAt.IsZero() {
		t.Fatalf("saved %+v", order)
	}
	err := s.Write(ctx, a.ID, func(tx store.Tx) error { return tx.SaveCollection(ctx, &intake.Collection{Name: "ORDER"}) })
	if intake.ErrorCode(err) != intake.ECONFLICT {
		t.Fatalf("a name taken ignoring case: %v", err)
	}
	write(t, s, b.ID, func(tx store.Tx) error { return tx.SaveCollection(ctx, &intake.Collection{Name: "order"}) })
	write(t, s, a.ID, func(tx store.Tx) error {
		got, err := tx.FindCollection(ctx, "oRdEr")
		if err != nil || got.ID != order.ID || !got.BelongsToContact || !slices.Equal(got.KeyFields, []string{"OrderID"}) ||
			len(got.Fields) != 2 || got.Fields[1].Type != intake.TypeNumber || !got.Fields[1].Required {
			t.Fatalf("find: %+v %v", got, err)
		}
		got.Fields = append(got.Fields, intake.CollectionField{Name: "Status", Type: intake.TypeText})
		return tx.SaveCollection(ctx, &got)
	})
	list, err := s.ListCollections(ctx, a.ID)
	if err != nil || len(list) != 1 || len(list[0].Fields) != 3 {
		t.Fatalf("list: %+v %v", list, err)
	}
	if list, _ := s.ListCollections(ctx, b.ID); len(list) != 1 || list[0].ID == order.ID {
		t.Fatalf("globex lists %+v", list)
	}
	err = s.Write(ctx, b.ID, func(tx store.Tx) error { return tx.DeleteCollection(ctx, order.ID) })
	if intake.ErrorCode(err) != intake.ENOTFOUND {
		t.Fatalf("globex deletes acme's collection: %v", err)
	}
	c := &intake.Contact{Email: "ann@example.com"}
	insert(t, s, a.ID, c)
	write(t, s, a.ID, func(tx store.Tx) error {
		return tx.InsertRecords(ctx, []*intake.CollectionRecord{{CollectionID: order.ID, ContactID: c.ID, Key: "1", Values: map[string]string{"OrderID": "1"}}})
	})
	write(t, s, a.ID, func(tx store.Tx) error { return tx.DeleteCollection(ctx, order.ID) })
	write(t, s, a.ID, func(tx store.Tx) error {
		if _, err := tx.FindCollection(ctx, "Order"); intake.ErrorCode(err) != intake.ENOTFOUND {
			t.Fatalf("deleted collection: %v", err)
		}
		return nil
	})
	if rs, err := s.ListRecords(ctx, a.ID, store.RecordFilter{CollectionID: order.ID, Limit: 10}); err != nil || len(rs) != 0 {
		t.Fatalf("records of a deleted collection: %+v %v", rs, err)
	}
}

// testRecords checks records: keys unique per collection and contact,
// batch writes, lookups by key and id, list filters and paging, deletes,
// a deleted contact's records going with it, and tenancy.
func testRecords(t *testing.T, open opener) {
	f := newRecordsFixture(t, open)
	f.checkKeys(t)
	f.checkLists(t)
	f.checkTenancy(t)
	f.checkDeletes(t)
}

// recordsFixture is testRecords' tenant a with collection order, contacts
// ann and bob and five records: r1 (ann, key 1), r2 (bob, key 1), r3
// (ann, key 2) and two without a key, n1 and n2 (ann).
type recordsFixture struct {
	s                  store.Store
	a, b               intake.Tenant
	order              *intake.Collection
	ann, bob           *intake.Contact
	r1, r2, r3, n1, n2 *intake.CollectionRecord
}

func newRecordsFixture(t *testing.T, open opener) *recordsFixture {
	ctx := context.Background()
	s, a, b := setup(t, open)
	order := &intake.Collection{Name: "Order", BelongsToContact: true, KeyFields: []string{"OrderID"}}
	write(t, s, a.ID, func(tx store.Tx) error { return tx.SaveCollection(ctx, order) })
	ann, bob := &intake.Contact{Email: "ann@example.com"}, &intake.Contact{Email: "bob@example.com"}
	insert(t, s, a.ID, ann, bob)
	rec := func(contact int64, key string, kv ...string) *intake.CollectionRecord {
		vs := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			vs[kv[i]] = kv[i+1]
		}
		return &intake.CollectionRecord{CollectionID: order.ID, ContactID: contact, Key: key, Values: vs}
	}
	r1, r2, r3 := rec(ann.ID, "1", "OrderID", "1", "Status", "new"), rec(bob.ID, "1", "OrderID", "1", "Status", "paid"), rec(ann.ID, "2", "OrderID", "2", "Status", "new")
	n1, n2 := rec(ann.ID, "", "Note", "x"), rec(ann.ID, "", "Note", "x")
	write(t, s, a.ID, func(tx store.Tx) error { return tx.InsertRecords(ctx, []*intake.CollectionRecord{r1, r2, r3, n1, n2}) })
	if r1.ID == 0 || r2.ID <= r1.ID || n2.ID <= n1.ID || r1.CreatedAt.IsZero() {
		t.Fatalf("ids %d %d %d %d", r1.ID, r2.ID, n1.ID, n2.ID)
	}
	return &recordsFixture{s: s, a: a, b: b, order: order, ann: ann, bob: bob, r1: r1, r2: r2, r3: r3, n1: n1, n2: n2}
}

// checkKeys: a key is unique per contact; records are found by key and id,
// and updated.
func (f *recordsFixture) checkKeys(t *testing.T) {
	ctx := context.Background()
	s, a, order, ann, bob, r1, n2 := f.s, f.a, f.order, f.ann, f.bob, f.r1, f.n2
	rec := func(contact int64, key string) *intake.CollectionRecord {
		return &intake.CollectionRecord{CollectionID: order.ID, ContactID: contact, Key: key, Values: map[string]string{}}
	}
	err := s.Write(ctx, a.ID, func(tx store.Tx) error { return tx.InsertRecords(ctx, []*intake.CollectionRecord{rec(ann.ID, "1")}) })
	if intake.ErrorCode(err) != intake.ECONFLICT {
		t.Fatalf("a key the contact's record has: %v", err)
	}
	write(t, s, a.ID, func(tx store.Tx) error {
		found, err := tx.FindRecords(ctx, order.ID, []store.RecordKey{{ContactID: ann.ID, Key: "1"}, {ContactID: bob.ID, Key: "2"}, {ContactID: ann.ID, Key: ""}}, []int64{n2.ID})
		if err != nil || len(found) != 2 || found[0].ID != r1.ID || found[1].ID != n2.ID || found[0].Values["Status"] != "new" || found[0].Key != "1" || found[0].ContactID != ann.ID {
			t.Fatalf("find: %+v %v", found, err)
		}
		r1.Values["Status"] = "shipped"
		return tx.UpdateRecords(ctx, []*intake.CollectionRecord{r1})
	})
}

// checkLists: pages in id order, filters by contact and value.
func (f *recordsFixture) checkLists(t *testing.T) {
	ctx := context.Background()
	s, a, order, ann, r1, r3 := f.s, f.a, f.order, f.ann, f.r1, f.r3
	page, err := s.ListRecords(ctx, a.ID, store.RecordFilter{CollectionID: order.ID, Limit: 2})
	if err != nil || len(page) != 2 || page[0].ID != r1.ID || page[0].Values["Status"] != "shipped" {
		t.Fatalf("first page: %+v %v", page, err)
	}
	page, _ = s.ListRecords(ctx, a.ID, store.RecordFilter{CollectionID: order.ID, After: page[1].ID, Limit: 10})
	if len(page) != 3 {
		t.Fatalf("second page: %+v", page)
	}
	filtered, _ := s.ListRecords(ctx, a.ID, store.RecordFilter{CollectionID: order.ID, ContactID: ann.ID, Values: map[string]string{"Status": "new"}, Limit: 10})
	if len(filtered) != 1 || filtered[0].ID != r3.ID {
		t.Fatalf("by contact and value: %+v", filtered)
	}
}

// checkTenancy: another tenant neither lists, finds nor deletes them.
func (f *recordsFixture) checkTenancy(t *testing.T) {
	ctx := context.Background()
	s, b, order, r1 := f.s, f.b, f.order, f.r1
	if other, _ := s.ListRecords(ctx, b.ID, store.RecordFilter{CollectionID: order.ID, Limit: 10}); len(other) != 0 {
		t.Fatalf("globex lists acme's records: %+v", other)
	}
	write(t, s, b.ID, func(tx store.Tx) error {
		if found, _ := tx.FindRecords(ctx, order.ID, nil, []int64{r1.ID}); len(found) != 0 {
			t.Fatalf("globex finds acme's record: %+v", found)
		}
		if n, err := tx.DeleteRecords(ctx, []int64{r1.ID}); n != 0 || err != nil {
			t.Fatalf("globex deletes acme's record: %d %v", n, err)
		}
		return nil
	})
}

// checkDeletes: deletes by id; a deleted contact's records go with it.
func (f *recordsFixture) checkDeletes(t *testing.T) {
	ctx := context.Background()
	s, a, order, ann, r2, n1, n2 := f.s, f.a, f.order, f.ann, f.r2, f.n1, f.n2
	write(t, s, a.ID, func(tx store.Tx) error {
		if n, err := tx.DeleteRecords(ctx, []int64{n1.ID, n2.ID}); n != 2 || err != nil {
			t.Fatalf("delete: %d %v", n, err)
		}
		if n, err := tx.CollectionSize(ctx, order.ID); n != 3 || err != nil {
			t.Fatalf("size %d %v", n, err)
		}
		return tx.DeleteContacts(ctx, []int64{ann.ID})
	})
	left, _ := s.ListRecords(ctx, a.ID, store.RecordFilter{CollectionID: order.ID, Limit: 10})
	if len(left) != 1 || left[0].ID != r2.ID {
		t.Fatalf("after deleting ann: %+v", left)
	}
}

// testUnseenRecords checks what remove_missing removes of records: those
// an import did not mark seen, only of the contacts it saw when asked.
func testUnseenRecords(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, _ := setup(t, open)
	im := &intake.Import{TenantID: a.ID, Status: intake.StatusRunning, FileKey: "k", Format: "csv", Spec: intake.DefaultSpec()}
	if err := store.CreateImport(ctx, s, im); err != nil {
		t.Fatal(err)
	}
	order := &intake.Collection{Name: "Order", BelongsToContact: true, KeyFields: []string{"OrderID"}}
	write(t, s, a.ID, func(tx store.Tx) error { return tx.SaveCollection(ctx, order) })
	ann, bob := &intake.Contact{Email: "ann@example.com"}, &intake.Contact{Email: "bob@example.com"}
	insert(t, s, a.ID, ann, bob)
	rs := []*intake.CollectionRecord{{ContactID: ann.ID, Key: "1"}, {ContactID: ann.ID, Key: "2"}, {ContactID: bob.ID, Key: "1"}}
	for _, r := range rs {
		r.CollectionID = order.ID
	}
	write(t, s, a.ID, func(tx store.Tx) error { return tx.InsertRecords(ctx, rs) })
	ids := func(rs []intake.CollectionRecord) []int64 {
		out := []int64{}
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	write(t, s, a.ID, func(tx store.Tx) error {
		if err := tx.MarkSeen(ctx, im.ID, []int64{ann.ID}); err != nil {
			return err
		}
		if err := tx.MarkRecordsSeen(ctx, im.ID, []int64{rs[0].ID, rs[0].ID}); err != nil {
			return err
		}
		of, err := tx.UnseenRecords(ctx, im.ID, order.ID, true)
		if err != nil || !slices.Equal(ids(of), []int64{rs[1].ID}) {
			t.Fatalf("unseen of seen contacts: %v %v", ids(of), err)
		}
		all, err := tx.UnseenRecords(ctx, im.ID, order.ID, false)
		if err != nil || !slices.Equal(ids(all), []int64{rs[1].ID, rs[2].ID}) {
			t.Fatalf("unseen: %v %v", ids(all), err)
		}
		if err := tx.ForgetSeen(ctx, im.ID); err != nil {
			return err
		}
		all, err = tx.UnseenRecords(ctx, im.ID, order.ID, false)
		if err != nil || len(all) != 3 {
			t.Fatalf("after ForgetSeen: %v %v", ids(all), err)
		}
		return nil
	})
}
