package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// TestBulkUpsertEndToEnd runs the server and, over HTTP: a bulk upsert
// with follow-ups into a tenant with data names its import, a receiver
// gets contact.updated with the changed field's before → after, the
// import's changes list it, and its undo gives back the tenant as it was.
func TestBulkUpsertEndToEnd(t *testing.T) {
	t.Parallel()
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			db := be.url(t)
			base := serve(t, db, webhookFlags...)
			key := newKey(t, db, "acme", "contacts,imports")
			c := client{t: t, base: base, key: key}
			rcv := newReceiver(t, nil)
			subscribe(t, c, rcv, "contact.updated", "contact.created")
			bulk := func(body string) reply {
				r := call(t, "POST", base+"/api/v1/bulk-import/contacts",
					map[string]string{"Authorization": "Bearer " + key, "Content-Type": "application/json"}, strings.NewReader(body))
				if r.status != 200 {
					t.Fatalf("bulk: %d %s", r.status, r.raw)
				}
				return r
			}
			bulk(`{"records": [{"email": "ann@x.nl", "first_name": "Ann", "city": "Utrecht"}, {"email": "bob@x.nl", "city": "Delft"}]}`)
			before := tenantDump(c)

			r := bulk(`{"mode": "upsert", "followups": true, "records": [{"email": "ann@x.nl", "city": "Leiden"}, {"email": "new@x.nl", "city": "Ede"}]}`)
			id, err := strconv.Atoi(r.header.Get("Intake-Import-Id"))
			if err != nil || id == 0 {
				t.Fatalf("bulk answer names no import: %v %s", r.header, r.raw)
			}
			waitFor(t, "contact.updated", func() bool { return len(rcv.ofType("contact.updated")) == 1 })
			upd := rcv.ofType("contact.updated")[0]["data"].(map[string]any)["records"].([]any)[0].(map[string]any)
			if ch := fmt.Sprint(upd["changes"]); ch != "[map[after:Leiden before:Utrecht field:city]]" {
				t.Fatalf("contact.updated changes %s", ch)
			}
			st, _, raw := c.do("GET", fmt.Sprintf("/api/v1/imports/%d/changes?outcome=updated&field=city", id), nil)
			if st != 200 || !strings.Contains(raw, `{"field":"city","before":"Utrecht","after":"Leiden"}`) || strings.Contains(raw, "new@x.nl") {
				t.Fatalf("changes: %d %s", st, raw)
			}
			_, all, raw := c.do("GET", fmt.Sprintf("/api/v1/imports/%d/changes", id), nil)
			if sum := all["summary"].(map[string]any); num(sum, "created") != 1 || num(sum, "updated") != 1 {
				t.Fatalf("summary: %s", raw)
			}
			st, u, raw := c.do("POST", fmt.Sprintf("/api/v1/imports/%d/undo", id), nil)
			if st != 202 || num(u, "undo_of") != id {
				t.Fatalf("undo: %d %s", st, raw)
			}
			if u = c.wait(num(u, "id")); u["status"] != "completed" || num(u, "updated") != 1 || num(u, "deleted") != 1 {
				t.Fatalf("undo job %v", u)
			}
			if after := tenantDump(c); after != before {
				t.Fatalf("after the undo:\n%s\nbefore:\n%s", after, before)
			}
		})
	}
}
