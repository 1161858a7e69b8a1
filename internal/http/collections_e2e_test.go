package http_test

import (
	"fmt"
	"strings"
	"testing"
)

// copernicaOrders is the seed's second PHP example (003): keyFields Email
// and Order.OrderID, source a JSON string.
const copernicaOrders = `[
	{ "Email": "support@copernica.com", "Contactpersoon": "Jeroen", "Order.OrderID": "00001", "Order.Status": "Completed" },
	{ "Email": "info@copernica.com", "Contactpersoon": "Danny", "Order.OrderID": "00001", "Order.Status": "Completed" }
]`

// copernicaRequest is the seed's request in our JSON import API.
func copernicaRequest(action string, extra ...string) map[string]any {
	r := map[string]any{"database": 1, "name": "TestImport", "rebuild": true, "action": action,
		"keyFields": []string{"Email", "Order.OrderID"}, "format": "json", "source": copernicaOrders, "upload_mode": "sync"}
	for i := 0; i < len(extra); i += 2 {
		r[extra[i]] = extra[i+1]
	}
	return r
}

// tally is a job's counts, deleted included.
func tally(job map[string]any) string {
	return fmt.Sprintf("created %d updated %d deleted %d skipped %d failed %d", num(job, "created"), num(job, "updated"),
		num(job, "deleted"), num(job, "skipped"), num(job, "failed_rows"))
}

// list returns a list answer's data as "field=value" summaries of key.
func (c client) list(path string, key func(map[string]any) string) []string {
	c.t.Helper()
	st, body, raw := c.do("GET", path, nil)
	if st != 200 {
		c.t.Fatalf("GET %s: %d %s", path, st, raw)
	}
	out := []string{}
	for _, x := range asList(body["data"]) {
		out = append(out, key(x.(map[string]any)))
	}
	return out
}

func orderOf(r map[string]any) string {
	v := r["values"].(map[string]any)
	return fmt.Sprintf("%v:%v=%v", r["contact_id"], v["OrderID"], v["Status"])
}

func TestCollectionsEndToEnd(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			base := serve(t, db)
			acme := client{t, base, newKey(t, db, "acme", "contacts")}
			globex := client{t, base, newKey(t, db, "globex", "contacts")}

			t.Run("Copernica's subprofile example twice, then deleteTarget subprofile", func(t *testing.T) {
				c := client{t, base, acme.key}
				st, job, raw := c.do("POST", "/api/v1/imports", copernicaRequest("update or add"))
				if st != 201 || job["status"] != "completed" || tally(job) != "created 2 updated 0 deleted 0 skipped 0 failed 0" ||
					!strings.Contains(raw, "Collection Order did not exist") {
					t.Fatalf("first: %d %s", st, raw)
				}
				if m := job["mapping"].(map[string]any); m["Order.OrderID"] != "Order.OrderID" || m["Contactpersoon"] != "name" {
					t.Fatalf("mapping %v", m)
				}
				_, job, raw = c.do("POST", "/api/v1/imports", copernicaRequest("update or add"))
				if tally(job) != "created 0 updated 2 deleted 0 skipped 0 failed 0" || strings.Contains(raw, "did not exist") {
					t.Fatalf("second: %s", raw)
				}
				orders := c.list("/api/v1/collections/Order/records", orderOf)
				if len(orders) != 2 || !strings.HasSuffix(orders[0], ":00001=Completed") || orders[0] == orders[1] {
					t.Fatalf("orders %v", orders)
				}
				if cs := c.contacts(); len(cs) != 2 {
					t.Fatalf("contacts %v", cs)
				}
				_, coll, raw := c.do("GET", "/api/v1/collections/order", nil)
				if coll["name"] != "Order" || coll["belongs_to_contact"] != true || fmt.Sprint(coll["key_fields"]) != "[OrderID]" {
					t.Fatalf("collection %s", raw)
				}
				// The contact shows its orders, with the link to the rest.
				_, rec, _ := c.do("GET", "/api/v1/collections/Order/records?limit=1", nil)
				id := int(asList(rec["data"])[0].(map[string]any)["contact_id"].(float64))
				_, contact, raw := c.do("GET", fmt.Sprintf("/api/v1/contacts/%d", id), nil)
				colls := asList(contact["collections"])
				if len(colls) != 1 || !strings.Contains(raw, `"collection":"Order"`) || !strings.Contains(raw, `"Status":"Completed"`) ||
					!strings.Contains(raw, fmt.Sprintf(`"link":"/api/v1/collections/Order/records?contact_id=%d"`, id)) {
					t.Fatalf("contact %s", raw)
				}
				_, job, raw = c.do("POST", "/api/v1/imports", copernicaRequest("delete", "deleteTarget", "subprofile"))
				if tally(job) != "created 0 updated 0 deleted 2 skipped 0 failed 0" {
					t.Fatalf("delete subprofile: %s", raw)
				}
				if orders := c.list("/api/v1/collections/Order/records", orderOf); len(orders) != 0 {
					t.Fatalf("orders left %v", orders)
				}
				if cs := c.contacts(); len(cs) != 2 {
					t.Fatalf("delete subprofile deleted contacts: %v", cs)
				}
			})

			t.Run("the same through the bulk API, twice", func(t *testing.T) {
				c := client{t, base, newKey(t, db, "bulk-tenant", "contacts")}
				body := map[string]any{"mode": "upsert", "match_field": "email,Order.OrderID", "records": []map[string]any{
					{"Email": "support@copernica.com", "Contactpersoon": "Jeroen", "Order.OrderID": "00001", "Order.Status": "Completed"},
					{"Email": "info@copernica.com", "Contactpersoon": "Danny", "Order.OrderID": "00001", "Order.Status": "Completed"},
				}}
				for i, want := range []string{`"created":2,"updated":0`, `"created":0,"updated":2`} {
					if st, _, raw := c.do("POST", "/api/v1/bulk-import/contacts", body); st != 200 || !strings.Contains(raw, want) {
						t.Fatalf("bulk %d: %d %s", i, st, raw)
					}
				}
				if orders := c.list("/api/v1/collections/Order/records", orderOf); len(orders) != 2 {
					t.Fatalf("orders %v", orders)
				}
			})

			t.Run("a Plannr charges file linked to clients by email; an unknown client", func(t *testing.T) {
				c := client{t, base, acme.key}
				c.do("POST", "/api/v1/bulk-import/contacts", map[string]any{"mode": "upsert", "records": []map[string]any{{"email": "ann@plannr.test"}, {"email": "bob@plannr.test"}}})
				file := "client_email,charge_id,amount,Charge Date\nann@plannr.test,C1,100,2026-01-31\nBOB@plannr.test,C2,250.50,2026-02-01\nnobody@plannr.test,C3,75,2026-02-02\n"
				st, job, raw := c.upload("charges.csv", []byte(file), map[string]string{"resource": "collection:charges", "match_fields": "charge_id", "upload_mode": "sync"})
				if st != 201 || tally(job) != "created 2 updated 0 deleted 0 skipped 0 failed 1" || !strings.Contains(raw, `"code":"contact_not_found"`) ||
					!strings.Contains(raw, "Collection charges did not exist") {
					t.Fatalf("charges: %d %s", st, raw)
				}
				if errs := c.rowErrors(job); len(errs) != 1 || !strings.Contains(errs[0], "4") {
					t.Fatalf("row errors %v", errs)
				}
				_, coll, raw := c.do("GET", "/api/v1/collections/charges", nil)
				if fmt.Sprint(coll["key_fields"]) != "[charge_id]" || !strings.Contains(raw, `"name":"charge_date","label":"Charge Date"`) {
					t.Fatalf("collection %s", raw)
				}
				_, job, _ = c.upload("charges.csv", []byte(file), map[string]string{"resource": "collection:charges", "match_fields": "charge_id", "upload_mode": "sync"})
				if tally(job) != "created 0 updated 2 deleted 0 skipped 0 failed 1" {
					t.Fatalf("again: %v", tally(job))
				}
				amounts := c.list("/api/v1/collections/charges/records?field=charge_id:C2", func(r map[string]any) string {
					return fmt.Sprint(r["values"].(map[string]any)["amount"])
				})
				if fmt.Sprint(amounts) != "[250.50]" {
					t.Fatalf("C2 %v", amounts)
				}
			})

			t.Run("a defined collection: types checked, records created, patched, listed, deleted", func(t *testing.T) {
				c := client{t, base, acme.key}
				st, _, raw := c.do("POST", "/api/v1/collections", map[string]any{"name": "Policy", "belongs_to_contact": true, "key_fields": []string{"policy_no"},
					"fields": []map[string]any{{"name": "policy_no", "type": "text"}, {"name": "premium", "type": "number", "required": true}}})
				if st != 201 {
					t.Fatalf("create: %d %s", st, raw)
				}
				if st, _, raw := c.do("POST", "/api/v1/collections", map[string]any{"name": "policy"}); st != 409 {
					t.Fatalf("a taken name: %d %s", st, raw)
				}
				_, ann, _ := c.do("POST", "/api/v1/contacts", map[string]any{"email": "pol@example.com"})
				annID := num(ann, "id")
				if st, _, raw := c.do("POST", "/api/v1/collections/Policy/records", map[string]any{"contact_id": annID, "values": map[string]any{"policy_no": "P1", "premium": "lots"}}); st != 422 || !strings.Contains(raw, `"code":"invalid_number"`) || !strings.Contains(raw, "body.values.premium") {
					t.Fatalf("type error: %d %s", st, raw)
				}
				if st, _, raw := c.do("POST", "/api/v1/collections/Policy/records", map[string]any{"contact_id": 99999, "values": map[string]any{"policy_no": "P1", "premium": 1}}); st != 422 || !strings.Contains(raw, "contact_not_found") {
					t.Fatalf("unknown contact: %d %s", st, raw)
				}
				st, rec, raw := c.do("POST", "/api/v1/collections/Policy/records", map[string]any{"contact_id": annID, "values": map[string]any{"policy_no": "P1", "premium": 12.5}})
				if st != 201 || !strings.Contains(raw, `"premium":"12.5"`) {
					t.Fatalf("create record: %d %s", st, raw)
				}
				if st, _, raw := c.do("POST", "/api/v1/collections/Policy/records", map[string]any{"contact_id": annID, "values": map[string]any{"policy_no": "P1", "premium": 3}}); st != 409 || !strings.Contains(raw, "value_taken") {
					t.Fatalf("a taken key: %d %s", st, raw)
				}
				path := fmt.Sprintf("/api/v1/collections/Policy/records/%d", num(rec, "id"))
				if st, _, raw := c.do("PATCH", path, map[string]any{"values": map[string]any{"premium": "1.000,25"}}); st != 200 || !strings.Contains(raw, `"premium":"1000.25"`) || !strings.Contains(raw, `"policy_no":"P1"`) {
					t.Fatalf("patch: %d %s", st, raw)
				}
				if got := c.list(fmt.Sprintf("/api/v1/collections/Policy/records?contact_id=%d&field=premium:1000.25", annID), func(r map[string]any) string { return fmt.Sprint(r["id"]) }); len(got) != 1 {
					t.Fatalf("filtered %v", got)
				}
				if st, _, raw := c.do("PATCH", "/api/v1/collections/Policy", map[string]any{"key_fields": []string{"premium"}}); st != 409 {
					t.Fatalf("key change with records: %d %s", st, raw)
				}
				// An import into the defined collection checks its types.
				st, job, raw := c.do("POST", "/api/v1/imports", map[string]any{"resource": "collection:Policy", "upload_mode": "sync", "format": "json",
					"source": `[{"client_email":"pol@example.com","policy_no":"P2","premium":"9"},{"client_email":"pol@example.com","policy_no":"P3","premium":"nine"}]`})
				if st != 201 || tally(job) != "created 1 updated 0 deleted 0 skipped 0 failed 1" || !strings.Contains(raw, `"code":"invalid_number"`) {
					t.Fatalf("import: %d %s", st, raw)
				}
				if st, _, _ := globex.do("GET", path, nil); st != 404 {
					t.Fatalf("globex reads acme's record: %d", st)
				}
				if st, _, _ := c.do("DELETE", path, nil); st != 204 {
					t.Fatalf("delete: %d", st)
				}
				if st, _, _ := c.do("GET", path, nil); st != 404 {
					t.Fatalf("deleted record: %d", st)
				}
			})

			t.Run("another tenant's key sees none of it", func(t *testing.T) {
				c := client{t, base, globex.key}
				if got := c.list("/api/v1/collections", func(r map[string]any) string { return fmt.Sprint(r["name"]) }); len(got) != 0 {
					t.Fatalf("globex lists %v", got)
				}
				for _, path := range []string{"/api/v1/collections/Order", "/api/v1/collections/Order/records", "/api/v1/collections/charges/records/1"} {
					if st, _, raw := c.do("GET", path, nil); st != 404 {
						t.Fatalf("GET %s: %d %s", path, st, raw)
					}
				}
				if st, _, raw := c.do("DELETE", "/api/v1/collections/charges", nil); st != 404 {
					t.Fatalf("globex deletes acme's collection: %d %s", st, raw)
				}
				// Its own import creates its own Order collection, beside acme's.
				_, job, raw := c.do("POST", "/api/v1/imports", copernicaRequest("update or add"))
				if tally(job) != "created 2 updated 0 deleted 0 skipped 0 failed 0" || !strings.Contains(raw, "Collection Order did not exist") {
					t.Fatalf("globex import: %s", raw)
				}
				if got := acme.list("/api/v1/collections/charges/records", func(r map[string]any) string { return "x" }); len(got) != 2 {
					t.Fatalf("acme's charges after globex's import: %v", got)
				}
			})
		})
	}
}
