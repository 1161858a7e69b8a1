package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestRecognitionEndToEnd: an upload from an exporter nobody mapped shows
// per column its target, reason and confidence; a person's correction is
// remembered for the next file of the same headers; a saved mapping is
// passed by name.
func TestRecognitionEndToEnd(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			c := client{t, serve(t, db), newKey(t, db, "acme", "contacts")}
			file := []byte("Person - Name;Person - Email - Work;Téléphone mobile;Pays;Lidnr\n" +
				"Ann Smit;ann@x.nl;+31 6 12345678;Pays-Bas;A1\nJürgen Weiß;jw@x.de;0151 23456789;Allemagne;B2\n")
			st, job, raw := c.upload("crm.csv", file, map[string]string{"autostart": "false"})
			if st != 201 || !strings.Contains(raw, `{"header":"Person - Email - Work","target":"email","reason":"header","confidence":`) ||
				!strings.Contains(raw, `"preview_rows":[["Ann Smit"`) || job["mapping_source"] != nil {
				t.Fatalf("upload: %d %s", st, raw)
			}
			id := num(job, "id")
			if st, _, raw := c.do("PATCH", fmt.Sprintf("/api/v1/imports/%d", id), map[string]any{"mapping": map[string]string{"Lidnr": "customer_number"}}); st != 200 {
				t.Fatalf("patch: %d %s", st, raw)
			}
			st, _, raw = c.upload("crm2.csv", file, map[string]string{"autostart": "false"})
			if st != 201 || !strings.Contains(raw, fmt.Sprintf(`"mapping_source":{"import_id":%d}`, id)) ||
				!strings.Contains(raw, `{"header":"Lidnr","target":"customer_number","reason":"remembered"`) {
				t.Fatalf("remembered: %d %s", st, raw)
			}
			if st, _, raw := c.do("POST", "/api/v1/mappings", map[string]any{"name": "crm", "mapping": map[string]string{"Lidnr": "company"}}); st != 200 {
				t.Fatalf("save mapping: %d %s", st, raw)
			}
			if st, list, raw := c.do("GET", "/api/v1/mappings", nil); st != 200 || len(list["data"].([]any)) != 1 {
				t.Fatalf("list: %d %s", st, raw)
			}
			st, job, raw = c.upload("crm3.csv", file, map[string]string{"mapping_name": "crm", "upload_mode": "sync"})
			if st != 201 || !strings.Contains(raw, `"mapping_source":{"saved":"crm"}`) || job["status"] != "completed" || num(job, "created") != 2 {
				t.Fatalf("saved: %d %s", st, raw)
			}
			_, list, _ := c.do("GET", "/api/v1/contacts?email=jw@x.de", nil)
			if d := list["data"].([]any); len(d) != 1 || d[0].(map[string]any)["phone"] != "+4915123456789" || d[0].(map[string]any)["company"] != "B2" {
				t.Fatalf("contact %v", list)
			}
			if st, _, _ := c.do("DELETE", "/api/v1/mappings/crm", nil); st != 204 {
				t.Fatalf("delete: %d", st)
			}
			if st, _, raw := c.upload("crm4.csv", file, map[string]string{"mapping_name": "crm"}); st != 422 || !strings.Contains(raw, "no saved mapping") {
				t.Fatalf("unknown mapping name: %d %s", st, raw)
			}
		})
	}
}
