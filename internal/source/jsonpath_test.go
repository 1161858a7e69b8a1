package source

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestJSONTableDiscovery finds the records wherever a JSON document keeps
// them, and the path option overrides.
func TestJSONTableDiscovery(t *testing.T) {
	t.Parallel()
	// A long member before the records: past the head, so the reader
	// searches the stream.
	var long strings.Builder
	long.WriteString(`{"meta":{"generated":"2025-03-04","notes":[`)
	for i := range 6000 {
		fmt.Fprintf(&long, `%q,`, fmt.Sprintf("note %d", i))
	}
	long.WriteString(`"end"]},"result":{"contacts":[{"name":"Ann","email":"ann@x.example"},{"name":"Bob","email":"bob@x.example"}]}}`)
	for _, tc := range []struct {
		name, in string
		opts     Options
		path     string
		header   []string
		rows     [][]string
		code     string
	}{
		{"nested two levels", `{"status":"ok","data":{"count":2,"people":[{"first_name":"Ann","email":"ann@x.example","phone":"+47 22 00 00 00"},{"first_name":"Bob","email":"bob@x.example","phone":"+47 22 00 00 01"}]}}`,
			Options{}, "data.people", []string{"first_name", "email", "phone"},
			[][]string{{"Ann", "ann@x.example", "+47 22 00 00 00"}, {"Bob", "bob@x.example", "+47 22 00 00 01"}}, ""},
		{"the people, not the tags", `{"tags":[{"id":1,"label":"vip"},{"id":2,"label":"new"}],"members":[{"name":"Ann Lee","email":"ann@x.example","city":"Oslo","phone":"+47 22 00 00 00"},{"name":"Bob Ray","email":"bob@x.example","city":"Bergen","phone":"+47 22 00 00 01"}]}`,
			Options{}, "members", []string{"name", "email", "city", "phone"},
			[][]string{{"Ann Lee", "ann@x.example", "Oslo", "+47 22 00 00 00"}, {"Bob Ray", "bob@x.example", "Bergen", "+47 22 00 00 01"}}, ""},
		{"an object keyed by ids", `{"users":{"u-17":{"name":"Ann","email":"ann@x.example"},"u-18":{"name":"Bob","email":"bob@x.example"}},"total":2}`,
			Options{}, "users", []string{"name", "email", "id"},
			[][]string{{"Ann", "ann@x.example", "u-17"}, {"Bob", "bob@x.example", "u-18"}}, ""},
		{"the path option", `{"tags":[{"id":1,"label":"vip"}],"members":[{"name":"Ann","email":"ann@x.example"}]}`,
			Options{Path: "tags"}, "tags", []string{"id", "label"}, [][]string{{"1", "vip"}}, ""},
		{"the path option to an object keyed by ids", `{"users":{"a":{"name":"Ann","email":"ann@x.example"}}}`,
			Options{Path: "users"}, "users", []string{"name", "email", "id"}, [][]string{{"Ann", "ann@x.example", "a"}}, ""},
		{"a path that is not there", `{"data":{"people":[{"name":"Ann"}]}}`, Options{Path: "data.persons"}, "", nil, nil, "path_not_found"},
		{"records past the head", long.String(), Options{}, "result.contacts", []string{"name", "email"},
			[][]string{{"Ann", "ann@x.example"}, {"Bob", "bob@x.example"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, d, err := OpenTable(t.Context(), strings.NewReader(tc.in), tc.opts)
			if tc.code != "" {
				if FileCode(err) != tc.code {
					t.Fatalf("err %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			rows, err := readAll(t, r)
			if err != nil {
				t.Fatal(err)
			}
			if d.Path != tc.path || d.Format != FormatJSON {
				t.Errorf("detected %+v, want path %q", d, tc.path)
			}
			if !reflect.DeepEqual(r.Header(), tc.header) {
				t.Errorf("header %q, want %q", r.Header(), tc.header)
			}
			var got [][]string
			for _, row := range rows {
				got = append(got, row.Values)
			}
			if !reflect.DeepEqual(got, tc.rows) {
				t.Errorf("rows %q, want %q", got, tc.rows)
			}
		})
	}
}
