package intake

import (
	"slices"
	"testing"
)

func TestCollectionNames(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"OrderID", "OrderID"}, {"Charge Date", "charge_date"}, {"  amount ", "amount"}, {"2nd line", "f_2nd_line"},
		{"e-mail (work)", "e_mail_work"}, {"€", ""}, {"client_uuid", "client_uuid"},
	} {
		if got := FieldFromHeader(c.in); got != c.want {
			t.Errorf("FieldFromHeader(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		in, name string
		ok       bool
	}{{"collection:charges", "charges", true}, {"Collection:Order", "Order", true}, {"collection:", "", false}, {"contacts", "", false}} {
		if name, ok := ParseCollectionResource(c.in); name != c.name || ok != c.ok {
			t.Errorf("ParseCollectionResource(%q) = %q %v", c.in, name, ok)
		}
	}
	if r := CollectionResource("charges"); r != "collection:charges" {
		t.Errorf("CollectionResource: %q", r)
	}
	for _, c := range []struct{ in, want string }{
		{"client_email", LinkContactEmail}, {"Client", LinkContact}, {"contact_id", LinkContactID}, {"client_uuid", LinkContactNumber}, {"amount", ""},
	} {
		if got, _ := SuggestLink(c.in); got != c.want {
			t.Errorf("SuggestLink(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestChildFields(t *testing.T) {
	t.Parallel()
	reg := NewRegistry(nil, Collection{Name: "Policy", BelongsToContact: true, KeyFields: []string{"policy_no"},
		Fields: []CollectionField{{Name: "policy_no", Type: TypeText}, {Name: "premium", Label: "Premium (EUR)", Type: TypeNumber}}},
		Collection{Name: "items", Fields: []CollectionField{{Name: "sku", Type: TypeText}}})
	for _, c := range []struct {
		header, want string
	}{
		{"Order.OrderID", "Order.OrderID"},         // an undefined collection takes the names as they are
		{"policy.Premium (EUR)", "Policy.premium"}, // a defined one spells them as defined, labels too
		{"Policy.colour", ""},                      // not a field of Policy
		{"items.sku", ""},                          // items do not belong to contacts
		{"custom.member_id", "custom.member_id"},
		{"E.mail", "email"}, // a built-in field's own name wins
	} {
		if got, _ := reg.Suggest(c.header); got != c.want {
			t.Errorf("Suggest(%q) = %q, want %q", c.header, got, c.want)
		}
	}
	m, err := reg.ParseMatchFields("Order.OrderID")
	if err != nil || !slices.Equal(m, []string{"email", "Order.OrderID"}) {
		t.Errorf("a child key alone: %v %v", m, err)
	}
	if _, err := reg.ParseMatchFields("email", "Policy.premium"); ErrorCode(err) != EINVALID {
		t.Errorf("a child key that is not the collection's key field: %v", err)
	}
	if own := OwnMatchFields([]string{"email", "Order.OrderID"}); !slices.Equal(own, []string{"email"}) {
		t.Errorf("own match fields %v", own)
	}
}

func TestCollectionValidate(t *testing.T) {
	t.Parallel()
	bad := []Collection{
		{Name: "9lives"},
		{Name: "Order", Fields: []CollectionField{{Name: "id", Type: TypeText}, {Name: "ID", Type: TypeText}}},
		{Name: "Order", Fields: []CollectionField{{Name: "flag", Type: TypeBoolean}}, KeyFields: []string{"flag"}},
		{Name: "Order", KeyFields: []string{"missing"}},
		{Name: "Order", Fields: []CollectionField{{Name: "contact_email", Type: TypeText}}},
		{Name: "Order", Fields: []CollectionField{{Name: "n", Type: "money"}}},
	}
	for _, c := range bad {
		if err := c.Validate(); ErrorCode(err) != EINVALID {
			t.Errorf("%+v: %v, want invalid", c, err)
		}
	}
	ok := Collection{Name: " Order ", Fields: []CollectionField{{Name: "OrderID", Type: TypeText}, {Name: "Kind", Type: TypeList, Options: []string{"a", " A ", "b"}}},
		KeyFields: []string{"orderid"}}
	if err := ok.Validate(); err != nil || ok.Name != "Order" || !slices.Equal(ok.KeyFields, []string{"OrderID"}) || !slices.Equal(ok.Fields[1].Options, []string{"a", "b"}) {
		t.Errorf("valid: %v %+v", err, ok)
	}
}
