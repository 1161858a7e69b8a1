package http_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestBulkImportEndToEnd(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			keyA := newKey(t, db, "acme", "contacts,participants")
			keyB := newKey(t, db, "globex", "contacts")
			keyNoScope := newKey(t, db, "acme", "participants")
			base := serve(t, db)
			a, bc := client{t, base, keyA}, client{t, base, keyB}

			t.Run("the seed's request shape with field_mapping", func(t *testing.T) {
				st, body, raw := a.do("POST", "/api/v1/bulk-import/contacts", map[string]any{
					"records": []map[string]any{
						{"E-mail": "Jeroen@Copernica.com", "voornaam": "Jeroen", "achternaam": "Jansen", "phone": 31612345678, "tags": []string{"vip", "lead"}},
						{"E-mail": "danny@example.com", "voornaam": "Danny", "Unknown": "x"},
					},
					"field_mapping": map[string]string{"E-mail": "email", "voornaam": "first_name", "achternaam": "last_name"},
					"mode":          "upsert", "match_field": "email", "skip_on_error": true,
				})
				if st != 200 || num(body, "total") != 2 || num(body, "created") != 2 || num(body, "updated") != 0 || num(body, "skipped") != 0 {
					t.Fatalf("status %d: %s", st, raw)
				}
				details := body["details"].([]any)
				d0 := details[0].(map[string]any)
				if d0["status"] != "created" || num(d0, "id") == 0 {
					t.Fatalf("details[0] = %v", d0)
				}
				if _, ok := body["warnings"]; !ok {
					t.Fatalf("an ignored key is not reported: %s", raw)
				}
				st, c, raw := a.do("GET", fmt.Sprintf("/api/v1/contacts/%d", num(d0, "id")), nil)
				if st != 200 || c["email"] != "jeroen@copernica.com" || c["name"] != "Jeroen Jansen" || c["phone"] != "+31612345678" {
					t.Fatalf("stored contact: %d %s", st, raw)
				}
				if tags := fmt.Sprint(c["tags"]); tags != "[lead vip]" {
					t.Fatalf("tags = %s", tags)
				}
			})

			t.Run("1000 records upserted twice: second run all updated, nothing created", func(t *testing.T) {
				recs := records(1000, func(i int) map[string]any {
					return map[string]any{"email": fmt.Sprintf("bulk%d@example.com", i), "first_name": "Bulk", "customer_number": fmt.Sprintf("B%04d", i)}
				})
				req := map[string]any{"records": recs, "mode": "upsert"}
				st, body, raw := a.do("POST", "/api/v1/bulk-import/contacts", req)
				if st != 200 || num(body, "created") != 1000 || num(body, "total") != 1000 {
					t.Fatalf("first: %d %.300s", st, raw)
				}
				st, body, raw = a.do("POST", "/api/v1/bulk-import/contacts", req)
				if st != 200 || num(body, "created") != 0 || num(body, "updated") != 1000 {
					t.Fatalf("second: %d %.300s", st, raw)
				}
				// All 1000 are listable through the cursor pages.
				seen, cursor := 0, ""
				for pages := 0; pages < 20; pages++ {
					st, page, raw := a.do("GET", "/api/v1/contacts?limit=300&tag=&cursor="+cursor, nil)
					if st != 200 {
						t.Fatalf("list: %d %s", st, raw)
					}
					for _, c := range page["data"].([]any) {
						if strings.HasPrefix(c.(map[string]any)["email"].(string), "bulk") {
							seen++
						}
					}
					next, _ := page["next_cursor"].(string)
					if next == "" {
						break
					}
					cursor = next
				}
				if seen != 1000 {
					t.Fatalf("listed %d bulk contacts, want 1000", seen)
				}
			})

			t.Run("create twice: the second run skips every record with a reason", func(t *testing.T) {
				req := map[string]any{"records": records(3, func(i int) map[string]any {
					return map[string]any{"email": fmt.Sprintf("twice%d@example.com", i)}
				})}
				if st, body, raw := a.do("POST", "/api/v1/bulk-import/contacts", req); st != 200 || num(body, "created") != 3 {
					t.Fatalf("first: %d %s", st, raw)
				}
				st, body, raw := a.do("POST", "/api/v1/bulk-import/contacts", req)
				if st != 200 || num(body, "created") != 0 || num(body, "skipped") != 3 {
					t.Fatalf("second: %d %s", st, raw)
				}
				for _, d := range body["details"].([]any) {
					d := d.(map[string]any)
					if d["status"] != "skipped" || d["code"] != "already_exists" || !strings.Contains(d["reason"].(string), "already exists") {
						t.Fatalf("detail %v", d)
					}
				}
			})

			t.Run("skip_on_error=false with one invalid email: 422 and nothing written", func(t *testing.T) {
				req := map[string]any{"skip_on_error": false, "mode": "upsert", "records": []map[string]any{
					{"email": "allornothing1@example.com"}, {"email": "not-an-email"}, {"email": "allornothing2@example.com"},
				}}
				st, body, raw := a.do("POST", "/api/v1/bulk-import/contacts", req)
				if st != 422 || !strings.Contains(raw, "records[1].email") {
					t.Fatalf("status %d: %s", st, raw)
				}
				_ = body
				for _, e := range []string{"allornothing1@example.com", "allornothing2@example.com"} {
					st, list, _ := a.do("GET", "/api/v1/contacts?email="+e, nil)
					if st != 200 || len(list["data"].([]any)) != 0 {
						t.Fatalf("%s was written", e)
					}
				}
			})

			t.Run("tenant B can neither see nor change tenant A's contacts", func(t *testing.T) {
				_, body, _ := a.do("POST", "/api/v1/bulk-import/contacts", map[string]any{"records": []map[string]any{{"email": "secret@acme.example", "city": "Oslo"}}})
				id := num(body["details"].([]any)[0].(map[string]any), "id")
				if st, _, raw := bc.do("GET", fmt.Sprintf("/api/v1/contacts/%d", id), nil); st != 404 {
					t.Fatalf("B got A's contact: %d %s", st, raw)
				}
				if _, list, _ := bc.do("GET", "/api/v1/contacts?email=secret@acme.example", nil); len(list["data"].([]any)) != 0 {
					t.Fatal("B lists A's contact")
				}
				st, body, raw := bc.do("POST", "/api/v1/bulk-import/contacts", map[string]any{"mode": "update", "records": []map[string]any{{"email": "secret@acme.example", "city": "Hacked"}}})
				if st != 200 || num(body, "updated") != 0 || num(body, "skipped") != 1 {
					t.Fatalf("B's update: %d %s", st, raw)
				}
				bc.do("POST", "/api/v1/bulk-import/contacts", map[string]any{"mode": "delete", "records": []map[string]any{{"email": "secret@acme.example"}}})
				if st, c, raw := a.do("GET", fmt.Sprintf("/api/v1/contacts/%d", id), nil); st != 200 || c["city"] != "Oslo" {
					t.Fatalf("A's contact after B's attempts: %d %s", st, raw)
				}
			})

			t.Run("the auth scheme is case-insensitive", func(t *testing.T) {
				req, _ := http.NewRequest("GET", base+"/api/v1/contacts", nil)
				req.Header.Set("Authorization", "bearer "+a.key)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("lower-case bearer: %d", resp.StatusCode)
				}
			})

			t.Run("bad requests get a precise status and message", func(t *testing.T) {
				ok := map[string]any{"records": []map[string]any{{"email": "x@example.com"}}}
				for _, tc := range []struct {
					name   string
					c      client
					body   any
					status int
					says   string
				}{
					{"no key", client{t, base, ""}, ok, 401, "Bearer"},
					{"bad key", client{t, base, "ik_wrong"}, ok, 401, "not valid"},
					{"key without the contacts scope", client{t, base, keyNoScope}, ok, 403, "contacts"},
					{"1001 records", a, map[string]any{"records": records(1001, func(i int) map[string]any { return map[string]any{"email": fmt.Sprintf("r%d@example.com", i)} })}, 413, "at most 1000"},
					{"unknown mode", a, map[string]any{"records": ok["records"], "mode": "replace"}, 422, "Unknown mode"},
					{"unknown match field", a, map[string]any{"records": ok["records"], "match_field": "shoe_size"}, 422, "Unknown match field"},
					{"unknown mapping target", a, map[string]any{"records": ok["records"], "field_mapping": map[string]string{"a": "nope"}}, 422, "Unknown target field"},
					{"malformed JSON", a, `{"records": [`, 400, ""},
					{"records missing", a, map[string]any{"mode": "create"}, 422, "records"},
					{"records not an array", a, map[string]any{"records": "nope"}, 422, "records"},
				} {
					st, _, raw := tc.c.do("POST", "/api/v1/bulk-import/contacts", tc.body)
					if st != tc.status || !strings.Contains(raw, tc.says) {
						t.Errorf("%s: status %d, want %d containing %q: %.300s", tc.name, st, tc.status, tc.says, raw)
					}
					if st >= 400 && !strings.Contains(raw, `"title"`) {
						t.Errorf("%s: not a problem document: %s", tc.name, raw)
					}
				}
				if st, _, raw := a.do("GET", "/api/v1/contacts?cursor=bm9wZQ", nil); st != 422 {
					t.Errorf("bad cursor: %d %.200s", st, raw)
				}
				if st, _, _ := a.do("GET", "/api/v1/contacts/999999", nil); st != 404 {
					t.Errorf("missing contact: %d", st)
				}
			})

			t.Run("NUL characters and invalid UTF-8 are cleaned, not a 500", func(t *testing.T) {
				st, body, raw := a.do("POST", "/api/v1/bulk-import/contacts", `{"records":[{"email":"nul@example.com","first_name":"A\u0000B"}]}`)
				if st != 200 || num(body, "created") != 1 {
					t.Fatalf("%d %s", st, raw)
				}
				_, list, _ := a.do("GET", "/api/v1/contacts?email=nul@example.com", nil)
				if n := list["data"].([]any)[0].(map[string]any)["first_name"]; n != "AB" {
					t.Fatalf("first_name %q", n)
				}
			})

			t.Run("an import location on a private address is refused", func(t *testing.T) {
				// The job fetches a location (DESIGN §4a), so the refusal is its failure.
				st, job, raw := a.do("POST", "/api/v1/imports", map[string]any{"location": base + "/healthz"})
				if st != 201 || job["status"] != "analyzing" {
					t.Fatalf("%d %s", st, raw)
				}
				job = client{t, a.base, a.key}.wait(num(job, "id"))
				if msg := fmt.Sprint(job["error"]); job["status"] != "failed" || !strings.Contains(msg, "private, local or reserved address") || strings.Contains(msg, "dial tcp") {
					t.Fatalf("job %v", job)
				}
			})

			t.Run("openapi, docs and health are served", func(t *testing.T) {
				for path, want := range map[string]string{"/openapi.json": `"3.1.0"`, "/docs": "<html", "/healthz": "ok"} {
					resp, err := http.Get(base + path)
					if err != nil {
						t.Fatal(err)
					}
					raw, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 || !strings.Contains(string(raw), want) {
						t.Errorf("%s: %d %.200s", path, resp.StatusCode, raw)
					}
				}
			})
		})
	}
}
