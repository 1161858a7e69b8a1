package http_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestCollectionKeyInferred is issue 19 #6 on both stores: a collection
// made on first use without match fields gets a key, so re-sending a file
// adds nothing. A column named like an id (charge_id, sku) keys it and
// update then works; without one each record is identified by its whole
// content, and update says the collection has no key and how to set one.
// The job's warnings say which. Through the native API (Plannr's charges
// as it routes them: no match fields) and PackageX's item and asset.
func TestCollectionKeyInferred(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			base := serve(t, db)
			c := client{t, base, newKey(t, db, "acme", "contacts")}
			native := func(coll, mode, file string) map[string]any {
				t.Helper()
				st, job, raw := c.upload(coll+".csv", []byte(file), map[string]string{"resource": "collection:" + coll, "mode": mode, "upload_mode": "sync"})
				if st != 201 || job["status"] != "completed" {
					t.Fatalf("%s %s: %d %s", coll, mode, st, raw)
				}
				return job
			}
			charges := "charge_id,amount,description\nch_1,10.00,Lunch\nch_2,25.50,Taxi\n"
			job := native("charges", "upsert", charges)
			if got := counts(job); got != "total=2 created=2 updated=0 skipped=0 failed=0" ||
				!strings.Contains(fmt.Sprint(job["warnings"]), "keyed by charge_id, a column named like an id") {
				t.Errorf("charges: %s %v", got, job["warnings"])
			}
			if got := counts(native("charges", "upsert", charges)); got != "total=2 created=0 updated=2 skipped=0 failed=0" {
				t.Errorf("charges again: %s", got)
			}
			if got := counts(native("charges", "update", "charge_id,amount\nch_2,30.00\n")); got != "total=1 created=0 updated=1 skipped=0 failed=0" {
				t.Errorf("charges update: %s", got)
			}
			same(t, "charges", c.list("/api/v1/collections/charges/records", func(r map[string]any) string {
				v := r["values"].(map[string]any)
				return fmt.Sprintf("%v %v %v", v["charge_id"], v["amount"], v["description"])
			}), []string{"ch_1 10.00 Lunch", "ch_2 30.00 Taxi"})

			notes := "author,text\nAnn,Called back\nBob,Left a message\n"
			job = native("notes", "upsert", notes)
			if got := counts(job); got != "total=2 created=2 updated=0 skipped=0 failed=0" ||
				!strings.Contains(fmt.Sprint(job["warnings"]), "each record is identified by its whole content") {
				t.Errorf("notes: %s %v", got, job["warnings"])
			}
			if got := counts(native("notes", "upsert", notes+"Cy,New\n")); got != "total=3 created=1 updated=2 skipped=0 failed=0" {
				t.Errorf("notes again: %s", got)
			}
			if n := len(c.list("/api/v1/collections/notes/records", func(map[string]any) string { return "" })); n != 3 {
				t.Errorf("notes: %d records, want 3", n)
			}
			job = native("notes", "update", "author,text\nAnn,Changed\n")
			if errs := c.rowErrors(job); len(errs) != 1 || !strings.Contains(errs[0], "failed missing_match_key") ||
				!strings.Contains(errs[0], "Collection notes has no key fields") || !strings.Contains(errs[0], "PATCH /api/v1/collections/notes") {
				t.Errorf("notes update: %v", errs)
			}
			if st, coll, raw := c.do("GET", "/api/v1/collections/notes", nil); st != 200 || coll["content_key"] != true {
				t.Errorf("notes collection: %d %s", st, raw)
			}
			// The records API keeps the same identity: a record the same as
			// another is a conflict, a different one is added.
			if st, _, raw := c.do("POST", "/api/v1/collections/notes/records", map[string]any{"values": map[string]any{"author": "Ann", "text": "Called back"}}); st != 409 {
				t.Errorf("a record the same as another: %d %s", st, raw)
			}
			if st, _, raw := c.do("POST", "/api/v1/collections/notes/records", map[string]any{"values": map[string]any{"author": "Ann", "text": "Other"}}); st != 201 {
				t.Errorf("a new record: %d %s", st, raw)
			}
			// Key fields set while it has records: 409, as for any collection.
			if st, _, raw := c.do("PATCH", "/api/v1/collections/notes", map[string]any{"key_fields": []string{"author"}}); st != 409 {
				t.Errorf("key_fields on a collection with records: %d %s", st, raw)
			}

			// PackageX: items keyed by sku, assets (no id column) by content.
			for _, tc := range []struct{ resource, file, warning string }{
				{"item", "sku,name\nSKU-1,Widget\nSKU-2,Gadget\n", "keyed by sku"},
				{"asset", "model,color\nForklift,red\nCrane,blue\n", "whole content"},
			} {
				px := func() map[string]any {
					r := call(t, "POST", base+"/v1/imports", map[string]string{"PX-API-KEY": c.key},
						strings.NewReader(`{"data":"`+csvURI(tc.file)+`","upload_mode":"sync","action":"merge","resource":"`+tc.resource+`"}`))
					data, _ := r.body["data"].(map[string]any)
					if r.status != 201 || data == nil {
						t.Fatalf("%s: %d %s", tc.resource, r.status, r.raw)
					}
					return data
				}
				first, again := px(), px()
				if counts(first) != "total=2 created=2 updated=0 skipped=0 failed=0" || counts(again) != "total=2 created=0 updated=2 skipped=0 failed=0" ||
					!strings.Contains(fmt.Sprint(first["warnings"]), tc.warning) {
					t.Errorf("%s: %s then %s %v", tc.resource, counts(first), counts(again), first["warnings"])
				}
			}
		})
	}
}
