package http_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestPatchResourceEventPreview: the web importer sets what the rows are,
// the event and preview with PATCH once the file is uploaded. An unknown
// event is refused at the PATCH (as at an upload), a known one makes the
// job a participants preview that writes nothing until it is started.
func TestPatchResourceEventPreview(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "acme", "contacts,imports,participants")
			c := client{t, serve(t, db), key}
			if st, _, raw := c.do("POST", "/api/v1/events", map[string]any{"key": "conf26", "name": "Conference"}); st != 201 {
				t.Fatalf("create event: %d %s", st, raw)
			}
			st, job, raw := c.upload("a.csv", []byte("email,first_name\nann@example.org,Ann\nbo@example.org,Bo\n"), map[string]string{"autostart": "false"})
			if st != 201 {
				t.Fatalf("upload: %d %s", st, raw)
			}
			path := fmt.Sprintf("/api/v1/imports/%d", num(job, "id"))
			st, _, raw = c.do("PATCH", path, map[string]any{"resource": "participants", "event_key": "nope"})
			if st != 422 || !strings.Contains(raw, `"location":"body.event_key"`) || !strings.Contains(raw, `Event \"nope\" does not exist`) {
				t.Fatalf("unknown event: %d %s", st, raw)
			}
			st, job, raw = c.do("PATCH", path, map[string]any{"resource": "participants", "event_key": "conf26", "preview": true})
			opts, _ := job["options"].(map[string]any)
			if st != 200 || job["resource"] != "participants" || opts["event_key"] != "conf26" || opts["preview"] != true {
				t.Fatalf("patch: %d %s", st, raw)
			}
			if st, _, raw := c.do("POST", path+"/start", nil); st != 200 {
				t.Fatalf("start: %d %s", st, raw)
			}
			if job = c.wait(num(job, "id")); job["status"] != "previewed" || num(job, "created") != 2 {
				t.Fatalf("preview: %v", job)
			}
			if _, page, _ := c.do("GET", "/api/v1/events/conf26/participants", nil); len(page["data"].([]any)) != 0 {
				t.Fatalf("a preview wrote participants: %v", page)
			}
			if st, _, raw := c.do("POST", path+"/start", nil); st != 200 {
				t.Fatalf("apply: %d %s", st, raw)
			}
			if job = c.wait(num(job, "id")); job["status"] != "completed" || num(job, "created") != 2 {
				t.Fatalf("applied: %v", job)
			}
			if _, page, _ := c.do("GET", "/api/v1/events/conf26/participants", nil); len(page["data"].([]any)) != 2 {
				t.Fatalf("participants after start: %v", page)
			}
		})
	}
}
