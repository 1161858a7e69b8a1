package http_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestPackageXSeed replays shared/seeds/002 (PackageX imports) against
// POST /v1/imports with the PX-API-KEY header, on both stores: both
// examples as the seed sends them (no Content-Type), async with its upload
// target, and each documented rule's error.
func TestPackageXSeed(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "acme", "contacts")
			other := newKey(t, db, "globex", "contacts")
			base := serve(t, db)
			px := func(k, body string) reply {
				return call(t, "POST", base+"/v1/imports", map[string]string{"PX-API-KEY": k}, strings.NewReader(body))
			}
			job := func(r reply) map[string]any {
				t.Helper()
				data, _ := r.body["data"].(map[string]any)
				if r.status != 201 || data == nil {
					t.Fatalf("%d %s", r.status, r.raw)
				}
				return data
			}

			// Import Contacts, as the seed's fetch sends it.
			r := px(key, `{"data":"`+seedContactsURI+`","upload_mode":"sync","action":"merge","duplicate_handling":"use_first","resource":"contact"}`)
			j := job(r)
			if got := counts(j); j["status"] != "completed" || got != "total=7 created=4 updated=0 skipped=2 failed=1" {
				t.Errorf("contacts: %s %s", got, r.raw)
			}
			if r.header.Get("Location") != fmt.Sprintf("/v1/imports/%d", num(j, "id")) {
				t.Errorf("Location %q", r.header.Get("Location"))
			}
			// Import Groups: its children are not all contacts of this tenant.
			j = job(px(key, `{"data":"`+seedGroupsURI+`","upload_mode":"sync","action":"merge","duplicate_handling":"ignore_all","resource":"group"}`))
			if got := counts(j); got != "total=6 created=2 updated=0 skipped=2 failed=2" {
				t.Errorf("groups: %s", got)
			}
			// The seed's default duplicate handling is ignore_all: two rows
			// of one email are both skipped.
			j = job(px(key, `{"data":"`+csvURI("name,email\nA,dup@example.com\nB,dup@example.com\n")+`","upload_mode":"sync","action":"merge","resource":"contact"}`))
			if got := counts(j); got != "total=2 created=0 updated=0 skipped=2 failed=0" {
				t.Errorf("default ignore_all: %s", got)
			}
			// data as an array of objects; column_mapping field → header;
			// overwrite; save_upload false.
			j = job(px(key, `{"data":[{"Naam":"Luke","Mail":"luke@example.com"}],"upload_mode":"sync","action":"overwrite",
				"resource":"contact","column_mapping":{"name":"Naam","email":"Mail"},"name":"Array import","save_upload":false}`))
			if got := counts(j); got != "total=1 created=1 updated=0 skipped=0 failed=0" || j["name"] != "Array import" {
				t.Errorf("array: %s %v", got, j)
			}
			g := call(t, "GET", fmt.Sprintf("%s/v1/imports/%d", base, num(j, "id")), map[string]string{"PX-API-KEY": key}, nil)
			if g.status != 200 || num(g.body["data"].(map[string]any), "id") != num(j, "id") {
				t.Errorf("GET /v1/imports/{id}: %d %s", g.status, g.raw)
			}
			if g := call(t, "GET", fmt.Sprintf("%s/v1/imports/%d", base, num(j, "id")), map[string]string{"PX-API-KEY": other}, nil); g.status != 404 {
				t.Errorf("another tenant's import: %d", g.status)
			}

			// Async: data null → an upload target; PUT the file there.
			r = px(key, `{"data":null,"upload_mode":"async","action":"merge","resource":"contact"}`)
			up, _ := r.body["upload"].(map[string]any)
			if r.status != 201 || up == nil || up["method"] != "PUT" || !strings.HasPrefix(fmt.Sprint(up["url"]), "/v1/imports/uploads/") {
				t.Fatalf("async: %d %s", r.status, r.raw)
			}
			target := base + fmt.Sprint(up["url"])
			if r := call(t, "PUT", target, map[string]string{"PX-API-KEY": other}, strings.NewReader("name\nX\n")); r.status != 404 {
				t.Errorf("another tenant's upload target: %d %s", r.status, r.raw)
			}
			r = call(t, "PUT", target, map[string]string{"PX-API-KEY": key}, strings.NewReader("name,email\nLeia,leia@example.com\n"))
			j = job(r)
			done := client{t, base, key}.wait(num(j, "id"))
			if got := counts(done); got != "total=1 created=1 updated=0 skipped=0 failed=0" {
				t.Errorf("async job: %s", got)
			}
			if r := call(t, "PUT", target, map[string]string{"PX-API-KEY": key}, strings.NewReader("name\nX\n")); r.status != 404 {
				t.Errorf("an upload target used twice: %d %s", r.status, r.raw)
			}

			for _, tc := range []struct{ body, field string }{
				{`{"upload_mode":"sync","action":"merge","resource":"contact"}`, "data"},
				{`{"data":"` + csvURI("name\nA\n") + `","upload_mode":"async","action":"merge","resource":"contact"}`, "data"},
				{`{"data":"` + csvURI("name\nA\n") + `","upload_mode":"sync","action":"merge","resource":"contact","name":"ab"}`, "name"},
				{`{"data":"` + csvURI("n\nA\n") + `","upload_mode":"sync","action":"merge","resource":"contact","column_mapping":{"name":"n","notes":"n"}}`, "column_mapping"},
				{`{"data":"` + csvURI("name\nA\n") + `","upload_mode":"sync","action":"replace","resource":"contact"}`, "action"},
				{`{"data":"` + csvURI("name\nA\n") + `","upload_mode":"sync","resource":"contact"}`, "action"},
				{`{"data":"` + csvURI("name\nA\n") + `","upload_mode":"sync","action":"merge","duplicate_handling":"use_last"}`, "duplicate_handling"},
				{`{"data":"` + csvURI("name\nA\n") + `","upload_mode":"sync","action":"merge","resource":"ticket"}`, "resource"},
				{`{"data":"` + csvURI("name\nA\n") + `","upload_mode":"sync","action":"merge","location_id":"loc_1"}`, "location_id"},
				{`{"data":"` + csvURI("name\nA\n") + `","upload_mode":"sync","action":"merge","location_id":"999"}`, "location_id"},
				{`{"data":"` + csvURI("name,email\nA,"+strings.Repeat("a", 120)+"@example.com\n") + `","upload_mode":"sync","action":"merge"}`, ""},
			} {
				r := px(key, tc.body)
				if tc.field == "" { // a column limit: the row fails, the job completes
					if j := job(r); num(j, "failed_rows") != 1 || !strings.Contains(r.raw, "too_long") {
						t.Errorf("email over 127 characters: %s", r.raw)
					}
					continue
				}
				if r.status != 422 || !strings.Contains(r.raw, `"body.`+tc.field) {
					t.Errorf("%s: %d %s", tc.body, r.status, r.raw)
				}
			}
			if r := px("", `{}`); r.status != 401 {
				t.Errorf("no key: %d", r.status)
			}
		})
	}
}
