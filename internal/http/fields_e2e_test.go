package http_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

var tenantSeq atomic.Int64

// newTenantClient returns a client with a contacts key of a new tenant.
func newTenantClient(t *testing.T, db, base string) client {
	t.Helper()
	return client{t, base, newKey(t, db, fmt.Sprintf("tenant-%d", tenantSeq.Add(1)), "contacts")}
}

// must sends a request and fails the test unless the status is want.
func (c client) must(want int, method, path string, body any) map[string]any {
	c.t.Helper()
	st, m, raw := c.do(method, path, body)
	if st != want {
		c.t.Fatalf("%s %s: %d, want %d: %s", method, path, st, want, raw)
	}
	return m
}

// lines renders a list of JSON objects as one line each, with the keys
// given in that order, for comparing answers written out in a test.
func lines(v any, keys ...string) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		m, _ := x.(map[string]any)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprint(m[k])
			if m[k] == nil {
				parts[i] = "-"
			}
		}
		out = append(out, strings.Join(parts, " | "))
	}
	return out
}

func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s:\n got %s\nwant %s", what, strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

// memberFields defines the custom fields most cases use.
func memberFields(c client) {
	c.t.Helper()
	for _, f := range []map[string]any{
		{"name": "member_id", "label": "Member No", "type": "number", "unique": true},
		{"name": "born", "label": "Date of birth", "type": "date", "required": true},
		{"name": "level", "type": "list", "options": []string{"Gold", "Silver"}},
		{"name": "vip", "type": "boolean"},
	} {
		c.must(201, "POST", "/api/v1/fields", f)
	}
}

func TestCustomFieldsEndToEnd(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			base := serve(t, db)

			t.Run("custom field CRUD", func(t *testing.T) {
				c, other := newTenantClient(t, db, base), newTenantClient(t, db, base)
				f := c.must(201, "POST", "/api/v1/fields", map[string]any{"name": "member_id", "label": " Member No ", "type": "number", "unique": true})
				if f["name"] != "member_id" || f["label"] != "Member No" || f["type"] != "number" || f["unique"] != true || f["required"] != false || num(f, "id") == 0 {
					t.Fatalf("created %v", f)
				}
				if st, _, raw := c.do("POST", "/api/v1/fields", map[string]any{"name": "member_id", "type": "text"}); st != 409 || !strings.Contains(raw, `named \"member_id\" exists`) {
					t.Fatalf("the same name again: %d %s", st, raw)
				}
				for _, bad := range []struct {
					body     map[string]any
					location string
				}{
					{map[string]any{"name": "email", "type": "text"}, "body.name"},
					{map[string]any{"name": "Member", "type": "text"}, "body.name"},
					{map[string]any{"name": "x", "type": "money"}, "body.type"},
					{map[string]any{"name": "x", "type": "boolean", "unique": true}, "body.unique"},
					{map[string]any{"name": "x", "type": "text", "options": []string{"a"}}, "body.options"},
				} {
					st, m, raw := c.do("POST", "/api/v1/fields", bad.body)
					if st != 422 || !slices.Contains(lines(m["errors"], "location"), bad.location) {
						t.Errorf("POST %v: %d %s, want 422 at %s", bad.body, st, raw, bad.location)
					}
				}
				list := c.must(200, "GET", "/api/v1/fields", nil)
				sameLines(t, "fields", lines(list["data"], "name", "type", "unique"), []string{"member_id | number | true"})
				targets := map[string]string{}
				for _, l := range lines(list["targets"], "name", "type", "match", "unique", "synonyms") {
					name, rest, _ := strings.Cut(l, " | ")
					targets[name] = rest
				}
				if targets["custom.member_id"] != "number | true | true | [Member No]" || !strings.HasPrefix(targets["email"], "email | true | true | [mail ") ||
					!strings.HasPrefix(targets["city"], "text | false | false | [town ") || !strings.Contains(targets["city"], " Ort ") || targets["alternate_phones_work"] == "" {
					t.Fatalf("targets: %v", targets)
				}
				c.must(200, "GET", "/api/v1/fields/member_id", nil)
				c.must(404, "GET", "/api/v1/fields/nope", nil)
				f = c.must(200, "PATCH", "/api/v1/fields/member_id", map[string]any{"label": "Member number", "required": true})
				if f["label"] != "Member number" || f["required"] != true || f["unique"] != true || f["type"] != "number" {
					t.Fatalf("patched %v", f)
				}
				c.must(422, "PATCH", "/api/v1/fields/member_id", map[string]any{"type": "boolean"}) // a unique boolean
				// Another tenant sees none of it.
				other.must(404, "GET", "/api/v1/fields/member_id", nil)
				other.must(404, "PATCH", "/api/v1/fields/member_id", map[string]any{"label": "x"})
				other.must(404, "DELETE", "/api/v1/fields/member_id", nil)
				if l := other.must(200, "GET", "/api/v1/fields", nil); len(l["data"].([]any)) != 0 {
					t.Fatalf("other tenant's fields: %v", l["data"])
				}
				c.must(204, "DELETE", "/api/v1/fields/member_id", nil)
				c.must(404, "GET", "/api/v1/fields/member_id", nil)
				c.must(404, "DELETE", "/api/v1/fields/member_id", nil)
			})

			t.Run("a field cannot become unique while contacts share a value, and the 409 names it", func(t *testing.T) {
				c := newTenantClient(t, db, base)
				first := c.must(201, "POST", "/api/v1/contacts", map[string]any{"email": "a@example.com", "custom": map[string]any{"code": "A1"}})
				c.must(201, "POST", "/api/v1/contacts", map[string]any{"email": "b@example.com", "custom.code": "A1"})
				st, m, raw := c.do("POST", "/api/v1/fields", map[string]any{"name": "code", "type": "text", "unique": true})
				if st != 409 || m["detail"] != `Custom field code cannot be unique: more than one contact has the value "A1".` {
					t.Fatalf("unique over a duplicate: %d %s", st, raw)
				}
				c.must(201, "POST", "/api/v1/fields", map[string]any{"name": "code", "type": "text"})
				if st, _, raw := c.do("PATCH", "/api/v1/fields/code", map[string]any{"unique": true}); st != 409 || !strings.Contains(raw, `"value":"A1","code":"value_taken"`) {
					t.Fatalf("patch to unique over a duplicate: %d %s", st, raw)
				}
				c.must(200, "PATCH", fmt.Sprintf("/api/v1/contacts/%d", num(first, "id")), map[string]any{"custom": map[string]any{"code": "A2"}})
				if f := c.must(200, "PATCH", "/api/v1/fields/code", map[string]any{"unique": true}); f["unique"] != true {
					t.Fatalf("patched %v", f)
				}
			})

			t.Run("bulk import: each custom-field type error of a record, exactly", func(t *testing.T) {
				c := newTenantClient(t, db, base)
				memberFields(c)
				res := c.must(200, "POST", "/api/v1/bulk-import/contacts", map[string]any{"mode": "upsert", "records": []map[string]any{
					{"email": "ann@example.com", "Member No": "0042", "Date of birth": "31-12-1990", "level": "silver;gold", "vip": "ja"},
					{"email": "bob@example.com", "member_id": "forty", "born": "30-02-1990", "level": "Bronze", "vip": "maybe"},
					{"email": "cy@example.com", "member_id": 43},
					{"email": "dee@example.com", "member_id": "42", "born": "1990-01-01"},
				}})
				list := c.must(200, "GET", "/api/v1/contacts", nil)
				ann := list["data"].([]any)[0].(map[string]any)
				sameLines(t, "errors", lines(res["errors"], "index", "field", "code", "message"), []string{
					`1 | custom.born | invalid_date | "30-02-1990" is not a date; write custom.born as YYYY-MM-DD (or DD-MM-YYYY).`,
					`1 | custom.level | invalid_option | "Bronze" is not an option of custom.level; use Gold, Silver.`,
					`1 | custom.member_id | invalid_number | "forty" is not a number; custom.member_id takes numbers such as 42 or -3.5.`,
					`1 | custom.vip | invalid_boolean | "maybe" is not yes or no; custom.vip takes true/false, yes/no, ja/nee, y/n or 1/0.`,
					`2 | custom.born | missing_required | custom.born is required: a new contact needs a value for it.`,
					`3 | custom.member_id | value_taken | The custom.member_id "42" already belongs to a contact an earlier record creates; the field is unique.`,
				})
				sameLines(t, "details", lines(res["details"], "index", "status", "code"), []string{
					"0 | created | -", "1 | failed | invalid_date", "2 | failed | missing_required", "3 | failed | value_taken"})
				got, _ := json.Marshal(ann["custom"])
				if string(got) != `{"born":"1990-12-31","level":"Gold, Silver","member_id":"42","vip":"true"}` {
					t.Fatalf("stored custom %s", got)
				}
			})

			t.Run("file job: headers map to custom fields by name or label; the report has each type error", func(t *testing.T) {
				c := newTenantClient(t, db, base)
				memberFields(c)
				file := "E-mail,Member No,Date of birth,Level,VIP\n" +
					"ann@example.com,7,5 March 1970,gold,yes\n" + // 2: created
					"bob@example.com,seven,1970-03-05,,\n" + // 3: invalid_number
					"cy@example.com,8,1970-02-30,,\n" + // 4: invalid_date
					"dee@example.com,9,1970-03-05,Bronze,\n" + // 5: invalid_option
					"eve@example.com,10,1970-03-05,,perhaps\n" + // 6: invalid_boolean
					"fay@example.com,11,,,\n" + // 7: missing_required
					"gus@example.com,7.0,1970-03-05,,\n" // 8: value_taken
				// invalid_fields skip_row: every bad value fails its row.
				strict := newTenantClient(t, db, base)
				memberFields(strict)
				st, job, raw := strict.upload("members.csv", []byte(file), map[string]string{"upload_mode": "sync", "invalid_fields": "skip_row"})
				if st != 201 || job["status"] != "completed" || num(job, "created") != 1 || num(job, "failed_rows") != 6 {
					t.Fatalf("strict upload: %d %s", st, raw)
				}
				// The default, skip_field: a bad value in a field that is neither
				// the match field nor required is left unset, the row written.
				st, job, raw = c.upload("members.csv", []byte(file), map[string]string{"upload_mode": "sync"})
				if st != 201 || job["status"] != "completed" || num(job, "created") != 4 || num(job, "failed_rows") != 3 || num(job, "partial_rows") != 3 {
					t.Fatalf("upload: %d %s", st, raw)
				}
				mapping, _ := json.Marshal(job["mapping"])
				if string(mapping) != `{"Date of birth":"custom.born","E-mail":"email","Level":"custom.level","Member No":"custom.member_id","VIP":"custom.vip"}` {
					t.Fatalf("mapping %s", mapping)
				}
				errs := c.must(200, "GET", fmt.Sprintf("/api/v1/imports/%d/errors", num(job, "id")), nil)
				sameLines(t, "report", lines(errs["data"], "row", "column", "field", "value", "code", "outcome"), []string{
					"3 | Member No | custom.member_id | seven | invalid_number | partial",
					"4 | Date of birth | custom.born | 1970-02-30 | invalid_date | failed", // required: the row fails
					"5 | Level | custom.level | Bronze | invalid_option | partial",
					"6 | VIP | custom.vip | perhaps | invalid_boolean | partial",
					"7 | Date of birth | custom.born | - | missing_required | failed",
					"8 | Member No | custom.member_id | 7 | value_taken | failed",
				})
				// Bob is stored with his good values and without the bad one.
				bob := c.must(200, "GET", "/api/v1/contacts?email=bob@example.com", nil)["data"].([]any)[0].(map[string]any)
				if custom, _ := bob["custom"].(map[string]any); custom["born"] != "1970-03-05" || custom["member_id"] != nil {
					t.Fatalf("bob %v", bob)
				}
			})

			t.Run("a unique custom field is a match field as custom.member_id and as member_id", func(t *testing.T) {
				c := newTenantClient(t, db, base)
				memberFields(c)
				c.must(201, "POST", "/api/v1/contacts", map[string]any{"email": "ann@example.com", "member_id": 7, "born": "1970-01-01"})
				c.must(201, "POST", "/api/v1/contacts", map[string]any{"email": "bob@example.com", "member_id": 8, "born": "1970-01-01"})
				res := c.must(200, "POST", "/api/v1/bulk-import/contacts", map[string]any{"mode": "update", "match_field": "member_id",
					"records": []map[string]any{{"member_id": "007", "city": "Oslo"}, {"member_id": 9, "city": "Rome"}}})
				sameLines(t, "bare name", lines(res["details"], "index", "status", "code"), []string{"0 | updated | -", "1 | skipped | not_found"})
				file := "Member No,City,Email\n8,Bergen,\n7,Bergen,bob@example.com\n"
				st, job, raw := c.upload("m.csv", []byte(file), map[string]string{"upload_mode": "sync", "match_fields": "custom.member_id", "mode": "update"})
				if st != 201 || num(job, "updated") != 1 || num(job, "failed_rows") != 1 || fmt.Sprint(job["match_fields"]) != "[custom.member_id]" {
					t.Fatalf("upload: %d %s", st, raw)
				}
				sameLines(t, "report", lines(job["errors"], "row", "field", "code"), []string{"3 | email | value_taken"})
				list := c.must(200, "GET", "/api/v1/contacts?custom=city:x", nil) // an absent custom field: nothing
				if len(list["data"].([]any)) != 0 {
					t.Fatalf("custom=city:x listed %v", list["data"])
				}
				list = c.must(200, "GET", "/api/v1/contacts", nil)
				sameLines(t, "stored", lines(list["data"], "email", "city"), []string{"ann@example.com | Oslo", "bob@example.com | Bergen"})
				if st, _, raw := c.do("POST", "/api/v1/bulk-import/contacts", map[string]any{"match_field": "shoe_size", "records": []any{}}); st != 422 || !strings.Contains(raw, "custom.member_id") {
					t.Fatalf("an unknown match field: %d %s", st, raw)
				}
			})
		})
	}
}
