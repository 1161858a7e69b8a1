package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intake/intake/internal/webhook"
)

// receiver is a webhook endpoint on loopback: it verifies each delivery's
// signature, de-duplicates by event id, and answers 500 to the first
// fail[type] attempts of each event of that type.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	secret string
	fail   map[string]int
	tries  map[string]int            // event id → attempts seen
	events map[string]map[string]any // event id → the event, once accepted
	order  []string                  // accepted event ids in arrival order
	forged int                       // deliveries with a bad signature
	// gate, when set, holds every request until it is closed (or the
	// sender goes away); arrived is closed at the first request.
	gate, arrived chan struct{}
	once          sync.Once
}

func newReceiver(t *testing.T, fail map[string]int) *receiver {
	r := &receiver{t: t, fail: fail, tries: map[string]int{}, events: map[string]map[string]any{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	if r.gate != nil {
		r.once.Do(func() { close(r.arrived) })
		select {
		case <-r.gate:
		case <-req.Context().Done():
			return
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := webhook.Verify(r.secret, req.Header.Get(webhook.SignatureHeader), body, time.Now(), 5*time.Minute); err != nil {
		r.forged++
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id, typ := ev["id"].(string), ev["type"].(string)
	r.tries[id]++
	if r.tries[id] <= r.fail[typ] {
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	if _, dup := r.events[id]; !dup {
		r.events[id] = ev
		r.order = append(r.order, id)
	}
}

// ofType returns the accepted events of type typ, in arrival order.
func (r *receiver) ofType(typ string) []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, id := range r.order {
		if ev := r.events[id]; ev["type"] == typ {
			out = append(out, ev)
		}
	}
	return out
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.order)
}

// waitFor polls until ok holds, failing after a deadline.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// subscribe creates a webhook for rcv and hands it the secret.
func subscribe(t *testing.T, c client, rcv *receiver, events ...string) int {
	t.Helper()
	st, w, raw := c.do("POST", "/api/v1/webhooks", map[string]any{"url": rcv.srv.URL + "/hook", "events": events, "description": "test"})
	secret, _ := w["secret"].(string)
	if st != 201 || !strings.HasPrefix(secret, "whsec_") || w["status"] != "active" {
		t.Fatalf("subscribe: %d %s", st, raw)
	}
	rcv.mu.Lock()
	rcv.secret = secret
	rcv.mu.Unlock()
	return num(w, "id")
}

// recordEmails lists the emails of a record event's data.records.
func recordEmails(evs []map[string]any) []string {
	var out []string
	for _, ev := range evs {
		for _, r := range ev["data"].(map[string]any)["records"].([]any) {
			out = append(out, r.(map[string]any)["values"].(map[string]any)["email"].(string))
		}
	}
	slices.Sort(out)
	return out
}

var webhookFlags = []string{"--location-allow-private", "--webhook-backoff", "10ms", "--webhook-backoff-max", "50ms"}

// TestWebhooksCopernicaFollowups runs the seed's Copernica example with
// followups and rebuild on: contact.created for each new profile and
// import.completed, signed, the latter after two 500s; the selection's count
// follows; another tenant's webhook hears nothing of it.
func TestWebhooksCopernicaFollowups(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "acme", "imports,contacts")
			otherKey := newKey(t, db, "globex", "imports,contacts")
			base := serve(t, db, webhookFlags...)
			acme, globex := client{t, base, key}, client{t, base, otherKey}
			rcv := newReceiver(t, map[string]int{"import.completed": 2})
			other := newReceiver(t, nil)
			hook := subscribe(t, acme, rcv, "*")
			subscribe(t, globex, other, "*")

			st, sel, raw := acme.do("POST", "/api/v1/selections", map[string]any{"name": "Database 1", "filter": map[string]string{"group": "1"}})
			if st != 201 || num(sel, "count") != 0 {
				t.Fatalf("create selection: %d %s", st, raw)
			}
			r := call(t, "POST", base+"/v3/imports?access_token="+key, map[string]string{"Content-Type": "application/json"},
				strings.NewReader(`{"database":1,"name":"TestImport","rebuild":true,"followups":true,"action":"update or add",
					"keyFields":["Email"],"format":"json","source":`+jsonString(copernicaSource)+`}`))
			if r.status != 201 {
				t.Fatalf("copernica import: %d %s", r.status, r.raw)
			}
			id := num(r.body, "ID")
			waitCopernica(t, base, key, id)
			waitFor(t, "import.completed", func() bool { return len(rcv.ofType("import.completed")) == 1 })

			created := rcv.ofType("contact.created")
			if got := recordEmails(created); !slices.Equal(got, []string{"info@copernica.com", "support@copernica.com"}) {
				t.Fatalf("contact.created records %v", got)
			}
			done := rcv.ofType("import.completed")[0]
			im := done["data"].(map[string]any)["import"].(map[string]any)
			if num(im, "id") != id || num(im, "created") != 2 || !strings.HasPrefix(done["id"].(string), "evt_") {
				t.Fatalf("import.completed %v", done)
			}
			if rcv.forged != 0 || rcv.tries[done["id"].(string)] != 3 {
				t.Fatalf("forged %d, import.completed attempts %d (want 3)", rcv.forged, rcv.tries[done["id"].(string)])
			}
			// The deliveries list shows the three attempts and the 200 (once
			// the worker has recorded the answer the receiver already gave).
			waitFor(t, "the delivery recorded", func() bool {
				_, page, _ := acme.do("GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries", hook), nil)
				for _, x := range page["data"].([]any) {
					if d := x.(map[string]any); d["event_type"] == "import.completed" {
						return d["status"] == "succeeded" && num(d, "attempts") == 3 && num(d, "last_status_code") == 200
					}
				}
				return false
			})
			// rebuild: true rebuilt the selection in the job's last transaction.
			_, sel, raw = acme.do("GET", fmt.Sprintf("/api/v1/selections/%d", num(sel, "id")), nil)
			if num(sel, "count") != 2 || sel["rebuilt_at"] == nil {
				t.Fatalf("selection after the import: %s", raw)
			}
			_, members, _ := acme.do("GET", fmt.Sprintf("/api/v1/selections/%d/contacts", num(sel, "id")), nil)
			if n := len(members["data"].([]any)); n != 2 {
				t.Fatalf("selection members %d", n)
			}
			if other.count() != 0 {
				t.Fatalf("another tenant's webhook heard %d events of acme's import", other.count())
			}
		})
	}
}

// TestWebhooksRolledBack: an all-or-nothing import that fails a row rolls
// its chunk back, and with it the chunk's record events; the job's own end
// is still told.
func TestWebhooksRolledBack(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			c := client{t: t, base: serve(t, db, webhookFlags...), key: newKey(t, db, "acme", "imports,contacts")}
			rcv := newReceiver(t, nil)
			subscribe(t, c, rcv, "contact.created", "import.completed", "import.failed")
			st, job, raw := c.do("POST", "/api/v1/imports", map[string]any{"upload_mode": "sync", "followups": true, "skip_on_error": false,
				"source": []map[string]any{{"email": "good@example.com"}, {"email": "not an email"}}})
			if st != 201 || num(job, "created") != 0 {
				t.Fatalf("import: %d %s", st, raw)
			}
			waitFor(t, "the import's end", func() bool {
				return len(rcv.ofType("import.completed"))+len(rcv.ofType("import.failed")) == 1
			})
			if n := len(rcv.ofType("contact.created")); n != 0 {
				t.Fatalf("%d contact.created events for a rolled-back chunk", n)
			}
		})
	}
}

// TestSelectionRemoveMissing mirrors a list inside one selection only:
// remove_missing_selection removes the selection's members the file lacks,
// and nobody outside it; rebuild=true then counts what is left.
func TestSelectionRemoveMissing(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			c := client{t: t, base: serve(t, db), key: newKey(t, db, "acme", "imports,contacts")}
			st, job, raw := c.do("POST", "/api/v1/imports", map[string]any{"upload_mode": "sync", "source": []map[string]any{
				{"email": "a@example.com", "tags": "vip"}, {"email": "b@example.com", "tags": "vip"}, {"email": "c@example.com"}}})
			if st != 201 || num(job, "created") != 3 {
				t.Fatalf("import: %d %s", st, raw)
			}
			st, sel, raw := c.do("POST", "/api/v1/selections", map[string]any{"name": "VIPs", "filter": map[string]string{"tag": "vip"}})
			if st != 201 || num(sel, "count") != 2 {
				t.Fatalf("selection: %d %s", st, raw)
			}
			st, job, raw = c.do("POST", "/api/v1/imports", map[string]any{"upload_mode": "sync", "remove_missing": true,
				"remove_missing_selection": "vips", "rebuild": true, "source": []map[string]any{{"email": "a@example.com", "tags": "vip"}}})
			if st != 201 || job["status"] != "completed" || num(job, "deleted") != 1 {
				t.Fatalf("mirror inside the selection: %d %s", st, raw)
			}
			same(t, "contacts left", emailsOf(c), []string{"a@example.com", "c@example.com"})
			if _, sel, raw = c.do("GET", fmt.Sprintf("/api/v1/selections/%d", num(sel, "id")), nil); num(sel, "count") != 1 {
				t.Fatalf("selection after rebuild: %s", raw)
			}
			st, job, raw = c.do("POST", "/api/v1/imports", map[string]any{"upload_mode": "sync", "remove_missing": true,
				"remove_missing_selection": "nope", "source": []map[string]any{{"email": "a@example.com"}}})
			if st != 201 || job["status"] != "completed" || num(job, "deleted") != 0 || !strings.Contains(fmt.Sprint(job["warnings"]), `no selection named "nope"`) {
				t.Fatalf("an unknown selection: %d %s", st, raw)
			}
		})
	}
}

func emailsOf(c client) []string {
	c.t.Helper()
	_, page, _ := c.do("GET", "/api/v1/contacts?limit=1000", nil)
	var out []string
	for _, x := range page["data"].([]any) {
		out = append(out, x.(map[string]any)["email"].(string))
	}
	slices.Sort(out)
	return out
}
