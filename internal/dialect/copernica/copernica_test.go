package copernica

import (
	"fmt"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
)

func params(kv ...string) dialect.Params {
	var p dialect.Params
	for i := 0; i+1 < len(kv); i += 2 {
		p.Add(kv[i], kv[i+1])
	}
	return p
}

func TestTranslate(t *testing.T) {
	tests := []struct {
		name string
		in   dialect.Params
		want string // resource mode match ignoreEmpty join removeGroup autostart format delimiter
		err  string
	}{
		{"the seed's first example", params("database", "1", "name", "TestImport", "rebuild", "true", "action", "update or add", "keyFields", `["Email"]`, "format", "json"),
			"contacts upsert [email] true 1  true json ", ""},
		{"defaults: action add, key Email", params(),
			"contacts create [email] true   true  ", ""},
		{"every action", params("action", "ignore or add"), "contacts ignore_or_add [email] true   true  ", ""},
		{"delete", params("action", "delete", "deleteTarget", "profile"), "contacts delete [email] true   true  ", ""},
		{"a Copernica synonym as key field", params("keyFields", "Contactpersoon"), "contacts create [name] true   true  ", ""},
		{"an unknown key field is a custom field", params("keyFields[]", "Lid nummer"), "contacts create [custom.lid_nummer] true   true  ", ""},
		{"the subprofile example is a contact import whose dotted key picks the child record", params("database", "1", "keyFields", `["Email","Order.OrderID"]`),
			"contacts create [email Order.OrderID] true 1  true  ", ""},
		{"removeMissing works within the database", params("database", "Leden", "removeMissing", "true", "ignoreEmptyFields", "false", "autostart", "false"),
			"contacts create [email] false Leden Leden false  ", ""},
		{"a tab delimiter sent escaped", params("delimiter", `\t`, "format", "csv"), "contacts create [email] true   true csv \t", ""},
		{"a tab delimiter sent as a tab", params("delimiter", "\t"), "contacts create [email] true   true  \t", ""},
		{"followups accepted", params("followups", "false"), "contacts create [email] true   true  ", ""},
		{"an unknown action", params("action", "replace"), "", "action"},
		{"subprofile without a subprofile key", params("action", "delete", "deleteTarget", "subprofile"), "", "deleteTarget"},
		{"removeMissing with delete", params("action", "delete", "removeMissing", "true"), "", "removeMissing"},
		{"a bad boolean", params("rebuild", "maybe"), "", "rebuild"},
		{"xlsx is no Copernica format", params("format", "xlsx"), "", "format"},
		{"upsert is Intake's name, not a Copernica action", params("action", "upsert"), "", "action"},
		{"a documented action in other case and spacing", params("action", "Update  or Add"), "contacts upsert [email] true   true  ", ""},
		{"a pipe is not a documented delimiter", params("delimiter", "|"), "", "delimiter"},
		{"a semicolon is", params("delimiter", ";"), "contacts create [email] true   true  ;", ""},
		{"source and location together", params("source", "", "location", ""), "", "location"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := Translate(dialect.Request{Params: tt.in, HasFile: true})
			req := tr.ImportRequest
			if tt.err != "" {
				var ie *intake.Error
				if err == nil || !asErr(err, &ie) || len(ie.Fields) == 0 || ie.Fields[0].Field != tt.err {
					t.Fatalf("err = %v, want a field error on %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s := req.Spec
			got := fmt.Sprintf("%s %s %v %v %s %s %v %s %s", s.Resource, s.Mode, s.MatchFields, s.IgnoreEmptyFields, s.JoinGroup,
				s.RemoveMissingGroup, req.Autostart, req.Format, req.Delimiter)
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
