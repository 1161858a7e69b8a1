package importer

import (
	"slices"
	"testing"

	"github.com/intake/intake"
)

func TestKindOf(t *testing.T) {
	for _, tc := range []struct {
		resource, kind, param, stored string
		ok                            bool
	}{
		{"", "contacts", "", "contacts", true},
		{"Contacts", "contacts", "", "contacts", true},
		{" clients ", "contacts", "", "contacts", true},
		{"participant", "participants", "", "participants", true},
		{"GROUPS", "groups", "", "groups", true},
		{"collection:Orders", "collection", "Orders", "collection:Orders", true},
		{"Collection: items ", "collection", "items", "collection:items", true},
		{"collection:", "", "", "", false},
		{"companies", "", "", "", false},
		{"nope:x", "", "", "", false},
	} {
		k, param, ok := KindOf(tc.resource)
		if ok != tc.ok {
			t.Errorf("KindOf(%q) ok = %v, want %v", tc.resource, ok, tc.ok)
			continue
		}
		if !ok {
			continue
		}
		if k.Name != tc.kind || param != tc.param || k.Resource(param) != tc.stored {
			t.Errorf("KindOf(%q) = %s %q (stored %q), want %s %q (%q)", tc.resource, k.Name, param, k.Resource(param), tc.kind, tc.param, tc.stored)
		}
	}
}

func TestKindMatchFields(t *testing.T) {
	reg := intake.NewRegistry(nil)
	groups, _, _ := KindOf("groups")
	for _, given := range [][]string{{intake.FieldEmail}, intake.GroupMatchFields} {
		if got, err := groups.MatchFields(reg, "", given); err != nil || !slices.Equal(got, intake.GroupMatchFields) {
			t.Errorf("groups with %v: %v %v", given, got, err)
		}
	}
	if _, err := groups.MatchFields(reg, "", []string{"phone"}); intake.ErrorCode(err) != intake.EINVALID {
		t.Errorf("groups with phone: %v, want EINVALID", err)
	}
	contacts, _, _ := KindOf("")
	if got, err := contacts.MatchFields(reg, "", []string{"email,phone"}); err != nil || !slices.Equal(got, []string{"email", "phone"}) {
		t.Errorf("contacts email,phone: %v %v", got, err)
	}
	if _, err := contacts.MatchFields(reg, "", []string{"shoe_size"}); err == nil {
		t.Error("contacts accept an unknown match field")
	}
	if got := KindNames(); got != "contacts, groups, participants or collection:NAME" {
		t.Errorf("KindNames() = %q", got)
	}
	if p, _, _ := KindOf("participants"); p.Scope != intake.ScopeParticipants || !p.CreatesContacts || !p.NeedsEvent {
		t.Errorf("participants kind %+v", p)
	}
}
