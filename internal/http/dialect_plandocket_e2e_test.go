package http_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestPlandocketSeed replays shared/seeds/000 (Plandocket bulk import)
// against a running server on both stores: the GET list example in curl's,
// PHP's, JS's and Python's form (they send the same request), the two
// endpoints with the seed's request fields, and the response schema's seven
// fields.
func TestPlandocketSeed(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "acme", "contacts,participants")
			other := newKey(t, db, "globex", "contacts")
			onlyP := newKey(t, db, "acme", "participants")
			base := serve(t, db)
			auth := func(k string) map[string]string {
				return map[string]string{"Authorization": "Bearer " + k, "Content-Type": "application/json"}
			}
			before := time.Now().Unix()

			// /contacts with every field of the request schema, the
			// participants endpoint's too (accepted and ignored).
			r := call(t, "POST", base+"/api/v1/bulk-import/contacts", auth(key), strings.NewReader(`{
				"records":[{"E-mail":"ann@example.com","voornaam":"Ann"},{"email":"bad"}],
				"field_mapping":{"E-mail":"email","voornaam":"first_name"},
				"mode":"create","match_field":"email","skip_on_error":true,
				"event_key":"conf","create_contacts":false}`))
			if r.status != 200 {
				t.Fatalf("/contacts: %d %s", r.status, r.raw)
			}
			for _, k := range []string{"total", "created", "updated", "skipped", "contacts_created", "errors", "details"} {
				if _, ok := r.body[k]; !ok {
					t.Errorf("/contacts lacks %q: %s", k, r.raw)
				}
			}
			if num(r.body, "total") != 2 || num(r.body, "created") != 1 || num(r.body, "skipped") != 1 || num(r.body, "contacts_created") != 1 {
				t.Errorf("/contacts counts: %s", r.raw)
			}

			// The seed's defaults: mode create, so the same record again is skipped.
			r = call(t, "POST", base+"/api/v1/bulk-import/contacts", auth(key), strings.NewReader(`{"records":[{"email":"ann@example.com"}]}`))
			if r.status != 200 || num(r.body, "skipped") != 1 || num(r.body, "contacts_created") != 0 {
				t.Errorf("default mode create: %d %s", r.status, r.raw)
			}

			// /participants with event_key and create_contacts.
			ev := call(t, "POST", base+"/api/v1/events", auth(key), strings.NewReader(`{"key":"conf","name":"Conf"}`))
			if ev.status != 201 {
				t.Fatalf("event: %d %s", ev.status, ev.raw)
			}
			r = call(t, "POST", base+"/api/v1/bulk-import/participants", auth(key), strings.NewReader(`{
				"records":[{"email":"ann@example.com"},{"email":"bob@example.com"}],"event_key":"conf","create_contacts":true}`))
			if r.status != 200 || num(r.body, "created") != 2 || num(r.body, "contacts_created") != 1 {
				t.Fatalf("/participants: %d %s", r.status, r.raw)
			}
			// Required scopes: /contacts needs contacts.
			if r := call(t, "POST", base+"/api/v1/bulk-import/contacts", auth(onlyP), strings.NewReader(`{"records":[]}`)); r.status != 403 {
				t.Errorf("/contacts with a participants key: %d %s", r.status, r.raw)
			}

			// The seed's code example: GET /api/v1/bulk-import with the
			// Authorization and Content-Type headers; a participants key
			// may read it too.
			for _, k := range []string{key, onlyP} {
				r = call(t, "GET", base+"/api/v1/bulk-import", auth(k), nil)
				if r.status != 200 {
					t.Fatalf("GET /api/v1/bulk-import: %d %s", r.status, r.raw)
				}
				if got := fmt.Sprint(keysOf(r.body)); got != "[data meta]" {
					t.Errorf("envelope keys %s: %s", got, r.raw)
				}
				meta, _ := r.body["meta"].(map[string]any)
				if id, _ := meta["request_id"].(string); !strings.HasPrefix(id, "req_") {
					t.Errorf("meta.request_id = %v", meta["request_id"])
				}
				data := asList(r.body["data"])
				if len(data) != 3 {
					t.Fatalf("data has %d bulk imports, want 3: %s", len(data), r.raw)
				}
				newest := data[0].(map[string]any)
				created, updated := num(newest, "created_at"), num(newest, "updated_at")
				if num(newest, "bulk-import_id") == 0 || int64(created) < before || int64(created) > time.Now().Unix() || updated != created {
					t.Errorf("newest %v: want bulk-import_id and Unix-second timestamps", newest)
				}
				if newest["resource"] != "participants" || num(newest, "contacts_created") != 1 || num(newest, "total") != 2 || num(newest, "key_id") == 0 {
					t.Errorf("newest %v: want the participants import", newest)
				}
				oldest := data[2].(map[string]any)
				if oldest["resource"] != "contacts" || oldest["mode"] != "create" || num(oldest, "created") != 1 || num(oldest, "skipped") != 1 {
					t.Errorf("oldest %v: want the first contacts import", oldest)
				}
			}
			id := num(asList(r.body["data"])[0].(map[string]any), "bulk-import_id")
			one := call(t, "GET", fmt.Sprintf("%s/api/v1/bulk-import/%d", base, id), auth(key), nil)
			if one.status != 200 || num(one.body["data"].(map[string]any), "bulk-import_id") != id {
				t.Errorf("GET one: %d %s", one.status, one.raw)
			}
			// Another tenant sees none of it.
			if r := call(t, "GET", base+"/api/v1/bulk-import", auth(other), nil); r.status != 200 || len(asList(r.body["data"])) != 0 {
				t.Errorf("globex lists: %d %s", r.status, r.raw)
			}
			if r := call(t, "GET", fmt.Sprintf("%s/api/v1/bulk-import/%d", base, id), auth(other), nil); r.status != 404 {
				t.Errorf("globex reads acme's: %d %s", r.status, r.raw)
			}
		})
	}
}
