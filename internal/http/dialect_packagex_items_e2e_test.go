package http_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestPackageXItemsAndAssets imports PackageX items and assets (resource
// item|asset → collections item and asset) through POST /v1/imports on both
// stores, linked to contacts by email, and reads them back through the
// collection routes; a record whose contact does not exist fails with
// contact_not_found, and another tenant sees none of it.
func TestPackageXItemsAndAssets(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "acme", "contacts")
			other := newKey(t, db, "globex", "contacts")
			base := serve(t, db)
			px := func(body string) map[string]any {
				t.Helper()
				r := call(t, "POST", base+"/v1/imports", map[string]string{"PX-API-KEY": key}, strings.NewReader(body))
				data, _ := r.body["data"].(map[string]any)
				if r.status != 201 || data == nil || data["status"] != "completed" {
					t.Fatalf("%d %s", r.status, r.raw)
				}
				return data
			}
			c := client{t, base, key}
			px(`{"data":"` + csvURI("name,email\nAnn Smith,ann@example.com\nBob Jones,bob@example.com\n") + `","upload_mode":"sync","action":"merge","resource":"contact"}`)
			ids := map[string]int{}
			_, page, _ := c.do("GET", "/api/v1/contacts", nil)
			for _, x := range asList(page["data"]) {
				m := x.(map[string]any)
				ids[fmt.Sprint(m["email"])] = num(m, "id")
			}

			items := "email,sku,name,quantity\nann@example.com,SKU-1,Widget,2\nBOB@example.com,SKU-2,Gadget,1\nnobody@example.com,SKU-3,Thing,5\n"
			job := px(`{"data":"` + csvURI(items) + `","upload_mode":"sync","action":"merge","resource":"item"}`)
			if job["resource"] != "collection:item" || counts(job) != "total=3 created=2 updated=0 skipped=0 failed=1" ||
				!strings.Contains(fmt.Sprint(job["warnings"]), "Collection item did not exist") {
				t.Fatalf("items: %s %v", counts(job), job)
			}
			if errs := c.rowErrors(job); len(errs) != 1 || !strings.HasPrefix(errs[0], "4 failed contact_not_found email") {
				t.Errorf("item row errors %v", errs)
			}
			record := func(r map[string]any) string {
				v := r["values"].(map[string]any)
				return fmt.Sprintf("%d %v %v %v", num(r, "contact_id"), v["sku"], v["name"], v["quantity"])
			}
			same(t, "items", c.list("/api/v1/collections/item/records", record), []string{
				fmt.Sprintf("%d SKU-1 Widget 2", ids["ann@example.com"]), fmt.Sprintf("%d SKU-2 Gadget 1", ids["bob@example.com"])})

			// Assets as an array of objects, linked by a contact column.
			job = px(`{"data":[{"contact":"bob@example.com","serial":"A-1","model":"Forklift"}],"upload_mode":"sync","action":"merge","resource":"asset"}`)
			if counts(job) != "total=1 created=1 updated=0 skipped=0 failed=0" {
				t.Fatalf("assets: %s %v", counts(job), job)
			}
			same(t, "assets", c.list("/api/v1/collections/asset/records", func(r map[string]any) string {
				v := r["values"].(map[string]any)
				return fmt.Sprintf("%d %v %v", num(r, "contact_id"), v["serial"], v["model"])
			}), []string{fmt.Sprintf("%d A-1 Forklift", ids["bob@example.com"])})
			_, bob, _ := c.do("GET", fmt.Sprintf("/api/v1/contacts/%d", ids["bob@example.com"]), nil)
			if got := fmt.Sprint(bob["collections"]); !strings.Contains(got, "collection:asset") || !strings.Contains(got, "collection:item") {
				t.Errorf("bob's records: %s", got)
			}

			g := client{t, base, other}
			if st, _, raw := g.do("GET", "/api/v1/collections/item/records", nil); st != 404 {
				t.Errorf("globex reads acme's items: %d %s", st, raw)
			}
		})
	}
}
