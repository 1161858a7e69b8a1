// Package storetest is the one test suite every store implementation must
// pass. It takes a constructor and imports no backend: each backend's own
// tests run it against a fresh database (see internal/testdb), as River's
// riverdrivertest runs against each driver.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// opener returns a fresh, empty, migrated store for one test and closes it
// when the test ends.
type opener = func(testing.TB) store.Store

// RunStore runs the contract suite against one backend; its subtests run in
// parallel, each on a store of its own from open.
func RunStore(t *testing.T, open func(testing.TB) store.Store) {
	for _, c := range []struct {
		name string
		test func(*testing.T, opener)
	}{
		{"EnsureTenant returns the same tenant for the same slug", testEnsureTenant},
		{"API keys authenticate by hash with their scopes", testAPIKeys},
		{"contacts round-trip every field", testContactRoundTrip},
		{"a tenant never sees another tenant's contacts", testContactTenancy},
		{"FindContacts matches every key kind", testFindContacts},
		{"a taken email is a conflict and the transaction writes nothing", testConflictRollsBack},
		{"every declared unique field is a conflict on insert, in one batch and on update", testUniqueFields},
		{"update and delete change only the named contacts", testUpdateDelete},
		{"ListContacts pages by id and filters", testListContacts},
		{"writes to one tenant are serialised", testWritesSerialised},
		{"import jobs: tenant-scoped, checkpoints guarded, row errors in row order", testImports},
		{"Jobs creates and updates a job in one transaction", testJobs},
		{"retention: ended jobs expire once, their row errors go, report counts round-trip", testRetention},
		{"an error from a Jobs fn leaves nothing", testJobsRollBack},
		{"Jobs of one tenant cannot read or change another's job", testJobsTenancy},
		{"an error from fn rolls back", testWriteRollsBack},
		{"events: keys unique per tenant, starts_at round-trips, lists page", testEvents},
		{"participants: one per event and contact, batch writes, contacts show their events", testParticipants},
		{"participants page by id with their contacts", testParticipantPaging},
		{"contacts join groups and locations by name; nil keeps, empty clears", testContactMemberships},
		{"groups: located, found ignoring case, members added or replaced, deleted alone", testGroups},
		{"custom field definitions: create, list, update, delete, names per tenant", testCustomFields},
		{"DuplicateCustomValue finds a value two contacts share", testDuplicateCustomValue},
		{"FindContacts finds the tenant's contacts by id", testFindContactsByID},
		{"collections: names unique per tenant ignoring case, updated, deleted with their records", testCollections},
		{"records: keys unique per contact, batch writes, lookups, filters, paging, tenancy", testRecords},
		{"remove_missing on records: unseen records, of seen contacts only when asked", testUnseenRecords},
		{"bulk imports are recorded, listed newest first and tenant-scoped", testBulkImports},
		{"API keys list per tenant and a revoked key stops at once", testKeyRevocation},
		{"heartbeats: live workers since a horizon, forgotten ones gone", testHeartbeats},
		{"idempotency keys: reserved once, answered, expired, taken over from a dead owner", testIdempotencyKeys},
		{"import status counts and readiness", testOpsCounts},
		{"tenant settings start empty, round-trip and stay the tenant's", testSettings},
		{"ids are never reused after a delete, for every row clients hold ids of", testIDsNeverReused},
		{"undo recording restores an update, removes a creation, and change sets page, filter and sum, tenant-scoped", testUndoRecording},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.test(t, open)
		})
	}
}

// setup opens a store with two tenants, acme and globex.
func setup(t *testing.T, open opener) (store.Store, intake.Tenant, intake.Tenant) {
	t.Helper()
	ctx := context.Background()
	s := open(t)
	a, err := s.EnsureTenant(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.EnsureTenant(ctx, "globex")
	if err != nil {
		t.Fatal(err)
	}
	return s, a, b
}

// insert stores cs for tenant in one Write.
func insert(t *testing.T, s store.Store, tenant int64, cs ...*intake.Contact) {
	t.Helper()
	ctx := context.Background()
	if err := s.Write(ctx, tenant, func(tx store.Tx) error { return tx.InsertContacts(ctx, cs) }); err != nil {
		t.Fatal(err)
	}
}

// testEnsureTenant checks that EnsureTenant returns the same tenant for the same slug.
func testEnsureTenant(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, b := setup(t, open)
	again, err := s.EnsureTenant(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != a.ID || a.ID == b.ID || a.ID == 0 {
		t.Fatalf("tenant ids: acme %d, again %d, globex %d", a.ID, again.ID, b.ID)
	}
}

// testAPIKeys checks that API keys authenticate by hash with their scopes.
func testAPIKeys(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, _ := setup(t, open)
	if err := s.CreateAPIKey(ctx, a.ID, "hash-1", []string{"contacts", "imports"}); err != nil {
		t.Fatal(err)
	}
	p, err := s.Authenticate(ctx, "hash-1")
	if err != nil {
		t.Fatal(err)
	}
	if p.Tenant.ID != a.ID || p.Tenant.Slug != "acme" || !slices.Equal(p.Scopes, []string{"contacts", "imports"}) {
		t.Fatalf("principal = %+v", p)
	}
	if _, err := s.Authenticate(ctx, "nope"); intake.ErrorCode(err) != intake.EUNAUTHORIZED {
		t.Fatalf("unknown hash: err = %v, want unauthorized", err)
	}
}

// testContactRoundTrip checks that contacts round-trip every field.
func testContactRoundTrip(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, _ := setup(t, open)
	c := &intake.Contact{Email: "ann@example.com", CustomerNumber: "C1", ExternalID: "hs-101", FirstName: "Ann", LastName: "Łukasz",
		Name: "Ann Łukasz", Phone: "+31612345678", Company: "Acme, BV", Address: "Main 1", City: "Zürich",
		PostalCode: "8000", State: "ZH", Country: "CH", Notes: "n", Tags: []string{"lead", "vip"},
		Custom:     map[string]string{"member id": "M-7"},
		Alternates: []intake.Alternate{{Type: "email", Kind: "work", Value: "ann@work.example"}}}
	insert(t, s, a.ID, c)
	if c.ID == 0 || c.CreatedAt.IsZero() {
		t.Fatalf("insert did not set id/created_at: %+v", c)
	}
	got, err := s.GetContact(ctx, a.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.SameData(c) || got.ID != c.ID {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, *c)
	}
	if d := got.CreatedAt.Sub(c.CreatedAt); d > time.Millisecond || d < -time.Millisecond {
		t.Fatalf("created_at %v, want %v", got.CreatedAt, c.CreatedAt)
	}
}

// testContactTenancy checks that a tenant never sees another tenant's contacts.
func testContactTenancy(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, b := setup(t, open)
	c := &intake.Contact{Email: "x@example.com", Name: "X", CustomerNumber: "C9"}
	insert(t, s, a.ID, c)
	if _, err := s.GetContact(ctx, b.ID, c.ID); intake.ErrorCode(err) != intake.ENOTFOUND {
		t.Fatalf("get from other tenant: err = %v", err)
	}
	list, err := s.ListContacts(ctx, b.ID, store.ContactFilter{Limit: 10})
	if err != nil || len(list) != 0 {
		t.Fatalf("list other tenant = %v, %v", list, err)
	}
	err = s.Write(ctx, b.ID, func(tx store.Tx) error {
		found, err := tx.FindContacts(ctx, store.Lookup{Emails: []string{"x@example.com"}, CustomerNumbers: []string{"C9"}, Names: []string{"x"}})
		if err != nil || len(found) != 0 {
			return fmt.Errorf("find in other tenant = %v, %v", found, err)
		}
		return tx.DeleteContacts(ctx, []int64{c.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetContact(ctx, a.ID, c.ID); err != nil {
		t.Fatalf("tenant b's delete removed tenant a's contact: %v", err)
	}
	// The same email is free in the other tenant.
	insert(t, s, b.ID, &intake.Contact{Email: "x@example.com", CustomerNumber: "C9"})
}

// testFindContacts checks that FindContacts matches every key kind.
func testFindContacts(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, _ := setup(t, open)
	cs := []*intake.Contact{
		{Email: "a@example.com", Name: "A"},
		{CustomerNumber: "C2", Name: "B"},
		{Phone: "+31611111111", Name: "C"},
		{Name: "Dora Explorer"},
		{Name: "E", Custom: map[string]string{"member id": "M-5"}},
		{Email: "other@example.com", Name: "F"},
		{ExternalID: "hs-7", Name: "G"},
	}
	insert(t, s, a.ID, cs...)
	err := s.Write(ctx, a.ID, func(tx store.Tx) error {
		found, err := tx.FindContacts(ctx, store.Lookup{Emails: []string{"a@example.com"}, CustomerNumbers: []string{"C2"},
			Phones: []string{"+31611111111"}, Names: []string{"dora explorer"}, Custom: map[string][]string{"member id": {"M-5"}},
			ExternalIDs: []string{"hs-7"}})
		if err != nil {
			return err
		}
		var names []string
		for _, c := range found {
			names = append(names, c.Name)
		}
		slices.Sort(names)
		if want := []string{"A", "B", "C", "Dora Explorer", "E", "G"}; !slices.Equal(names, want) {
			return fmt.Errorf("found %v, want %v", names, want)
		}
		none, err := tx.FindContacts(ctx, store.Lookup{})
		if err != nil || len(none) != 0 {
			return fmt.Errorf("empty lookup = %v, %v", none, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// testConflictRollsBack checks that a taken email is a conflict and the transaction writes nothing.
func testConflictRollsBack(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, _ := setup(t, open)
	insert(t, s, a.ID, &intake.Contact{Email: "dup@example.com"})
	err := s.Write(ctx, a.ID, func(tx store.Tx) error {
		return tx.InsertContacts(ctx, []*intake.Contact{{Email: "new@example.com"}, {Email: "dup@example.com"}})
	})
	if intake.ErrorCode(err) != intake.ECONFLICT {
		t.Fatalf("err = %v, want conflict", err)
	}
	list, _ := s.ListContacts(ctx, a.ID, store.ContactFilter{Limit: 10})
	if len(list) != 1 {
		t.Fatalf("after rollback there are %d contacts, want 1", len(list))
	}
}

// testUniqueFields checks that every declared unique field is a conflict on insert, in one batch and on update.
func testUniqueFields(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, b := setup(t, open)
	for _, field := range store.ContactUniqueFields {
		taken := contactWith(t, field, "taken-"+field)
		insert(t, s, a.ID, taken)
		other := contactWith(t, field, "free-"+field)
		insert(t, s, a.ID, other)
		// The same value is free in another tenant.
		insert(t, s, b.ID, contactWith(t, field, "taken-"+field))
		for name, write := range map[string]func(store.Tx) error{
			"insert a taken value": func(tx store.Tx) error {
				return tx.InsertContacts(ctx, []*intake.Contact{contactWith(t, field, "taken-"+field)})
			},
			"insert one value twice in a batch": func(tx store.Tx) error {
				return tx.InsertContacts(ctx, []*intake.Contact{contactWith(t, field, "twice-"+field), contactWith(t, field, "twice-"+field)})
			},
			"update to a taken value": func(tx store.Tx) error {
				u := contactWith(t, field, "taken-"+field)
				u.ID = other.ID
				return tx.UpdateContacts(ctx, []*intake.Contact{u})
			},
		} {
			if err := s.Write(ctx, a.ID, write); intake.ErrorCode(err) != intake.ECONFLICT {
				t.Errorf("%s: %s: err = %v, want conflict", field, name, err)
			}
		}
		if got, err := s.GetContact(ctx, a.ID, other.ID); err != nil || !got.SameData(other) {
			t.Errorf("%s: the conflicting update changed the contact: %+v %v", field, got, err)
		}
	}
	list, _ := s.ListContacts(ctx, a.ID, store.ContactFilter{Limit: 100})
	if want := 2 * len(store.ContactUniqueFields); len(list) != want {
		t.Fatalf("%d contacts after the conflicts, want %d", len(list), want)
	}
}

// testUpdateDelete checks that update and delete change only the named contacts.
func testUpdateDelete(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, _ := setup(t, open)
	c1, c2 := &intake.Contact{Email: "1@example.com", City: "Oslo"}, &intake.Contact{Email: "2@example.com", City: "Rome"}
	insert(t, s, a.ID, c1, c2)
	before := c1.UpdatedAt
	time.Sleep(2 * time.Millisecond) // updated_at must move; clocks have µs resolution
	u := *c1
	u.City, u.Tags = "Bergen", []string{"x"}
	err := s.Write(ctx, a.ID, func(tx store.Tx) error {
		if err := tx.UpdateContacts(ctx, []*intake.Contact{&u}); err != nil {
			return err
		}
		return tx.DeleteContacts(ctx, []int64{c2.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetContact(ctx, a.ID, c1.ID)
	if err != nil || got.City != "Bergen" || !slices.Equal(got.Tags, []string{"x"}) || !got.UpdatedAt.After(before) {
		t.Fatalf("updated = %+v, %v", got, err)
	}
	if _, err := s.GetContact(ctx, a.ID, c2.ID); intake.ErrorCode(err) != intake.ENOTFOUND {
		t.Fatalf("deleted contact still there: %v", err)
	}
}

// testListContacts checks that ListContacts pages by id and filters.
func testListContacts(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, _ := setup(t, open)
	var cs []*intake.Contact
	for i := range 7 {
		c := &intake.Contact{Email: fmt.Sprintf("p%d@example.com", i), CustomerNumber: fmt.Sprintf("N%d", i), ExternalID: fmt.Sprintf("X%d", i)}
		if i%2 == 0 {
			c.Tags = []string{"even"}
		}
		cs = append(cs, c)
	}
	insert(t, s, a.ID, cs...)
	var seen []int64
	after := int64(0)
	for {
		page, err := s.ListContacts(ctx, a.ID, store.ContactFilter{After: after, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, c := range page {
			seen = append(seen, c.ID)
		}
		after = page[len(page)-1].ID
	}
	if len(seen) != 7 || !slices.IsSorted(seen) {
		t.Fatalf("paged ids = %v", seen)
	}
	for _, tc := range []struct {
		name string
		f    store.ContactFilter
		want int
	}{
		{"email ignores case and spaces", store.ContactFilter{Email: "  P3@Example.COM "}, 1},
		{"customer number", store.ContactFilter{CustomerNumber: "N4"}, 1},
		{"external id", store.ContactFilter{ExternalID: "X5"}, 1},
		{"tag", store.ContactFilter{Tag: "even"}, 4},
		{"updated since the future", store.ContactFilter{UpdatedSince: time.Now().Add(time.Hour)}, 0},
		{"updated since the past", store.ContactFilter{UpdatedSince: time.Now().Add(-time.Hour)}, 7},
	} {
		tc.f.Limit = 100
		got, err := s.ListContacts(ctx, a.ID, tc.f)
		if err != nil || len(got) != tc.want {
			t.Errorf("%s: got %d contacts (%v), want %d", tc.name, len(got), err, tc.want)
		}
	}
}

// testWritesSerialised checks that writes to one tenant are serialised.
func testWritesSerialised(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, _ := setup(t, open)
	// Each writer checks for a key and inserts it if absent. Without the
	// tenant lock both could see "absent"; with it exactly one inserts.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	inserted := make([]bool, 4)
	for i := range 4 {
		wg.Go(func() {
			errs[i] = s.Write(ctx, a.ID, func(tx store.Tx) error {
				found, err := tx.FindContacts(ctx, store.Lookup{Names: []string{"only once"}})
				if err != nil || len(found) > 0 {
					return err
				}
				time.Sleep(20 * time.Millisecond)
				inserted[i] = true
				return tx.InsertContacts(ctx, []*intake.Contact{{Name: "Only Once"}})
			})
		})
	}
	wg.Wait()
	n := 0
	for i := range 4 {
		if errs[i] != nil {
			t.Fatalf("writer %d: %v", i, errs[i])
		}
		if inserted[i] {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d writers inserted, want exactly 1", n)
	}
}

// testWriteRollsBack checks that an error from fn rolls back.
func testWriteRollsBack(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, _ := setup(t, open)
	boom := errors.New("boom")
	err := s.Write(ctx, a.ID, func(tx store.Tx) error {
		if err := tx.InsertContacts(ctx, []*intake.Contact{{Email: "gone@example.com"}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if list, _ := s.ListContacts(ctx, a.ID, store.ContactFilter{Limit: 10}); len(list) != 0 {
		t.Fatalf("rolled-back insert is visible: %v", list)
	}
}

// contactWith returns a contact whose unique field is value, and a name so
// that it is identified whatever the field.
func contactWith(t *testing.T, field, value string) *intake.Contact {
	t.Helper()
	c := &intake.Contact{Name: "Unique " + value}
	switch field {
	case intake.FieldEmail:
		c.Email = value + "@example.com"
	case intake.FieldCustomerNumber:
		c.CustomerNumber = value
	case intake.FieldExternalID:
		c.ExternalID = value
	default:
		t.Fatalf("store.ContactUniqueFields has %q: teach contactWith to set it", field)
	}
	return c
}
