package packagex

import (
	"errors"
	"fmt"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
)

func TestTranslate(t *testing.T) {
	p := func(kv ...string) dialect.Params {
		var out dialect.Params
		for i := 0; i+1 < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	tests := []struct {
		name    string
		in      dialect.Params
		hasData bool
		want    string // resource mode dups ignoreEmpty sync async saveUpload required
		err     string
	}{
		{"the seed's contact example", p("upload_mode", "sync", "action", "merge", "duplicate_handling", "use_first", "resource", "contact"), true,
			"contacts upsert use_first true true false true [name]", ""},
		{"the seed's group example", p("upload_mode", "sync", "action", "merge", "duplicate_handling", "ignore_all", "resource", "group"), true,
			"groups upsert ignore_all true true false true [name resource]", ""},
		{"default duplicate handling is ignore_all", p("upload_mode", "sync", "action", "merge"), true,
			"contacts upsert ignore_all true true false true [name]", ""},
		{"overwrite clears empty cells", p("upload_mode", "sync", "action", "overwrite"), true,
			"contacts upsert ignore_all false true false true [name]", ""},
		{"async without data", p("upload_mode", "async", "action", "delete", "save_upload", "false"), false,
			"contacts delete ignore_all true false true false [name]", ""},
		{"item is a collection", p("upload_mode", "sync", "action", "merge", "resource", "item"), true,
			"collection:item upsert ignore_all true true false true [name]", ""},
		{"asset is a collection", p("upload_mode", "sync", "action", "merge", "resource", "asset"), true,
			"collection:asset upsert ignore_all true true false true [name]", ""},
		{"sync needs data", p("upload_mode", "sync", "action", "merge"), false, "", "data"},
		{"async needs data null", p("upload_mode", "async", "action", "merge"), true, "", "data"},
		{"name too short", p("action", "merge", "name", "ab"), true, "", "name"},
		{"name too long", p("action", "merge", "name", string(make([]byte, 128))), true, "", "name"},
		{"a header mapped twice", p("action", "merge", "column_mapping", `{"name":"N","notes":"N"}`), true, "", "column_mapping"},
		{"action is required", p("upload_mode", "sync"), true, "", "action"},
		{"use_last is not PackageX's", p("action", "merge", "duplicate_handling", "use_last"), true, "", "duplicate_handling"},
		{"an unknown resource", p("action", "merge", "resource", "parcel"), true, "", "resource"},
		{"a location_id that is not an id is refused, not ignored", p("action", "merge", "location_id", "loc_1"), true, "", "location_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := Translate(dialect.Request{Params: tt.in, HasFile: tt.hasData})
			if tt.err != "" {
				var ie *intake.Error
				if !errors.As(err, &ie) || len(ie.Fields) == 0 || ie.Fields[0].Field != tt.err {
					t.Fatalf("err = %v, want a field error on %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s := req.Spec
			got := fmt.Sprintf("%s %s %s %v %v %v %v %v", s.Resource, s.Mode, s.Duplicates, s.IgnoreEmptyFields, req.Sync, req.Hold, !req.DiscardWhenDone, s.Required)
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
