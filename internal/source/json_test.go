package source

import (
	"reflect"
	"strings"
	"testing"
)

func TestJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		opts   Options
		header []string // after reading all rows
		rows   []want
	}{
		{
			name: "values of every JSON type",
			in: `[
				{"email": "a@x.nl", "age": 42, "score": 1.5e3, "vip": true, "old": false, "phone": null,
				 "tags": ["a", "b", 3, null], "address": {"city": "Delft", "zip": "2611"},
				 "matrix": [[1, 2], {"x": 1}]}
			]`,
			header: []string{"email", "age", "score", "vip", "old", "phone", "tags", "address.city", "address.zip", "matrix"},
			rows:   []want{{2, []string{"a@x.nl", "42", "1.5e3", "true", "false", "", "a,b,3,", "Delft", "2611", `[[1,2],{"x":1}]`}, ""}},
		},
		{
			name:   "nested objects become dotted columns, deeper than four levels compact JSON",
			in:     `[{"company":{"name":"Acme","address":{"city":"Delft"}},"a":{"b":{"c":{"d":{"e":{"f":1}}}}}}]`,
			header: []string{"company.name", "company.address.city", "a.b.c.d.e"},
			rows:   []want{{2, []string{"Acme", "Delft", `{"f":1}`}, ""}},
		},
		{
			name:   "an object wrapping the array",
			in:     `{"meta":{"page":1,"tags":["x"]},"total":2,"empty":[],"ids":[1,2],"data":[{"email":"a@x.nl"},{"email":"b@x.nl"}],"links":{"next":null}}`,
			header: []string{"email"},
			rows:   []want{{2, []string{"a@x.nl"}, ""}, {3, []string{"b@x.nl"}, ""}},
		},
		{
			name:   "JSON Lines",
			in:     "{\"email\":\"a@x.nl\",\"n\":1}\n{\"email\":\"b@x.nl\",\"m\":2}\n\n",
			header: []string{"email", "n", "m"},
			rows:   []want{{2, []string{"a@x.nl", "1"}, ""}, {3, []string{"b@x.nl", "", "2"}, ""}},
		},
		{
			name:   "one object is one record",
			in:     `{"email":"a@x.nl","tags":["a","b"]}`,
			header: []string{"email", "tags"},
			rows:   []want{{2, []string{"a@x.nl", "a,b"}, ""}},
		},
		{
			name:   "keys first seen later are appended to the header",
			in:     `[{"b":"1","a":"2"},{"c":"3","a":"4"},{"b":"5"}]`,
			header: []string{"b", "a", "c"},
			rows: []want{
				{2, []string{"1", "2"}, ""},
				{3, []string{"", "4", "3"}, ""},
				{4, []string{"5", "", ""}, ""},
			},
		},
		{
			name:   "keys are trimmed and compared ignoring case",
			in:     `[{"Email ":"a@x.nl"},{"email":"b@x.nl"}]`,
			header: []string{"Email"},
			rows:   []want{{2, []string{"a@x.nl"}, ""}, {3, []string{"b@x.nl"}, ""}},
		},
		{
			name:   "an element that is not an object is a malformed row",
			in:     `[{"a":"1"}, 2, "x", [1], null, {"a":"3"}]`,
			header: []string{"a"},
			rows: []want{
				{2, []string{"1"}, ""},
				{3, nil, "malformed_row"},
				{4, nil, "malformed_row"},
				{5, nil, "malformed_row"},
				{6, nil, "malformed_row"},
				{7, []string{"3"}, ""},
			},
		},
		{
			name:   "empty objects are skipped but counted",
			in:     `[{"a":"1"},{},{"a":null},{"a":"2"}]`,
			header: []string{"a"},
			rows:   []want{{2, []string{"1"}, ""}, {5, []string{"2"}, ""}},
		},
		{
			name:   "a long cell is a row error",
			in:     `[{"a":"123456"},{"a":"1"}]`,
			opts:   Options{MaxCellBytes: 5},
			header: []string{"a"},
			rows:   []want{{2, []string{"123456"}, "cell_too_long"}, {3, []string{"1"}, ""}},
		},
		{
			name:   "UTF-8 BOM and white space around the array",
			in:     "\xEF\xBB\xBF \n[{\"naam\":\"Łukasz\"}]\n",
			header: []string{"naam"},
			rows:   []want{{2, []string{"Łukasz"}, ""}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The caller may hand over a string, as Copernica's "source" field.
			r, err := Open(strings.NewReader(tt.in), tt.opts)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer r.Close()
			if f := info(t, r).Format; f != FormatJSON {
				t.Errorf("format = %s, want json", f)
			}
			rows, err := readAll(t, r)
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			checkRows(t, rows, tt.rows)
			if got := r.Header(); !reflect.DeepEqual(got, tt.header) {
				t.Errorf("Header() = %q, want %q", got, tt.header)
			}
		})
	}
}

func TestJSONFailsWhileReading(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		opts Options
		rows int // rows read before the error
		code string
		msg  string
	}{
		{"syntax error gives the offset", `[{"a":"1"},{"a":"2"},{"a" "3"}]`, Options{}, 2, "malformed_json", "malformed at byte 2"},
		{"missing comma", `[{"a":"1"} {"a":"2"}]`, Options{}, 1, "malformed_json", "byte"},
		{"array not closed", `[{"a":"1"},{"a":"2"}`, Options{}, 2, "malformed_json", "not closed"},
		{"data after the array", `[{"a":"1"}] [2]`, Options{}, 1, "malformed_json", "after the closing"},
		{"element over MaxRowBytes", `[{"a":"1"},{"a":"` + strings.Repeat("x", 2000) + `"}]`, Options{MaxRowBytes: 1000}, 1, "row_too_long", "Row 3"},
		{"too many keys", `[{"a":"1"},{"b":"2","c":"3"}]`, Options{MaxColumns: 2}, 1, "too_many_columns", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := Open(strings.NewReader(tt.in), tt.opts)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			rows, err := readAll(t, r)
			if code := errorCode(t, err); code != tt.code {
				t.Errorf("code = %q (%v), want %q", code, err, tt.code)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q does not contain %q", err, tt.msg)
			}
			if len(rows) != tt.rows {
				t.Errorf("read %d rows before the error, want %d", len(rows), tt.rows)
			}
		})
	}
}

func TestJSONElementLimitDoesNotBufferTheFile(t *testing.T) {
	t.Parallel()
	in := &endless{prefix: `[{"a":"1"},{"a":"`}
	r, err := Open(in, Options{MaxRowBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(t, r); errorCode(t, err) != "row_too_long" {
		t.Fatalf("err = %v, want row_too_long", err)
	}
	if max := headSize + 2*(64<<10) + 16<<10; in.read > max {
		t.Errorf("read %d bytes, want at most %d", in.read, max)
	}
}
