package http_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestTextUsSeed replays shared/seeds/004 (TextUs contact upload) on both
// stores: every example of the seed in its JSON form (comments removed)
// and as multipart, with the exact bodies, the account check, the
// header-row rule and region US.
func TestTextUsSeed(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "my_account", "contacts")
			other := newKey(t, db, "globex", "contacts")
			base := serve(t, db)
			headers := func(k, ct string) map[string]string {
				return map[string]string{"Authorization": "Bearer " + k, "Accept": "application/vnd.textus+jsonld", "Content-Type": ct}
			}
			post := func(k, ct string, body string) reply {
				return call(t, "POST", base+"/my_account/contacts/upload", headers(k, ct), strings.NewReader(body))
			}
			// The seed's examples, as their JSON bodies.
			for _, tc := range []struct{ name, body, want string }{
				{"Missing file parameter", `{"headers": ["name","phone_number"]}`, `{"error":"File is required."}`},
				{"Missing headers parameter", `{"file": "contact.csv", "headers": null}`, `{"error":"Headers are a required field."}`},
				{"Headers missing required values", `{"file": "contacts.csv", "headers": ["phone_number"]}`, `{"errors":["Missing required headers: name."]}`},
				{"Headers include invalid headers", `{"file": "contacts.csv", "headers": ["name","phone_number","invalid"]}`, `{"errors":["Invalid headers provided: invalid."]}`},
				{"File is not a CSV", `{"file": "contacts.pdf", "headers": ["name","phone_number","business","tags"]}`, `{"errors":["File must be a CSV (text/csv)."]}`},
			} {
				r := post(key, "application/json", tc.body)
				if r.status != 422 || r.header.Get("Content-Type") != "application/vnd.textus+jsonld" {
					t.Errorf("%s: %d %s", tc.name, r.status, r.header.Get("Content-Type"))
				}
				jsonEqual(t, tc.name, r.raw, tc.want)
			}
			// A JSON body past the 64 MiB limit is a 413, as on /api/v1/imports.
			if r := post(key, "application/json", `{"file": "`+strings.Repeat("x", 65<<20)+`"}`); r.status != 413 {
				t.Errorf("a JSON body over the limit: %d %.200s", r.status, r.raw)
			}
			// Importing a CSV: the JSON example names a file without its
			// content; with the content as a data URI it imports.
			r := post(key, "application/json", `{"file": "contacts.csv", "headers": ["name","phone_number","business","tags"]}`)
			if r.status != 422 || !strings.Contains(fmt.Sprint(r.body["error"]), "only a file name") {
				t.Errorf("a file name only: %d %s", r.status, r.raw)
			}
			r = post(key, "application/json", `{"file": "`+csvURI("Ann,(303) 555-0101,Acme,vip\n")+`", "headers": ["name","phone_number","business","tags"]}`)
			if r.status != 201 || !strings.HasPrefix(fmt.Sprint(r.body["contact_import_slug"]), "contact-import-") {
				t.Fatalf("JSON with a data URI: %d %s", r.status, r.raw)
			}

			// The same examples as multipart, as curl -F sends them.
			csv := "Bob,303-555-0102,Bobco,lead\nCy,+31 6 12345678,,\n"
			mp := func(fields [][2]string, name, content string) reply {
				body, ct := multipartBody(t, fields, name, []byte(content))
				return call(t, "POST", base+"/my_account/contacts/upload", headers(key, ct), body)
			}
			hdr := [][2]string{{"headers", `["name","phone_number","business","tags"]`}}
			jsonEqual(t, "multipart without file", mp(hdr, "", "").raw, `{"error":"File is required."}`)
			jsonEqual(t, "multipart without headers", mp(nil, "contacts.csv", csv).raw, `{"error":"Headers are a required field."}`)
			jsonEqual(t, "multipart without name", mp([][2]string{{"headers", "phone_number"}}, "contacts.csv", csv).raw, `{"errors":["Missing required headers: name."]}`)
			jsonEqual(t, "multipart invalid", mp([][2]string{{"headers", "name,phone_number,invalid"}}, "contacts.csv", csv).raw, `{"errors":["Invalid headers provided: invalid."]}`)
			jsonEqual(t, "multipart PDF", mp(hdr, "contacts.csv", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n").raw, `{"errors":["File must be a CSV (text/csv)."]}`)
			// headers as repeated fields; a file without a header row.
			r = mp([][2]string{{"headers", "name"}, {"headers", "phone_number"}, {"headers", "business"}, {"headers", "tags"}}, "contacts.csv", csv)
			if r.status != 201 {
				t.Fatalf("multipart: %d %s", r.status, r.raw)
			}
			// A file with a header row that names the headers.
			r = mp(hdr, "contacts.csv", "Name,Phone Number,Business,Tags\nDee,303-555-0104,,\n")
			if r.status != 201 {
				t.Fatalf("with a header row: %d %s", r.status, r.raw)
			}
			slug := fmt.Sprint(r.body["contact_import_slug"])
			c := client{t, base, key}
			var st reply
			waitFor(30*time.Second, func() bool {
				st = call(t, "GET", base+"/my_account/contact_imports/"+slug, headers(key, ""), nil)
				return st.status != 200 || st.body["status"] == "completed"
			})
			if st.status != 200 || num(st.body, "created") != 1 || num(st.body, "total") != 1 {
				t.Fatalf("the import by slug: %d %s", st.status, st.raw)
			}
			waitAll(t, c)
			same(t, "contacts (phones in region US, no row lost)", phones(c), []string{
				"Ann +13035550101 Acme [vip]", "Bob +13035550102 Bobco [lead]", "Cy +31612345678  []", "Dee +13035550104  []"})

			// Another tenant's key: the account does not exist for it.
			r = call(t, "POST", base+"/my_account/contacts/upload", headers(other, "application/json"), strings.NewReader(`{"headers":["name"]}`))
			if r.status != 404 {
				t.Errorf("globex's key on my_account: %d %s", r.status, r.raw)
			}
			if r := call(t, "GET", base+"/my_account/contact_imports/"+slug, headers(other, ""), nil); r.status != 404 {
				t.Errorf("globex reads my_account's import: %d", r.status)
			}
			if r := call(t, "GET", base+"/globex/contact_imports/"+slug, headers(other, ""), nil); r.status != 404 {
				t.Errorf("globex reads my_account's import by its own account: %d", r.status)
			}
		})
	}
}

// waitAll waits for every import job of the tenant to end.
func waitAll(t *testing.T, c client) {
	t.Helper()
	_, page, _ := c.do("GET", "/api/v1/imports?limit=100", nil)
	for _, x := range asList(page["data"]) {
		c.wait(num(x.(map[string]any), "id"))
	}
}

// phones lists contacts as "name phone company [tags]", sorted.
func phones(c client) []string {
	c.t.Helper()
	_, page, _ := c.do("GET", "/api/v1/contacts?limit=1000", nil)
	var out []string
	for _, x := range asList(page["data"]) {
		m := x.(map[string]any)
		out = append(out, fmt.Sprintf("%v %v %v %v", m["name"], m["phone"], orEmpty(m["company"]), orEmpty(m["tags"])))
	}
	sortStrings(out)
	return out
}
