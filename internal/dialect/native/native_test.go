package native

import (
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
)

func params(kv ...string) dialect.Params {
	var p dialect.Params
	for i := 0; i < len(kv); i += 2 {
		p.Add(kv[i], kv[i+1])
	}
	return p
}

func TestCreate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		p        dialect.Params
		check    func(intake.ImportRequest) bool
		errField string
	}{
		{"path chooses a JSON document's records", params("path", "data.people"), func(r intake.ImportRequest) bool {
			return r.Spec.Path == "data.people"
		}, ""},
		{"defaults: upsert on email, autostart, async", params(), func(r intake.ImportRequest) bool {
			return r.Spec.Mode == intake.ModeUpsert && slices.Equal(r.Spec.Required, []string{"email"}) && r.Autostart && !r.Sync
		}, ""},
		{"Copernica's names", params("action", "update or add", "keyFields", `["Email"]`, "ignoreEmptyFields", "false", "delimiter", `\t`),
			func(r intake.ImportRequest) bool {
				return r.Spec.Mode == intake.ModeUpsert && r.Spec.MatchFields[0] == "email" && !r.Spec.IgnoreEmptyFields && r.Delimiter == "\t"
			}, ""},
		{"PackageX's shape: column_mapping turned around, overwrite, name required",
			params("data", "", "column_mapping", `{"email":"E-mail address"}`, "action", "overwrite", "duplicate_handling", "ignore_all"),
			func(r intake.ImportRequest) bool {
				return r.Columns.ByHeader["E-mail address"] == "email" && r.Spec.Mode == intake.ModeUpsert && !r.Spec.IgnoreEmptyFields &&
					r.Spec.Duplicates == intake.DuplicatesIgnoreAll && slices.Contains(r.Spec.Required, "name")
			}, ""},
		{"TextUs's shape: headers by position, match on phone, name required", params("headers", `["name","phone_number"]`),
			func(r intake.ImportRequest) bool {
				return slices.Equal(r.Columns.ByPosition, []string{"name", "phone_number"}) &&
					slices.Equal(r.Spec.MatchFields, []string{"phone"}) && slices.Equal(r.Spec.Required, []string{"phone", "name"})
			}, ""},
		{"Plannr's type clients is contacts, sync upload", params("type", "clients", "mode", "store", "upload_mode", "sync"),
			func(r intake.ImportRequest) bool {
				return r.Spec.Resource == intake.ResourceContacts && r.Spec.Mode == intake.ModeCreate && r.Sync
			}, ""},
		{"Copernica's removeMissing and deleteTarget profile", params("removeMissing", "true", "deleteTarget", "profile", "remove_missing_group", "Members"),
			func(r intake.ImportRequest) bool {
				return r.Spec.RemoveMissing && r.Spec.RemoveMissingGroup == "Members"
			}, ""},
		{"deleteTarget subprofile without a child key field is refused, not run as a profile delete", params("action", "delete", "deleteTarget", "subprofile"), nil, "delete_target"},
		{"deleteTarget subprofile with Copernica's keyFields deletes children", params("action", "delete", "deleteTarget", "subprofile", "keyFields", "Email", "keyFields", "Order.OrderID"),
			func(r intake.ImportRequest) bool {
				return r.Spec.DeleteTarget == intake.DeleteSubprofile && slices.Equal(r.Spec.MatchFields, []string{"email", "Order.OrderID"}) &&
					slices.Equal(r.Spec.Required, []string{"email", "Order.OrderID"})
			}, ""},
		{"a collection resource takes its match fields as key fields", params("resource", "collection:charges", "match_fields", "Charge ID"),
			func(r intake.ImportRequest) bool {
				return r.Spec.Resource == "collection:charges" && slices.Equal(r.Spec.MatchFields, []string{"charge_id"})
			}, ""},
		{"a collection resource without match fields has no key", params("resource", "collection:charges"),
			func(r intake.ImportRequest) bool { return len(r.Spec.MatchFields) == 0 }, ""},
		{"an unknown deleteTarget", params("deleteTarget", "everything"), nil, "deleteTarget"},
		{"remove_missing with mode delete", params("mode", "delete", "remove_missing", "true"), nil, "remove_missing"},
		{"participants of an event, without creating contacts", params("resource", "participants", "event_key", "conf", "create_contacts", "false"),
			func(r intake.ImportRequest) bool {
				return r.Spec.Resource == intake.ResourceParticipants && r.Spec.EventKey == "conf" && !r.Spec.CreateContacts
			}, ""},
		{"participants create contacts by default", params("resource", "participants", "event_key", "conf"),
			func(r intake.ImportRequest) bool { return r.Spec.CreateContacts }, ""},
		{"contacts ignore event_key", params("event_key", "conf", "create_contacts", "false"),
			func(r intake.ImportRequest) bool {
				return r.Spec.Resource == intake.ResourceContacts && r.Spec.EventKey == ""
			}, ""},
		{"participants without event_key", params("resource", "participants"), nil, "event_key"},
		{"PackageX's shape: its limits, and ignore_all when duplicate_handling is not sent",
			params("data", "", "resource", "contact", "action", "merge"),
			func(r intake.ImportRequest) bool {
				return r.Spec.Limits[intake.FieldEmail] == 127 && r.Spec.Limits[intake.FieldPhone] == 31 &&
					r.Spec.Limits["alternate_emails"] == 127 && r.Spec.Limits[intake.FieldGroups] == 2047 &&
					r.Spec.Duplicates == intake.DuplicatesIgnoreAll
			}, ""},
		{"no PackageX limits outside its shape", params("mode", "upsert"),
			func(r intake.ImportRequest) bool {
				return r.Spec.Limits == nil && r.Spec.Duplicates == intake.DuplicatesUseLast
			}, ""},
		{"PackageX's resource group: groups, keyed on name and resource", params("data", "", "resource", "group", "duplicate_handling", "use_first"),
			func(r intake.ImportRequest) bool {
				return r.Spec.Resource == intake.ResourceGroups && slices.Equal(r.Spec.MatchFields, []string{"name", "resource"}) &&
					slices.Equal(r.Spec.Required, []string{"name", "resource"}) && r.Spec.Limits == nil && r.Spec.Duplicates == intake.DuplicatesUseFirst
			}, ""},
		{"groups match on nothing else", params("resource", "groups", "match_fields", "email,phone"), nil, "match_fields"},
		{"TextUs headers sent empty", params("headers", ""), nil, "headers"},
		{"an unknown mode", params("mode", "replace"), nil, "mode"},
		{"a resource not importable yet", params("type", "charges"), nil, "resource"},
		{"a two-character delimiter", params("delimiter", ";;"), nil, "delimiter"},
		{"a bad boolean", params("skip_on_error", "maybe"), nil, "skip_on_error"},
		{"a mapping that is not an object", params("mapping", "[1]"), nil, "mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := Create(dialect.Request{Params: tc.p, HasFile: true})
			r := tr.ImportRequest
			if tc.errField != "" {
				ie, ok := err.(*intake.Error)
				if !ok || ie.Code != intake.EINVALID || len(ie.Fields) == 0 || ie.Fields[0].Field != tc.errField {
					t.Fatalf("err = %#v, want EINVALID on %s", err, tc.errField)
				}
				return
			}
			if err != nil || !tc.check(r) {
				t.Fatalf("%+v %v", r, err)
			}
		})
	}
}

func TestPatchKeepsTheJobsOwnValues(t *testing.T) {
	t.Parallel()
	im := &intake.Import{Name: "list", Spec: intake.DefaultSpec()}
	im.Spec.MatchFields, im.Spec.Required = []string{"customer_number"}, []string{"customer_number", "name"}
	im.Spec.Mapping = map[string]string{"Nr": "customer_number"}
	r, err := Patch(params("duplicates", "use_first"), im, nil)
	if err != nil || r.Remap || r.Name != "list" || r.Spec.Duplicates != intake.DuplicatesUseFirst ||
		!slices.Equal(r.Spec.Required, []string{"customer_number", "name"}) || !maps.Equal(r.Spec.Mapping, im.Spec.Mapping) {
		t.Fatalf("%+v %v", r, err)
	}
	r, err = Patch(params("match_fields", `["email"]`, "mapping", `{"Mail":"email"}`), im, nil)
	if err != nil || !r.Remap || !slices.Equal(r.Spec.MatchFields, []string{"email"}) || r.Columns.ByHeader["Mail"] != "email" {
		t.Fatalf("%+v %v", r, err)
	}
}

// Regression: PATCH {"delimiter":"abc"} was accepted and "a" used.
func TestPatchRefusesALongDelimiter(t *testing.T) {
	t.Parallel()
	im := &intake.Import{Spec: intake.DefaultSpec()}
	_, err := Patch(params("delimiter", "abc"), im, nil)
	var e *intake.Error
	if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "delimiter" {
		t.Fatalf("%v", err)
	}
}

func TestCreateWithCustomMatchField(t *testing.T) {
	t.Parallel()
	reg := intake.NewRegistry([]intake.CustomField{{Name: "member_id", Type: intake.TypeNumber, Unique: true}})
	for _, v := range []string{"member_id", "custom.member_id", `["Member_ID"]`} {
		tr, err := Create(dialect.Request{Params: params("match_fields", v), HasFile: true, Registry: reg})
		r := tr.ImportRequest
		if err != nil || !slices.Equal(r.Spec.MatchFields, []string{"custom.member_id"}) || !slices.Equal(r.Spec.Required, []string{"custom.member_id"}) {
			t.Errorf("match_fields %s: %+v, %v", v, r.Spec, err)
		}
	}
	if _, err := Create(dialect.Request{Params: params("match_fields", "member_id"), HasFile: true}); err == nil {
		t.Error("a bare custom name is a match field without the tenant's registry")
	}
}
