package http_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// copernicaSource is the seed's source: a JSON array as a string.
const copernicaSource = `[
		{ "Email": "support@copernica.com", "Contactpersoon": "Jeroen" },
		{ "Email": "info@copernica.com", "Contactpersoon": "Danny" }
	]`

// waitCopernica polls GET /v3/import/{id} until the import ends.
func waitCopernica(t *testing.T, base, key string, id int) reply {
	t.Helper()
	var r reply
	ended := waitFor(20*time.Second, func() bool {
		r = call(t, "GET", fmt.Sprintf("%s/v3/import/%d?access_token=%s", base, id, key), nil, nil)
		if r.status != 200 {
			t.Fatalf("GET /v3/import/%d: %d %s", id, r.status, r.raw)
		}
		switch r.body["status"] {
		case "finished", "failed", "cancelled", "waiting":
			return true
		}
		return false
	})
	if !ended {
		t.Fatalf("import %d did not end: %s", id, r.raw)
	}
	return r
}

// TestCopernicaSeed replays shared/seeds/003 (Copernica REST v3 imports)
// on both stores: both PHP examples, sent as the PHP client sends them
// (JSON and form-encoded, POST and PUT), with the key as ?access_token=.
func TestCopernicaSeed(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "acme", "imports")
			contactsKey := newKey(t, db, "acme", "contacts")
			other := newKey(t, db, "globex", "contacts")
			base := serve(t, db)
			create := func(method, contentType, body string) reply {
				return call(t, method, base+"/v3/imports?access_token="+key, map[string]string{"Content-Type": contentType}, strings.NewReader(body))
			}
			created := func(r reply) int {
				t.Helper()
				if r.status != 201 || r.header.Get("X-Created") == "" || r.header.Get("X-Created") != fmt.Sprint(num(r.body, "ID")) ||
					r.header.Get("Location") != "/v3/import/"+r.header.Get("X-Created") {
					t.Fatalf("create: %d %v %s", r.status, r.header, r.raw)
				}
				return num(r.body, "ID")
			}

			// The first PHP example, as JSON.
			id := created(create("POST", "application/json", `{"database":1,"name":"TestImport","rebuild":true,
				"action":"update or add","keyFields":["Email"],"format":"json","source":`+jsonString(copernicaSource)+`}`))
			r := waitCopernica(t, base, key, id)
			st := r.body["statistics"].(map[string]any)
			if r.body["status"] != "finished" || num(st, "created") != 2 || r.body["name"] != "TestImport" || r.body["database"] != "1" ||
				r.body["action"] != "update or add" || fmt.Sprint(r.body["keyFields"]) != "[email]" || r.body["created"] == "" {
				t.Fatalf("import %d: %s", id, r.raw)
			}
			acme := client{t, base, contactsKey}
			same(t, "contacts after the JSON import", acme.people(), []string{"info@copernica.com Danny [1]", "support@copernica.com Jeroen [1]"})

			// The same example form-encoded (http_build_query), by PUT: the
			// seed's "HTTP PUT request"; keyFields as keyFields[0].
			form := url.Values{"database": {"1"}, "name": {"TestImport"}, "rebuild": {"1"}, "action": {"update or add"},
				"keyFields[0]": {"Email"}, "format": {"json"},
				"source": {strings.Replace(copernicaSource, "Danny", "Danny B", 1)}}
			id = created(create("PUT", "application/x-www-form-urlencoded", form.Encode()))
			r = waitCopernica(t, base, key, id)
			st = r.body["statistics"].(map[string]any)
			if r.body["status"] != "finished" || num(st, "updated") != 2 || num(st, "created") != 0 {
				t.Fatalf("form import %d: %s", id, r.raw)
			}
			same(t, "contacts after the form import", acme.people(), []string{"info@copernica.com Danny B [1]", "support@copernica.com Jeroen [1]"})

			// A CSV source with an escaped tab delimiter into database 2,
			// then removeMissing within database 2 only.
			id = created(create("POST", "application/json", `{"database":"2","action":"update or add","keyFields":"Email",
				"format":"csv","delimiter":"\\t","source":"Email\tContactpersoon\nann@example.com\tAnn\nbob@example.com\tBob\n"}`))
			if r = waitCopernica(t, base, key, id); r.body["status"] != "finished" {
				t.Fatalf("csv import: %s", r.raw)
			}
			id = created(create("POST", "application/json", `{"database":"2","action":"update or add","keyFields":["Email"],
				"removeMissing":true,"source":[{"Email":"ann@example.com","Contactpersoon":"Ann"}]}`))
			r = waitCopernica(t, base, key, id)
			if st = r.body["statistics"].(map[string]any); r.body["status"] != "finished" || num(st, "deleted") != 1 {
				t.Fatalf("removeMissing: %s", r.raw)
			}
			same(t, "after removeMissing in database 2", acme.people(),
				[]string{"ann@example.com Ann [2]", "info@copernica.com Danny B [1]", "support@copernica.com Jeroen [1]"})

			// autostart false waits; an unknown key field is a custom field.
			id = created(create("POST", "application/json", `{"database":"3","autostart":false,"keyFields":["Lidnummer"],
				"source":[{"Lidnummer":"7","Email":"cy@example.com"}]}`))
			if r = waitCopernica(t, base, key, id); r.body["status"] != "waiting" || fmt.Sprint(r.body["keyFields"]) != "[custom.lidnummer]" {
				t.Fatalf("autostart false: %s", r.raw)
			}

			// The seed's second PHP example: keyFields Email and
			// Order.OrderID. The profile is found by Email and its Order
			// record updated or added; run twice, nothing is duplicated.
			sub := `[{ "Email": "support@copernica.com", "Contactpersoon": "Jeroen", "Order.OrderID": "00001", "Order.Status": "Completed" },
				{ "Email": "info@copernica.com", "Contactpersoon": "Danny", "Order.OrderID": "00001", "Order.Status": "Completed" }]`
			orders := func() []string {
				page := acme.must(200, "GET", "/api/v1/collections/Order/records?limit=100", nil)
				return lines(page["data"], "key")
			}
			for run := 1; run <= 2; run++ {
				id = created(create("POST", "application/json", `{"database":1,"name":"TestImport","rebuild":true,"action":"update or add",
					"keyFields":["Email","Order.OrderID"],"format":"json","source":`+jsonString(sub)+`}`))
				r = waitCopernica(t, base, key, id)
				st = r.body["statistics"].(map[string]any)
				if r.body["status"] != "finished" || fmt.Sprint(r.body["keyFields"]) != "[email Order.OrderID]" || num(st, "updated") != 2 || num(st, "failed") != 0 {
					t.Fatalf("subprofile import, run %d: %s", run, r.raw)
				}
				if got := orders(); len(got) != 2 {
					t.Fatalf("run %d: orders %v, want one per profile", run, got)
				}
			}
			// deleteTarget subprofile deletes the Order records, never the profiles.
			id = created(create("POST", "application/json", `{"database":1,"action":"delete","deleteTarget":"subprofile",
				"keyFields":["Email","Order.OrderID"],"source":`+jsonString(sub)+`}`))
			if r = waitCopernica(t, base, key, id); r.body["status"] != "finished" {
				t.Fatalf("delete subprofiles: %s", r.raw)
			}
			if got := orders(); len(got) != 0 {
				t.Fatalf("orders left %v", got)
			}
			same(t, "profiles kept", acme.people(),
				[]string{"ann@example.com Ann [2]", "info@copernica.com Danny [1]", "support@copernica.com Jeroen [1]"})

			// A retried create with the same Idempotency-Key makes one import.
			retry := func() reply {
				return call(t, "POST", base+"/v3/imports?access_token="+key, map[string]string{"Content-Type": "application/json",
					"Idempotency-Key": "copernica-retry-1"}, strings.NewReader(`{"database":"4","source":[{"Email":"idem@example.com"}]}`))
			}
			first, again := retry(), retry()
			if first.status != 201 || again.status != 201 || again.header.Get("Idempotent-Replayed") != "true" ||
				again.header.Get("X-Created") != first.header.Get("X-Created") {
				t.Fatalf("idempotent retry: %d %v / %d %v %s", first.status, first.header, again.status, again.header, again.raw)
			}

			// Errors: no source, a bad action, no key, another tenant's import.
			for _, tc := range []struct{ body, want string }{
				{`{"database":1}`, "source"},
				{`{"action":"replace","source":[{"Email":"x@example.com"}]}`, "action"},
				{`{"deleteTarget":"subprofile","action":"delete","source":[{"Email":"x@example.com"}]}`, "deleteTarget"},
			} {
				if r := create("POST", "application/json", tc.body); r.status != 400 || !strings.Contains(r.raw, tc.want) {
					t.Errorf("%s: %d %s", tc.body, r.status, r.raw)
				}
			}
			if r := call(t, "POST", base+"/v3/imports", map[string]string{"Content-Type": "application/json"}, strings.NewReader(`{}`)); r.status != 401 {
				t.Errorf("no access_token: %d %s", r.status, r.raw)
			}
			if r := call(t, "GET", fmt.Sprintf("%s/v3/import/%d?access_token=%s", base, id, other), nil, nil); r.status != 400 || !strings.Contains(r.raw, "not found") {
				t.Errorf("globex reads acme's import: %d %s", r.status, r.raw)
			}
		})
	}
}

func jsonString(s string) string {
	b := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`).Replace(s)
	return `"` + b + `"`
}
