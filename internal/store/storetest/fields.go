package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// saveField stores f for tenant in a Write of its own and returns the error.
func saveField(s store.Store, tenant int64, f *intake.CustomField) error {
	ctx := context.Background()
	return s.Write(ctx, tenant, func(tx store.Tx) error { return tx.SaveField(ctx, f) })
}

// testCustomFields checks custom field definitions: create, list, update,
// delete, a name taken, and tenancy.
func testCustomFields(t *testing.T, open opener) {
	s, a, b := setup(t, open)
	level, member := createFields(t, s, a.ID)
	checkFieldNames(t, s, a.ID, b.ID, member)
	checkFieldUpdateDelete(t, s, a.ID, b.ID, level, member)
}

// createFields defines level (a list) and member_id (a unique, required
// number) and checks they read back as written.
func createFields(t *testing.T, s store.Store, a int64) (level, member *intake.CustomField) {
	ctx := context.Background()
	level = &intake.CustomField{Name: "level", Label: "Level", Type: intake.TypeList, Options: []string{"Gold", "Silver"}}
	member = &intake.CustomField{Name: "member_id", Type: intake.TypeNumber, Unique: true, Required: true}
	for _, f := range []*intake.CustomField{member, level} {
		if err := saveField(s, a, f); err != nil {
			t.Fatal(err)
		}
		if f.ID == 0 || f.CreatedAt.IsZero() || !f.UpdatedAt.Equal(f.CreatedAt) {
			t.Fatalf("SaveField did not set id and timestamps: %+v", f)
		}
	}
	got, err := s.ListFields(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "level" || got[1].Name != "member_id" {
		t.Fatalf("ListFields = %+v, want level, member_id", got)
	}
	if g := got[0]; g.ID != level.ID || g.Label != "Level" || g.Type != intake.TypeList || !slices.Equal(g.Options, level.Options) ||
		g.Required || g.Unique || !g.CreatedAt.Equal(level.CreatedAt) {
		t.Fatalf("level round trip: %+v, want %+v", g, *level)
	}
	if g := got[1]; g.Type != intake.TypeNumber || !g.Unique || !g.Required || g.Options != nil {
		t.Fatalf("member_id round trip: %+v", g)
	}
	return level, member
}

// checkFieldNames: a name is taken once per tenant; another tenant has
// names of its own and cannot change or delete a's fields.
func checkFieldNames(t *testing.T, s store.Store, a, b int64, member *intake.CustomField) {
	ctx := context.Background()
	dup := &intake.CustomField{Name: "level", Type: intake.TypeText}
	if err := saveField(s, a, dup); intake.ErrorCode(err) != intake.ECONFLICT {
		t.Fatalf("a second field named level: %v, want conflict", err)
	}
	// Another tenant has names of its own, and cannot reach a's fields.
	if err := saveField(s, b, &intake.CustomField{Name: "level", Type: intake.TypeText}); err != nil {
		t.Fatalf("globex's level: %v", err)
	}
	stolen := *member
	stolen.Label = "mine"
	if err := saveField(s, b, &stolen); intake.ErrorCode(err) != intake.ENOTFOUND {
		t.Fatalf("update of another tenant's field: %v, want not found", err)
	}
	err := s.Write(ctx, b, func(tx store.Tx) error { return tx.DeleteField(ctx, member.ID) })
	if intake.ErrorCode(err) != intake.ENOTFOUND {
		t.Fatalf("delete of another tenant's field: %v, want not found", err)
	}
}

// checkFieldUpdateDelete: an update moves updated_at; a delete leaves the
// other field, and b's fields are untouched.
func checkFieldUpdateDelete(t *testing.T, s store.Store, a, b int64, level, member *intake.CustomField) {
	ctx := context.Background()
	time.Sleep(2 * time.Millisecond) // updated_at must move
	member.Unique, member.Label, member.Type = false, "Member", intake.TypeText
	if err := saveField(s, a, member); err != nil {
		t.Fatal(err)
	}
	err := s.Write(ctx, a, func(tx store.Tx) error {
		fs, err := tx.ListFields(ctx)
		if err != nil {
			return err
		}
		if len(fs) != 2 || fs[1].Unique || fs[1].Label != "Member" || fs[1].Type != intake.TypeText || !fs[1].UpdatedAt.After(fs[1].CreatedAt) {
			return fmt.Errorf("after update: %+v", fs)
		}
		return tx.DeleteField(ctx, level.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ListFields(ctx, a); len(got) != 1 || got[0].Name != "member_id" {
		t.Fatalf("after delete: %+v", got)
	}
	if got, _ := s.ListFields(ctx, b); len(got) != 1 || got[0].Name != "level" || got[0].Type != intake.TypeText {
		t.Fatalf("globex's fields: %+v", got)
	}
}

// testDuplicateCustomValue checks that DuplicateCustomValue finds a value
// two of the tenant's contacts share, and nothing else.
func testDuplicateCustomValue(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, b := setup(t, open)
	with := func(v string) *intake.Contact {
		return &intake.Contact{Name: "C " + v, Custom: map[string]string{"member_id": v, "other": "same"}}
	}
	insert(t, s, a.ID, with("1"), with("2"), &intake.Contact{Name: "none"}, &intake.Contact{Name: "empty", Custom: map[string]string{"member_id": ""}})
	insert(t, s, a.ID, &intake.Contact{Name: "empty too", Custom: map[string]string{"member_id": ""}})
	insert(t, s, b.ID, with("1"))
	check := func(name, want string) {
		t.Helper()
		err := s.Write(ctx, a.ID, func(tx store.Tx) error {
			v, ok, err := tx.DuplicateCustomValue(ctx, name)
			if err != nil || v != want || ok != (want != "") {
				return fmt.Errorf("DuplicateCustomValue(%s) = %q, %v, %v; want %q", name, v, ok, err, want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check("member_id", "") // another tenant's 1 and empty values are no duplicates
	check("other", "same")
	check("absent", "")
	insert(t, s, a.ID, with("2"))
	check("member_id", "2")
}

// testFindContactsByID checks that FindContacts finds contacts by id, the
// tenant's only.
func testFindContactsByID(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, b := setup(t, open)
	c1, c2 := &intake.Contact{Name: "One"}, &intake.Contact{Name: "Two", Email: "two@example.com"}
	insert(t, s, a.ID, c1, c2)
	other := &intake.Contact{Name: "Other"}
	insert(t, s, b.ID, other)
	err := s.Write(ctx, a.ID, func(tx store.Tx) error {
		found, err := tx.FindContacts(ctx, store.Lookup{IDs: []int64{c1.ID, other.ID}, Emails: []string{"two@example.com"}})
		if err != nil {
			return err
		}
		var names []string
		for _, c := range found {
			names = append(names, c.Name)
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"One", "Two"}) {
			return fmt.Errorf("found %v, want One and Two", names)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Memberships puts a tenant's contact in a group of contacts, a location and
// an event (by key), creating whichever does not exist; "" leaves one out.
// The groups, locations and events features write these tables; until the
// store has methods for them, each backend's test implements this with its
// own SQL, so the filters can be tested on every store.
type Memberships func(t testing.TB, tenantID, contactID int64, group, location, event string)

// RunContactFilters runs the ListContacts filter suite (q, group, location,
// event, custom values) against one backend; open returns a fresh store and
// the way to write memberships into it.
func RunContactFilters(t *testing.T, open func(testing.TB) (store.Store, Memberships)) {
	t.Parallel()
	s, a, ann, bob := filterContacts(t, open)
	for _, tc := range contactFilterCases {
		tc.f.Limit = 100
		got, err := s.ListContacts(context.Background(), a, tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var names []string
		for _, c := range got {
			names = append(names, c.Name)
		}
		if !slices.Equal(names, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, names, tc.want)
		}
	}
	checkFilterPaging(t, s, a, ann, bob)
}

// filterContacts writes RunContactFilters' contacts: ann, bob, zoe and
// dora in tenant a (returned), one in tenant b, and their groups,
// locations and events.
func filterContacts(t *testing.T, open func(testing.TB) (store.Store, Memberships)) (store.Store, int64, *intake.Contact, *intake.Contact) {
	ctx := context.Background()
	s, member := open(t)
	a, err := s.EnsureTenant(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.EnsureTenant(ctx, "globex")
	if err != nil {
		t.Fatal(err)
	}
	ann := &intake.Contact{Email: "ann@example.com", FirstName: "Ann", LastName: "Smith", Name: "Ann Smith",
		Custom: map[string]string{"member_id": "7", "level": "Gold, Silver"}}
	bob := &intake.Contact{Email: "bob@example.com", FirstName: "Bob", LastName: "Annan", Name: "Bob Annan",
		Custom: map[string]string{"member_id": "8"}}
	zoe := &intake.Contact{Email: "z_100%@example.com", FirstName: "Zoë", LastName: "Ängström", Name: "Zoë Ängström", Custom: map[string]string{"level": "Gold"}}
	dora := &intake.Contact{Email: "dora@annex.example", Name: "Dora"}
	insert(t, s, a.ID, ann, bob, zoe, dora)
	theirs := &intake.Contact{Email: "ann@example.com", Name: "Ann Other", Custom: map[string]string{"member_id": "7"}}
	insert(t, s, b.ID, theirs)
	member(t, a.ID, ann.ID, "Volunteers", "Utrecht", "gala-2025")
	member(t, a.ID, bob.ID, "volunteers", "", "")
	member(t, a.ID, zoe.ID, "", "utrecht", "meetup")
	member(t, b.ID, theirs.ID, "Volunteers", "Utrecht", "gala-2025")
	return s, a.ID, ann, bob
}

// contactFilterCases are the filters RunContactFilters lists tenant a's
// contacts with, and the names each must give, in id order.
var contactFilterCases = []struct {
	name string
	f    store.ContactFilter
	want []string
}{
	{"q: a prefix of the first or last name, ignoring case", store.ContactFilter{Q: "ANN"}, []string{"Ann Smith", "Bob Annan"}},
	{"q: a prefix of the email", store.ContactFilter{Q: "dora@"}, []string{"Dora"}},
	{"q: a prefix of the full name, beyond ASCII", store.ContactFilter{Q: "zoË ä"}, []string{"Zoë Ängström"}},
	{"q: a prefix of the last name, beyond ASCII", store.ContactFilter{Q: "ängs"}, []string{"Zoë Ängström"}},
	{"q: wildcards are literal", store.ContactFilter{Q: "z_1"}, []string{"Zoë Ängström"}},
	{"q: % is no wildcard", store.ContactFilter{Q: "%"}, nil},
	{"q: not inside a word", store.ContactFilter{Q: "mith"}, nil},
	{"group, ignoring case", store.ContactFilter{Group: "VOLUNTEERS"}, []string{"Ann Smith", "Bob Annan"}},
	{"an unknown group", store.ContactFilter{Group: "board"}, nil},
	{"location, ignoring case", store.ContactFilter{Location: "utrecht"}, []string{"Ann Smith", "Zoë Ängström"}},
	{"event key", store.ContactFilter{Event: "gala-2025"}, []string{"Ann Smith"}},
	{"event key is exact", store.ContactFilter{Event: "GALA-2025"}, nil},
	{"custom value", store.ContactFilter{Custom: map[string]string{"member_id": "7"}}, []string{"Ann Smith"}},
	{"custom value is exact", store.ContactFilter{Custom: map[string]string{"level": "Gold"}}, []string{"Zoë Ängström"}},
	{"two custom values", store.ContactFilter{Custom: map[string]string{"level": "Gold, Silver", "member_id": "7"}}, []string{"Ann Smith"}},
	{"custom value of an absent field", store.ContactFilter{Custom: map[string]string{"nope": "7"}}, nil},
	{"filters combine", store.ContactFilter{Q: "a", Group: "volunteers", Location: "Utrecht", Event: "gala-2025",
		Custom: map[string]string{"member_id": "7"}}, []string{"Ann Smith"}},
	{"filters combine to nothing", store.ContactFilter{Group: "volunteers", Event: "meetup"}, nil},
}

// checkFilterPaging: paging goes on within a filter.
func checkFilterPaging(t *testing.T, s store.Store, a int64, ann, bob *intake.Contact) {
	ctx := context.Background()
	page, err := s.ListContacts(ctx, a, store.ContactFilter{Group: "volunteers", Limit: 1})
	if err != nil || len(page) != 1 || page[0].ID != ann.ID {
		t.Fatalf("first page %v, %v", page, err)
	}
	page, err = s.ListContacts(ctx, a, store.ContactFilter{Group: "volunteers", Limit: 1, After: ann.ID})
	if err != nil || len(page) != 1 || page[0].ID != bob.ID {
		t.Fatalf("second page %v, %v", page, err)
	}
}
