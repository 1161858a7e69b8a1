package http_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestSameCSVEveryDialect imports one small CSV through each dialect, each
// into a tenant of its own, and checks the stored contacts are identical.
func TestSameCSVEveryDialect(t *testing.T) {
	t.Parallel()
	const csv = "name,email,phone,company\nAnn Smith,ann@example.com,+31612345678,Acme\nBob Jones,bob@example.com,+14155550100,\n"
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			base := serve(t, db)
			var want []string
			for _, d := range []string{"plandocket", "copernica", "packagex", "textus", "plannr", "native"} {
				key := newKey(t, db, d, "contacts")
				c := client{t, base, key}
				switch d {
				case "plandocket":
					r := call(t, "POST", base+"/api/v1/bulk-import/contacts", map[string]string{"Authorization": "Bearer " + key, "Content-Type": "application/json"},
						strings.NewReader(`{"records":[{"name":"Ann Smith","email":"ann@example.com","phone":"+31612345678","company":"Acme"},
						{"name":"Bob Jones","email":"bob@example.com","phone":"+14155550100","company":""}]}`))
					if r.status != 200 || num(r.body, "created") != 2 {
						t.Fatalf("plandocket: %d %s", r.status, r.raw)
					}
				case "copernica":
					r := call(t, "POST", base+"/v3/imports?access_token="+key, map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
						strings.NewReader(url.Values{"source": {csv}, "format": {"csv"}, "delimiter": {","}, "action": {"update or add"}}.Encode()))
					if r.status != 201 {
						t.Fatalf("copernica: %d %s", r.status, r.raw)
					}
				case "packagex":
					r := call(t, "POST", base+"/v1/imports", map[string]string{"PX-API-KEY": key, "Content-Type": "application/json"},
						strings.NewReader(`{"data":"`+csvURI(csv)+`","upload_mode":"sync","action":"merge","resource":"contact"}`))
					if r.status != 201 {
						t.Fatalf("packagex: %d %s", r.status, r.raw)
					}
				case "textus":
					body, ct := multipartBody(t, [][2]string{{"headers", "name,email,phone_number,business"}}, "c.csv", []byte(csv))
					r := call(t, "POST", base+"/textus/contacts/upload", map[string]string{"Authorization": "Bearer " + key, "Content-Type": ct}, body)
					if r.status != 201 {
						t.Fatalf("textus: %d %s", r.status, r.raw)
					}
				case "plannr":
					p := plannrAPI{t, base, key}
					r := p.create("clients", "store", csv)
					if r.status != 200 {
						t.Fatalf("plannr: %d %s", r.status, r.raw)
					}
					if d := p.finish(fmt.Sprint(r.body["uuid"])); d.body["status"] != "completed" {
						t.Fatalf("plannr: %s", d.raw)
					}
				case "native":
					if st, _, raw := c.upload("c.csv", []byte(csv), map[string]string{"upload_mode": "sync"}); st != 201 {
						t.Fatalf("native: %d %s", st, raw)
					}
				}
				waitAll(t, c)
				got := stored(c)
				if want == nil {
					want = got
					if len(want) != 2 {
						t.Fatalf("%s stored %v", d, want)
					}
					continue
				}
				same(t, d+" stores what plandocket stores", got, want)
			}
		})
	}
}

// stored lists every contact field an import sets, sorted.
func stored(c client) []string {
	_, page, _ := c.do("GET", "/api/v1/contacts?limit=100", nil)
	var out []string
	for _, x := range asList(page["data"]) {
		m := x.(map[string]any)
		delete(m, "id")
		delete(m, "created_at")
		delete(m, "updated_at")
		out = append(out, fmt.Sprint(m))
	}
	sortStrings(out)
	return out
}
