package http_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestEventsAndParticipantsEndToEnd drives events, the participants bulk
// import and a participants file job through the running server.
func TestEventsAndParticipantsEndToEnd(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			full := newKey(t, db, "acme", "contacts,participants")
			partOnly := newKey(t, db, "acme", "participants")
			contactsOnly := newKey(t, db, "acme", "contacts")
			other := newKey(t, db, "globex", "contacts,participants")
			base := serve(t, db)
			a := client{t, base, full}

			if st, _, raw := a.do("POST", "/api/v1/events", map[string]any{"key": "conf-2026", "name": "Conference", "starts_at": "2026-05-01T09:00:00+02:00"}); st != 201 ||
				!strings.Contains(raw, `"starts_at":"2026-05-01T07:00:00Z"`) {
				t.Fatalf("create event: %d %s", st, raw)
			}

			t.Run("events routes", func(t *testing.T) {
				c := client{t, base, full}
				for _, tc := range []struct {
					method, path string
					body         any
					status       int
					says         string
				}{
					{"POST", "/api/v1/events", map[string]any{"key": "conf-2026"}, 409, "already exists"},
					{"POST", "/api/v1/events", map[string]any{"key": "bad", "starts_at": "tomorrow"}, 422, "starts_at"},
					{"POST", "/api/v1/events", map[string]any{"key": "has space"}, 422, "key"},
					{"POST", "/api/v1/events", map[string]any{"key": "dinner", "name": "Dinner"}, 201, `"key":"dinner"`},
					{"GET", "/api/v1/events/conf-2026", nil, 200, `"name":"Conference"`},
					{"GET", "/api/v1/events/nope", nil, 404, "not found"},
					{"GET", "/api/v1/events?limit=1", nil, 200, `"next_cursor"`},
					{"GET", "/api/v1/events/nope/participants", nil, 404, "not found"},
					{"DELETE", "/api/v1/events/nope", nil, 404, "not found"},
				} {
					if st, _, raw := c.do(tc.method, tc.path, tc.body); st != tc.status || !strings.Contains(raw, tc.says) {
						t.Errorf("%s %s: %d %s, want %d containing %q", tc.method, tc.path, st, raw, tc.status, tc.says)
					}
				}
				if st, _, raw := (client{t, base, other}).do("GET", "/api/v1/events/conf-2026", nil); st != 404 {
					t.Errorf("globex reads acme's event: %d %s", st, raw)
				}
			})

			t.Run("bulk participants: create_contacts true twice, then false", func(t *testing.T) {
				c := client{t, base, full}
				c.do("POST", "/api/v1/bulk-import/contacts", map[string]any{"records": []map[string]any{{"email": "ann@example.com", "city": "Oslo"}}})
				req := map[string]any{"event_key": "conf-2026", "records": []map[string]any{
					{"E-mail": "Ann@Example.com", "Status": "attended", "city": "Bergen"},
					{"email": "bob@example.com", "first_name": "Bob"},
					{"first_name": "No email"},
				}}
				st, body, raw := c.do("POST", "/api/v1/bulk-import/participants", req)
				if st != 200 || num(body, "total") != 3 || num(body, "created") != 2 || num(body, "updated") != 0 || num(body, "skipped") != 1 || num(body, "contacts_created") != 1 {
					t.Fatalf("first: %d %s", st, raw)
				}
				d1 := body["details"].([]any)[1].(map[string]any)
				if d1["status"] != "created" || d1["contact_created"] != true || num(d1, "contact_id") == 0 {
					t.Fatalf("bob's detail %v", d1)
				}
				if e := body["errors"].([]any); len(e) != 1 || e[0].(map[string]any)["code"] != "missing_match_key" {
					t.Fatalf("errors %v", e)
				}
				st, body, raw = c.do("POST", "/api/v1/bulk-import/participants", req)
				if st != 200 || num(body, "created") != 0 || num(body, "updated") != 2 || num(body, "contacts_created") != 0 {
					t.Fatalf("second: %d %s", st, raw)
				}
				no := false
				req = map[string]any{"event_key": "conf-2026", "create_contacts": no, "records": []map[string]any{{"email": "carl@example.com"}, {"email": "bob@example.com", "status": "cancelled"}}}
				for range 2 {
					st, body, raw = c.do("POST", "/api/v1/bulk-import/participants", req)
					if st != 200 || num(body, "updated") != 1 || num(body, "skipped") != 1 || num(body, "contacts_created") != 0 ||
						!strings.Contains(raw, `"code":"contact_not_found"`) || !strings.Contains(raw, "create_contacts is false") {
						t.Fatalf("create_contacts=false: %d %s", st, raw)
					}
				}
				st, list, raw := c.do("GET", "/api/v1/events/conf-2026/participants", nil)
				if st != 200 || len(list["data"].([]any)) != 2 {
					t.Fatalf("participants: %d %s", st, raw)
				}
				st, list, raw = c.do("GET", "/api/v1/events/conf-2026/participants?status=cancelled&limit=1", nil)
				data := list["data"].([]any)
				if st != 200 || len(data) != 1 || data[0].(map[string]any)["contact"].(map[string]any)["email"] != "bob@example.com" {
					t.Fatalf("cancelled: %d %s", st, raw)
				}
				_, found, _ := c.do("GET", "/api/v1/contacts?email=ann@example.com", nil)
				annID := num(found["data"].([]any)[0].(map[string]any), "id")
				st, ann, raw := c.do("GET", fmt.Sprintf("/api/v1/contacts/%d", annID), nil)
				if st != 200 || ann["city"] != "Oslo" || !strings.Contains(raw, `"events":[{"key":"conf-2026","name":"Conference","status":"attended"}]`) {
					t.Fatalf("ann: %d %s", st, raw)
				}
			})

			t.Run("bulk participants: bad requests and scopes", func(t *testing.T) {
				recs := []map[string]any{{"email": "x@example.com"}}
				for _, tc := range []struct {
					name   string
					key    string
					body   map[string]any
					status int
					says   string
				}{
					{"event_key missing", full, map[string]any{"records": recs}, 422, "body.event_key"},
					{"no such event", full, map[string]any{"records": recs, "event_key": "nope"}, 422, `"location":"body.event_key"`},
					{"a contacts key", contactsOnly, map[string]any{"records": recs, "event_key": "conf-2026"}, 403, `lacks the \"participants\" scope`},
					// Issue 19: the seed's /participants needs the participants
					// scope only, and its defaults (create_contacts true) create
					// the contact a participant needs.
					{"a participants key with the seed's defaults creates the contact", partOnly, map[string]any{"records": recs, "event_key": "conf-2026"}, 200,
						`"contacts_created":1`},
					{"a participants key adding existing contacts", partOnly, map[string]any{"records": []map[string]any{{"email": "ann@example.com"}},
						"event_key": "conf-2026", "create_contacts": false}, 200, `"updated":1`},
				} {
					if st, _, raw := (client{t, base, tc.key}).do("POST", "/api/v1/bulk-import/participants", tc.body); st != tc.status || !strings.Contains(raw, tc.says) {
						t.Errorf("%s: %d %s, want %d containing %s", tc.name, st, raw, tc.status, tc.says)
					}
				}
				// The contacts endpoint takes the same body and ignores the participant
				// options; it answers the seed's seven fields, contacts_created too.
				st, body, raw := a.do("POST", "/api/v1/bulk-import/contacts", map[string]any{"event_key": "nope", "create_contacts": false,
					"records": []map[string]any{{"email": "ignored-options@example.com"}}})
				if st != 200 || num(body, "created") != 1 || num(body, "contacts_created") != 1 {
					t.Fatalf("contacts with event_key: %d %s", st, raw)
				}
			})

			t.Run("a participants file job", func(t *testing.T) {
				c := client{t, base, full}
				file := "email,first_name,status\nann@example.com,Ann,speaker\nfile-new@example.com,New,\nnot-an-email,X,\n"
				st, job, raw := c.upload("p.csv", []byte(file), map[string]string{"resource": "participants", "event_key": "dinner"})
				if st != 201 || job["resource"] != "participants" || job["mapping"].(map[string]any)["status"] != "status" {
					t.Fatalf("upload: %d %s", st, raw)
				}
				job = c.wait(num(job, "id"))
				if job["status"] != "completed" || num(job, "created") != 2 || num(job, "failed_rows") != 1 || num(job, "contacts_created") != 1 {
					t.Fatalf("job %v", job)
				}
				_, list, _ := c.do("GET", "/api/v1/events/dinner/participants", nil)
				if got := fmt.Sprint(list["data"]); !strings.Contains(got, "status:speaker") || !strings.Contains(got, "status:registered") {
					t.Fatalf("participants %s", got)
				}
				if st, _, raw := c.upload("p.csv", []byte(file), map[string]string{"resource": "participants", "event_key": "nope"}); st != 422 || !strings.Contains(raw, "body.event_key") {
					t.Fatalf("unknown event: %d %s", st, raw)
				}
				if st, _, raw := (client{t, base, contactsOnly}).upload("p.csv", []byte(file), map[string]string{"resource": "participants", "event_key": "dinner"}); st != 403 {
					t.Fatalf("a contacts key: %d %s", st, raw)
				}
				// A contacts job does not show contacts_created.
				_, job, raw = c.upload("c.csv", []byte("email\nplain@example.com\n"), nil)
				if _, ok := job["contacts_created"]; ok {
					t.Fatalf("contacts job shows contacts_created: %s", raw)
				}
			})

			t.Run("deleting an event deletes its participants, not their contacts", func(t *testing.T) {
				c := client{t, base, full}
				if st, _, raw := c.do("DELETE", "/api/v1/events/dinner", nil); st != 204 {
					t.Fatalf("delete: %d %s", st, raw)
				}
				if st, _, _ := c.do("GET", "/api/v1/events/dinner/participants", nil); st != 404 {
					t.Fatalf("participants of a deleted event: %d", st)
				}
				if _, list, _ := c.do("GET", "/api/v1/contacts?email=file-new@example.com", nil); len(list["data"].([]any)) != 1 {
					t.Fatalf("the contact went with the event: %v", list)
				}
			})
		})
	}
}
