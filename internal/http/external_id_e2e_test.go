package http_test

import (
	"fmt"
	"strings"
	"testing"
)

// hubspotFile is a HubSpot contacts export of n rows; every fifth row has
// no email (HubSpot exports contacts known only by name and phone).
func hubspotFile(n int, city string) []byte {
	var b strings.Builder
	b.WriteString("Record ID,First Name,Last Name,Email,Phone Number,Company Name,City,State/Region,Postal Code,Country/Region\n")
	for i := 1; i <= n; i++ {
		email := fmt.Sprintf("person%d@example.com", i)
		if i%5 == 0 {
			email = ""
		}
		fmt.Fprintf(&b, "%d,First%d,Last%d,%s,020 123 %04d,Company %d,%s,Noord-Holland,1012 AB,Netherlands\n",
			5000+i, i, i, email, i, i, city)
	}
	return []byte(b.String())
}

// TestHubSpotReimportUpdatesEmailLessRows: the same HubSpot file imported
// twice with no options gives the same contacts, the second run updating
// every row: rows without an email are matched on their Record ID.
func TestHubSpotReimportUpdatesEmailLessRows(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			c := newTenantClient(t, db, serve(t, db))
			run := func(city string) map[string]any {
				t.Helper()
				st, job, raw := c.upload("hubspot-crm-exports-all-contacts.csv", hubspotFile(100, city), map[string]string{"upload_mode": "sync"})
				if st != 201 || job["status"] != "completed" {
					t.Fatalf("upload: %d %s", st, raw)
				}
				if job["mapping"].(map[string]any)["Record ID"] != "external_id" {
					t.Fatalf("Record ID is not mapped to external_id: %v", job["mapping"])
				}
				return job
			}
			first := run("Amsterdam")
			if num(first, "created") != 100 || num(first, "failed_rows") != 0 {
				t.Fatalf("first run: %s", counts(first))
			}
			second := run("Haarlem")
			if num(second, "created") != 0 || num(second, "updated") != 100 || num(second, "failed_rows") != 0 {
				t.Fatalf("second run: %s, want 100 updated", counts(second))
			}
			page := c.must(200, "GET", "/api/v1/contacts?limit=1000", nil)
			if n := len(page["data"].([]any)); n != 100 {
				t.Fatalf("%d contacts after two imports, want 100", n)
			}
			// An email-less row's contact, found by its external id, has
			// the second file's values.
			got := c.must(200, "GET", "/api/v1/contacts?external_id=5010", nil)["data"].([]any)
			if len(got) != 1 {
				t.Fatalf("external_id=5010: %d contacts", len(got))
			}
			ct := got[0].(map[string]any)
			if ct["email"] != nil || ct["name"] != "First10 Last10" || ct["city"] != "Haarlem" || ct["state"] != "Noord-Holland" ||
				ct["phone"] != "+31201230010" || ct["country"] != "NL" {
				t.Fatalf("contact 5010: %v", ct)
			}
			// The contact API writes and shows external_id, unique per tenant.
			c.must(201, "POST", "/api/v1/contacts", map[string]any{"name": "New", "external_id": "X-1"})
			st, _, raw := c.do("POST", "/api/v1/contacts", map[string]any{"name": "Other", "external_id": "X-1"})
			if st != 409 || !strings.Contains(raw, "external id") {
				t.Fatalf("a taken external_id: %d %s", st, raw)
			}
		})
	}
}

// TestTenantRegionEndToEnd: a tenant's default region reads numbers of
// rows without a country; the import's region and the row's country come
// first, and another tenant keeps the server's default (NL).
func TestTenantRegionEndToEnd(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			base := serve(t, db)
			c, other := newTenantClient(t, db, base), newTenantClient(t, db, base)
			if got := c.must(200, "GET", "/api/v1/settings", nil); got["region"] != "" {
				t.Fatalf("fresh settings: %v", got)
			}
			if got := c.must(200, "PUT", "/api/v1/settings", map[string]any{"region": "de"}); got["region"] != "DE" {
				t.Fatalf("put settings: %v", got)
			}
			st, _, raw := c.do("PUT", "/api/v1/settings", map[string]any{"region": "XX"})
			if st != 422 || !strings.Contains(raw, "region") {
				t.Fatalf("unknown region: %d %s", st, raw)
			}
			file := []byte("email,phone,country\nde@example.com,030 1234567,\nus@example.com,(303) 555-6639,US\n")
			for _, cl := range []client{c, other} {
				if st, job, raw := cl.upload("people.csv", file, map[string]string{"upload_mode": "sync"}); st != 201 || num(job, "created") != 2 {
					t.Fatalf("upload: %d %s", st, raw)
				}
			}
			phone := func(cl client, email string) string {
				data := cl.must(200, "GET", "/api/v1/contacts?email="+email, nil)["data"].([]any)
				if len(data) != 1 {
					t.Fatalf("%s: %d contacts", email, len(data))
				}
				return orEmpty(data[0].(map[string]any)["phone"])
			}
			if p := phone(c, "de@example.com"); p != "+49301234567" {
				t.Errorf("tenant region DE: phone %q", p)
			}
			if p := phone(c, "us@example.com"); p != "+13035556639" {
				t.Errorf("the row's country first: phone %q", p)
			}
			if p := phone(other, "de@example.com"); p != "+31301234567" {
				t.Errorf("another tenant, server default NL: phone %q", p)
			}
			// The import's region comes before the tenant's.
			if st, _, raw := c.upload("fr.csv", []byte("email,phone\nfr@example.com,01 42 68 53 00\n"),
				map[string]string{"upload_mode": "sync", "region": "FR"}); st != 201 {
				t.Fatalf("upload: %d %s", st, raw)
			}
			if p := phone(c, "fr@example.com"); p != "+33142685300" {
				t.Errorf("import region FR: phone %q", p)
			}
			// The contact API reads numbers in the tenant's region too.
			c.must(201, "POST", "/api/v1/contacts", map[string]any{"email": "api@example.com", "phone": "0221 100056"})
			if p := phone(c, "api@example.com"); p != "+49221100056" {
				t.Errorf("contact API: phone %q", p)
			}
		})
	}
}
