package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestWebhooksCrash kills the server (SIGKILL) once the first events of
// an import with follow-ups are committed and one delivery is in flight,
// then restarts it: the receiver, de-duplicating by event id, ends with
// exactly the committed changes: each created contact in one
// contact.created event, and one import.completed.
func TestWebhooksCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) { webhookCrashRun(t, be.url(t)) })
	}
}

func webhookCrashRun(t *testing.T, dbURL string) {
	bin := intakeBinary(t)
	addr := freeAddr(t)
	h := &harness{t: t, bin: bin, base: "http://" + addr, client: &http.Client{Timeout: time.Minute},
		args: []string{"serve", "--addr", addr, "--database-url", dbURL, "--upload-dir", t.TempDir(), "--chunk-size", "50",
			"--location-allow-private", "--webhook-backoff", "10ms", "--webhook-backoff-max", "100ms"}}
	out, err := exec.Command(bin, "keys", "create", "--database-url", dbURL, "--tenant", "acme", "--scopes", "contacts,imports").Output()
	if err != nil {
		t.Fatalf("keys create: %v", err)
	}
	h.key = strings.TrimSpace(string(out))
	rcv := newReceiver(t, nil)
	rcv.gate, rcv.arrived = make(chan struct{}), make(chan struct{})
	srv := h.start()
	body, _ := json.Marshal(map[string]any{"url": rcv.srv.URL, "events": []string{"*"}})
	req, _ := http.NewRequest("POST", h.base+"/api/v1/webhooks", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+h.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var hook map[string]any
	json.NewDecoder(resp.Body).Decode(&hook)
	resp.Body.Close()
	rcv.secret, _ = hook["secret"].(string)

	csv, distinct, _, _ := crashCSV("w", 600)
	a, err := h.upload(csv, "followups", "true")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-rcv.arrived:
	case <-time.After(30 * time.Second):
		t.Fatalf("no delivery arrived:\n%s", srv.log.String())
	}
	srv.cmd.Process.Signal(syscall.SIGKILL)
	srv.cmd.Wait()
	h.start()
	killed, _ := h.job(a.ID)
	close(rcv.gate) // the receiver answers 200 from now on
	h.until("completed", 2*time.Minute, []int64{a.ID}, func(j job) bool { return j.Status == "completed" })
	waitFor(t, "every event", func() bool {
		return len(rcv.ofType("import.completed")) == 1 && len(recordEmails(rcv.ofType("contact.created"))) >= distinct
	})
	emails := recordEmails(rcv.ofType("contact.created"))
	seen := map[string]bool{}
	for _, e := range emails {
		if seen[e] {
			t.Errorf("%s was announced as created twice", e)
		}
		seen[e] = true
	}
	j, _ := h.job(a.ID)
	if len(emails) != distinct || j.Created != distinct || rcv.forged != 0 {
		t.Errorf("%d contacts announced, job created %d, want %d; %d forged", len(emails), j.Created, distinct, rcv.forged)
	}
	t.Logf("killed at %d of %d rows (%s); %d events received", killed.ProcessedRows, killed.TotalRows, killed.Status, rcv.count())
}
