package http_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// contactJSON renders a contact's data (no id or timestamps) for comparison.
func contactJSON(t *testing.T, c map[string]any) string {
	t.Helper()
	d := map[string]any{}
	for k, v := range c {
		switch k {
		case "id", "created_at", "updated_at":
		default:
			d[k] = v
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestContactAPIEndToEnd(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			base := serve(t, db)

			t.Run("create normalises as an import does; 422 and 409 carry the field, value and code", func(t *testing.T) {
				c := newTenantClient(t, db, base)
				memberFields(c)
				ann := c.must(201, "POST", "/api/v1/contacts", map[string]any{
					"email": " Ann@Example.COM ", "first_name": " Ann ", "last_name": "Smith", "phone": "06 12345678",
					"country": "netherlands", "tags": []string{"vip", "lead", "vip"}, "member_id": "0042",
					"custom":     map[string]any{"born": "31-12-1990", "level": "silver; GOLD", "vip": "ja", "note": " free "},
					"alternates": []map[string]any{{"type": "phone", "kind": "work", "value": "020 123 4567"}}})
				want := `{"alternates":[{"kind":"work","type":"phone","value":"+31201234567"}],"country":"NL",` +
					`"custom":{"born":"1990-12-31","level":"Gold, Silver","member_id":"42","note":"free","vip":"true"},` +
					`"email":"ann@example.com","first_name":"Ann","last_name":"Smith","name":"Ann Smith","phone":"+31612345678","tags":["lead","vip"]}`
				if got := contactJSON(t, ann); got != want {
					t.Fatalf("created\n got %s\nwant %s", got, want)
				}
				got := c.must(200, "GET", fmt.Sprintf("/api/v1/contacts/%d", num(ann, "id")), nil)
				if contactJSON(t, got) != want {
					t.Fatalf("stored %s", contactJSON(t, got))
				}
				for _, tc := range []struct {
					name   string
					status int
					body   map[string]any
					errors []string // location | value | code
				}{
					{"every bad value at once", 422, map[string]any{"email": "ann@", "phone": "call me", "member_id": "x",
						"custom": map[string]any{"born": "1990-02-30", "level": "Bronze", "vip": "maybe"}},
						[]string{"body.email | ann@ | invalid_email", "body.phone | call me | invalid_phone",
							"body.custom.born | 1990-02-30 | invalid_date", "body.custom.level | Bronze | invalid_option",
							"body.custom.member_id | x | invalid_number", "body.custom.vip | maybe | invalid_boolean"}},
					{"a name over its limit", 422, map[string]any{"email": "b@example.com", "first_name": strings.Repeat("x", 256), "born": "1990-01-01"},
						[]string{"body.first_name | " + strings.Repeat("x", 80) + "… | too_long"}},
					{"nothing that identifies a person", 422, map[string]any{"city": "Oslo", "born": "1990-01-01"}, []string{"body |  | missing_identity"}},
					{"a required field missing", 422, map[string]any{"email": "b@example.com"}, []string{"body.custom.born |  | missing_required"}},
					{"a key that is no field", 422, map[string]any{"email": "b@example.com", "shoe_size": 42}, []string{"body.shoe_size | 42 | -"}},
					{"an email taken", 409, map[string]any{"email": "ANN@example.com", "born": "1990-01-01"}, []string{"body.email | ann@example.com | value_taken"}},
					{"a unique custom value taken", 409, map[string]any{"email": "b@example.com", "custom.member_id": "42.0", "born": "1990-01-01"},
						[]string{"body.custom.member_id | 42 | value_taken"}},
				} {
					st, m, raw := c.do("POST", "/api/v1/contacts", tc.body)
					if st != tc.status || !strings.Contains(raw, `"detail"`) {
						t.Fatalf("%s: %d %s", tc.name, st, raw)
					}
					sameLines(t, tc.name, lines(m["errors"], "location", "value", "code"), tc.errors)
				}
				if list := c.must(200, "GET", "/api/v1/contacts", nil); len(list["data"].([]any)) != 1 {
					t.Fatalf("a refused create stored something: %v", list["data"])
				}
			})

			t.Run("patch changes only what is sent; empty clears; the same 422 and 409", func(t *testing.T) {
				c := newTenantClient(t, db, base)
				memberFields(c)
				ann := c.must(201, "POST", "/api/v1/contacts", map[string]any{"email": "ann@example.com", "first_name": "Ann", "last_name": "Smith",
					"city": "Oslo", "tags": "vip", "member_id": 7, "born": "1990-01-01", "level": "Gold"})
				c.must(201, "POST", "/api/v1/contacts", map[string]any{"email": "bob@example.com", "member_id": 8, "born": "1990-01-01"})
				path := fmt.Sprintf("/api/v1/contacts/%d", num(ann, "id"))
				got := c.must(200, "PATCH", path, map[string]any{"last_name": "Jones", "city": "", "phone": "+1 415 555 2671",
					"custom": map[string]any{"level": nil}, "tags": []string{}})
				want := `{"custom":{"born":"1990-01-01","member_id":"7"},"email":"ann@example.com","first_name":"Ann","last_name":"Jones",` +
					`"name":"Ann Jones","phone":"+14155552671","tags":[]}`
				if contactJSON(t, got) != want {
					t.Fatalf("patched\n got %s\nwant %s", contactJSON(t, got), want)
				}
				if got["updated_at"] == ann["updated_at"] || got["created_at"] != ann["created_at"] || num(got, "id") != num(ann, "id") {
					t.Fatalf("timestamps: before %v, after %v", ann, got)
				}
				for _, tc := range []struct {
					name   string
					status int
					body   map[string]any
					errors []string
				}{
					{"a bad value", 422, map[string]any{"email": "nope", "born": "soon"}, []string{"body.email | nope | invalid_email", "body.custom.born | soon | invalid_date"}},
					{"clearing a required field", 422, map[string]any{"born": ""}, []string{"body.custom.born |  | missing_required"}},
					{"clearing all that identifies", 422, map[string]any{"email": "", "first_name": "", "last_name": "", "name": "", "phone": "", "member_id": ""},
						[]string{"body |  | missing_identity"}},
					{"another contact's email", 409, map[string]any{"email": "Bob@example.com"}, []string{"body.email | bob@example.com | value_taken"}},
					{"another contact's member id", 409, map[string]any{"member_id": "8"}, []string{"body.custom.member_id | 8 | value_taken"}},
				} {
					st, m, raw := c.do("PATCH", path, tc.body)
					if st != tc.status {
						t.Fatalf("%s: %d %s", tc.name, st, raw)
					}
					sameLines(t, tc.name, lines(m["errors"], "location", "value", "code"), tc.errors)
				}
				if after := c.must(200, "GET", path, nil); contactJSON(t, after) != want {
					t.Fatalf("a refused patch changed the contact: %s", contactJSON(t, after))
				}
				// Its own values are no conflict; an unchanged patch is fine.
				c.must(200, "PATCH", path, map[string]any{"email": "ANN@example.com", "member_id": "7"})
			})

			t.Run("another tenant's contact is 404 on get, patch and delete; delete is 204", func(t *testing.T) {
				c, other := newTenantClient(t, db, base), newTenantClient(t, db, base)
				ann := c.must(201, "POST", "/api/v1/contacts", map[string]any{"email": "ann@example.com"})
				path := fmt.Sprintf("/api/v1/contacts/%d", num(ann, "id"))
				other.must(404, "GET", path, nil)
				other.must(404, "PATCH", path, map[string]any{"city": "Oslo"})
				other.must(404, "DELETE", path, nil)
				// The other tenant's contact with the same email is no conflict.
				other.must(201, "POST", "/api/v1/contacts", map[string]any{"email": "ann@example.com"})
				if got := c.must(200, "GET", path, nil); got["city"] != nil {
					t.Fatalf("another tenant's patch wrote: %v", got)
				}
				c.must(204, "DELETE", path, nil)
				c.must(404, "GET", path, nil)
				c.must(404, "DELETE", path, nil)
				c.must(404, "PATCH", path, map[string]any{"city": "Oslo"})
				c.must(404, "PATCH", "/api/v1/contacts/999999", map[string]any{"city": "Oslo"})
			})

			t.Run("list filters q, tag and custom values", func(t *testing.T) {
				c := newTenantClient(t, db, base)
				memberFields(c)
				for _, body := range []map[string]any{
					{"email": "ann@example.com", "name": "Ann Smith", "member_id": 7, "born": "1990-01-01", "tags": "vip", "level": "Gold, Silver"},
					{"email": "bob@example.com", "first_name": "Bob", "last_name": "Annan", "member_id": 8, "born": "1990-01-01"},
					{"email": "cy@annex.example", "name": "Cy", "member_id": 9, "born": "1990-01-01", "tags": "vip"},
				} {
					c.must(201, "POST", "/api/v1/contacts", body)
				}
				for _, tc := range []struct{ query, want string }{
					{"q=ann", "ann@example.com bob@example.com"},
					{"q=CY%40", "cy@annex.example"},
					{"q=annex", ""},
					{"custom=member_id:8", "bob@example.com"},
					{"custom=custom.member_id:8", "bob@example.com"},
					{"custom=" + url.QueryEscape("level:Gold, Silver"), "ann@example.com"},
					{"custom=member_id:7&custom=born:1990-01-01", "ann@example.com"},
					{"custom=member_id:7&custom=born:1990-01-02", ""},
					{"tag=vip&q=c", "cy@annex.example"},
					{"group=volunteers", ""},
					{"location=Utrecht", ""},
					{"event=gala", ""},
				} {
					list := c.must(200, "GET", "/api/v1/contacts?"+tc.query, nil)
					if got := strings.Join(lines(list["data"], "email"), " "); got != tc.want {
						t.Errorf("?%s: %q, want %q", tc.query, got, tc.want)
					}
				}
				if st, m, raw := c.do("GET", "/api/v1/contacts?custom=member_id", nil); st != 422 || lines(m["errors"], "location")[0] != "query.custom" {
					t.Fatalf("custom without a value: %d %s", st, raw)
				}
			})
		})
	}
}
