package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// write runs fn in one Write of tenant and fails the test on an error.
func write(t *testing.T, s store.Store, tenant int64, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Write(context.Background(), tenant, fn); err != nil {
		t.Fatal(err)
	}
}

func memberships(t *testing.T, s store.Store, tenant, id int64) string {
	t.Helper()
	c, err := s.GetContact(context.Background(), tenant, id)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(c.Groups, c.Locations)
}

// testContactMemberships checks that contacts join groups and locations by
// name: created when missing, matched ignoring case, nil keeps them, an
// empty list clears them, and tenants never share them.
func testContactMemberships(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, b := setup(t, open)
	ann := &intake.Contact{Email: "ann@example.com", Groups: []string{"VIP"}, Locations: []string{"HQ"},
		AlternateNames: []string{"Annie"}, IsPrimary: true}
	bob := &intake.Contact{Email: "bob@example.com"}
	insert(t, s, a.ID, ann, bob)
	insert(t, s, b.ID, &intake.Contact{Email: "ann@example.com", Groups: []string{"vip"}})
	if got := memberships(t, s, a.ID, ann.ID); got != "[VIP] [HQ]" {
		t.Errorf("after insert: %s", got)
	}
	if got, _ := s.GetContact(ctx, a.ID, ann.ID); !slices.Equal(got.AlternateNames, []string{"Annie"}) || !got.IsPrimary {
		t.Errorf("alternate names and is_primary: %+v", got)
	}
	ann.Groups, bob.Groups = []string{"vip", "Board"}, []string{"board"}
	write(t, s, a.ID, func(tx store.Tx) error { return tx.UpdateContacts(ctx, []*intake.Contact{ann, bob}) })
	if got := memberships(t, s, a.ID, ann.ID) + " " + memberships(t, s, a.ID, bob.ID); got != "[Board VIP] [HQ] [Board] []" {
		t.Errorf("after update: %s", got)
	}
	ann.Groups, ann.Locations = nil, []string{}
	write(t, s, a.ID, func(tx store.Tx) error { return tx.UpdateContacts(ctx, []*intake.Contact{ann}) })
	if got := memberships(t, s, a.ID, ann.ID); got != "[Board VIP] []" {
		t.Errorf("nil groups keep, empty locations clear: %s", got)
	}
	found, err := findAll(s, a.ID, store.Lookup{Emails: []string{"ann@example.com"}})
	if err != nil || len(found) != 1 || fmt.Sprint(found[0].Groups) != "[Board VIP]" {
		t.Errorf("FindContacts: %+v %v", found, err)
	}
	gs, err := s.ListGroups(ctx, a.ID, store.GroupFilter{Limit: 10})
	if err != nil || len(gs) != 2 || gs[0].Name != "VIP" || gs[0].Size != 1 || gs[1].Name != "Board" || gs[1].Size != 2 {
		t.Errorf("groups of acme: %+v %v", gs, err)
	}
	if gs, _ := s.ListGroups(ctx, b.ID, store.GroupFilter{Limit: 10}); len(gs) != 1 || gs[0].Name != "vip" || gs[0].Size != 1 {
		t.Errorf("groups of globex: %+v", gs)
	}
}

func findAll(s store.Store, tenant int64, l store.Lookup) ([]intake.Contact, error) {
	var out []intake.Contact
	err := s.Write(context.Background(), tenant, func(tx store.Tx) error {
		var err error
		out, err = tx.FindContacts(context.Background(), l)
		return err
	})
	return out, err
}

// testGroups checks groups: inserted with a location, found by resource and
// name ignoring case, members added or replaced, a taken name a conflict,
// deleted without their members, and never another tenant's.
func testGroups(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, b := setup(t, open)
	ann, bob := &intake.Contact{Email: "ann@example.com", Name: "Ann"}, &intake.Contact{Email: "bob@example.com", Name: "Bob"}
	insert(t, s, a.ID, ann, bob)
	staff := &intake.Group{Name: "Staff", Resource: intake.GroupOfContacts, Location: "HQ", Members: []intake.GroupMember{{ID: ann.ID}}}
	sites := &intake.Group{Name: "Sites", Resource: intake.GroupOfLocations, Members: []intake.GroupMember{{Name: "HQ"}, {Name: "Depot"}}}
	write(t, s, a.ID, func(tx store.Tx) error { return tx.InsertGroups(ctx, []*intake.Group{staff, sites}) })
	var found []intake.Group
	write(t, s, a.ID, func(tx store.Tx) error {
		var err error
		found, err = tx.FindGroups(ctx, []store.GroupKey{{Resource: "contact", Name: "staff"}, {Resource: "location", Name: "staff"}})
		return err
	})
	if len(found) != 1 || found[0].ID != staff.ID || found[0].Location != "HQ" {
		t.Errorf("FindGroups: %+v", found)
	}
	members := func(id int64) string { return groupMembers(t, s, a.ID, id) }
	if got := members(staff.ID) + " " + members(sites.ID); got != "Staff@HQ[Ann] Sites@[Depot HQ]" {
		t.Errorf("after insert: %s", got)
	}
	staff.Members, staff.Location = []intake.GroupMember{{ID: bob.ID}}, ""
	write(t, s, a.ID, func(tx store.Tx) error { return tx.UpdateGroups(ctx, []*intake.Group{staff}, false) })
	if got := members(staff.ID); got != "Staff@[Ann Bob]" {
		t.Errorf("after merge: %s", got)
	}
	sites.Members = []intake.GroupMember{{Name: "depot"}}
	write(t, s, a.ID, func(tx store.Tx) error { return tx.UpdateGroups(ctx, []*intake.Group{staff, sites}, true) })
	if got := members(staff.ID) + " " + members(sites.ID); got != "Staff@[Bob] Sites@[Depot]" {
		t.Errorf("after replace: %s", got)
	}
	checkGroupDeletes(t, s, a.ID, b.ID, staff, bob)
}

// groupMembers is group id as NAME@LOCATION[MEMBER …].
func groupMembers(t *testing.T, s store.Store, tenant, id int64) string {
	g, err := s.GetGroup(context.Background(), tenant, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range g.Members {
		out = append(out, m.Name)
	}
	return fmt.Sprintf("%s@%s%v", g.Name, g.Location, out)
}

// checkGroupDeletes: a taken name (ignoring case) is a conflict; another
// tenant neither reads nor deletes staff; deleting it keeps its members
// and the locations.
func checkGroupDeletes(t *testing.T, s store.Store, a, b int64, staff *intake.Group, bob *intake.Contact) {
	ctx := context.Background()
	err := s.Write(ctx, a, func(tx store.Tx) error {
		return tx.InsertGroups(ctx, []*intake.Group{{Name: "STAFF", Resource: intake.GroupOfContacts}})
	})
	if intake.ErrorCode(err) != intake.ECONFLICT {
		t.Errorf("a taken name: %v", err)
	}
	if _, err := s.GetGroup(ctx, b, staff.ID); intake.ErrorCode(err) != intake.ENOTFOUND {
		t.Errorf("another tenant's group: %v", err)
	}
	var n int64
	write(t, s, b, func(tx store.Tx) error { n, err = tx.DeleteGroups(ctx, []int64{staff.ID}); return err })
	if n != 0 {
		t.Errorf("another tenant deleted %d groups", n)
	}
	write(t, s, a, func(tx store.Tx) error { n, err = tx.DeleteGroups(ctx, []int64{staff.ID}); return err })
	if _, gerr := s.GetContact(ctx, a, bob.ID); n != 1 || gerr != nil {
		t.Errorf("delete: %d %v", n, gerr)
	}
	if ls, err := s.ListLocations(ctx, a, 0, 10); err != nil || len(ls) != 2 {
		t.Errorf("locations: %+v %v", ls, err)
	}
}
