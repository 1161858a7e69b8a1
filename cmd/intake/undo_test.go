package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tenantDump is every contact (with tags, custom values, groups) and every
// group of the tenant as the API shows them, updated_at aside.
func tenantDump(c client) string {
	c.t.Helper()
	var all []any
	for cursor := ""; ; {
		st, page, raw := c.do("GET", "/api/v1/contacts?limit=100&cursor="+cursor, nil)
		if st != 200 {
			c.t.Fatalf("list contacts: %d %s", st, raw)
		}
		for _, x := range page["data"].([]any) {
			delete(x.(map[string]any), "updated_at")
			all = append(all, x)
		}
		if cursor, _ = page["next_cursor"].(string); cursor == "" {
			break
		}
	}
	_, groups, _ := c.do("GET", "/api/v1/groups?limit=100", nil)
	for _, g := range groups["data"].([]any) {
		delete(g.(map[string]any), "updated_at")
	}
	b, _ := json.Marshal(map[string]any{"contacts": all, "groups": groups["data"]})
	return string(b)
}

// TestPreviewAndUndoEndToEnd runs the server and, over HTTP: imports into
// a tenant with data as a preview, pages its changes, starts it, undoes it
// and finds the tenant as it was; another tenant's key can do none of it.
func TestPreviewAndUndoEndToEnd(t *testing.T) {
	t.Parallel()
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			t.Parallel()
			dbURL := be.url(t)
			base := serve(t, dbURL)
			c := client{t: t, base: base, key: newKey(t, dbURL, "acme", "contacts,imports")}
			other := client{t: t, base: base, key: newKey(t, dbURL, "other", "contacts,imports,admin")}
			_, seed, _ := c.upload("seed.csv", []byte("email,first_name,city,tags,groups\nann@x.nl,Ann,Utrecht,vip,Newsletter\nbob@x.nl,Bob,Delft,,\n"), nil)
			c.wait(num(seed, "id"))
			before := tenantDump(c)

			st, job, raw := c.upload("change.csv", []byte("email,first_name,city,tags,groups\nann@x.nl,Anna,,vip;gold,Board\nnew@x.nl,New,Ede,,\n"),
				map[string]string{"preview": "true", "ignore_empty_fields": "false"})
			if st != 201 {
				t.Fatalf("upload: %d %s", st, raw)
			}
			id := num(job, "id")
			if job = c.wait(id); job["status"] != "previewed" || tenantDump(c) != before {
				t.Fatalf("preview %v wrote or did not end previewed", job)
			}
			st, changes, raw := c.do("GET", fmt.Sprintf("/api/v1/imports/%d/changes?outcome=updated", id), nil)
			if st != 200 || !strings.Contains(raw, `{"field":"city","before":"Utrecht","after":""}`) ||
				!strings.Contains(raw, `{"field":"first_name","before":"Ann","after":"Anna"}`) {
				t.Fatalf("changes: %d %s", st, raw)
			}
			sum := changes["summary"].(map[string]any)
			if num(sum, "updated") != 1 || num(sum, "created") != 1 || !strings.Contains(raw, `"city":{"changed":0,"cleared":1}`) {
				t.Fatalf("summary %v", sum)
			}
			for _, path := range []string{"/changes", "/undo", "/start"} {
				method := map[bool]string{true: "GET", false: "POST"}[path == "/changes"]
				if st, _, raw := other.do(method, fmt.Sprintf("/api/v1/imports/%d%s", id, path), nil); st != 404 {
					t.Fatalf("another tenant's %s %s: %d %s", method, path, st, raw)
				}
			}

			if st, _, raw := c.do("POST", fmt.Sprintf("/api/v1/imports/%d/start", id), nil); st != 200 {
				t.Fatalf("start: %d %s", st, raw)
			}
			if job = c.wait(id); job["status"] != "completed" || num(job, "created") != 1 || num(job, "updated") != 1 {
				t.Fatalf("applied %v", job)
			}
			if tenantDump(c) == before {
				t.Fatal("the started preview wrote nothing")
			}
			st, u, raw := c.do("POST", fmt.Sprintf("/api/v1/imports/%d/undo", id), map[string]any{"force": false})
			if st != 202 || u["kind"] != "undo" || num(u, "undo_of") != id {
				t.Fatalf("undo: %d %s", st, raw)
			}
			if u = c.wait(num(u, "id")); u["status"] != "completed" || num(u, "skipped") != 0 {
				t.Fatalf("undo job %v", u)
			}
			if after := tenantDump(c); after != before {
				t.Fatalf("after the undo:\n%s\nbefore:\n%s", after, before)
			}
			_, undone, _ := c.do("GET", fmt.Sprintf("/api/v1/imports/%d", id), nil)
			if undone["undone_at"] == nil || num(undone, "undo_id") != num(u, "id") {
				t.Fatalf("undone import %v", undone)
			}
			if _, again, _ := c.do("POST", fmt.Sprintf("/api/v1/imports/%d/undo", id), nil); num(again, "id") != num(u, "id") {
				t.Fatalf("second undo answered %v", again)
			}
		})
	}
}

// TestUndoCrash kills the server with SIGKILL while an undo runs; the
// restarted server resumes it and it ends with exact counts.
func TestUndoCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const rows = 3000
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) {
			dbURL := be.url(t)
			bin := intakeBinary(t)
			addr := freeAddr(t)
			h := &harness{t: t, bin: bin, base: "http://" + addr, client: &http.Client{Timeout: 2 * time.Minute},
				args: []string{"serve", "--addr", addr, "--database-url", dbURL, "--upload-dir", t.TempDir(), "--chunk-size", "20", "--workers", "2"}}
			out, err := exec.Command(bin, "keys", "create", "--database-url", dbURL, "--tenant", "acme", "--scopes", "contacts,imports").Output()
			if err != nil {
				t.Fatalf("keys create: %v", err)
			}
			h.key = strings.TrimSpace(string(out))
			csv, distinct, _, _ := crashCSV("u", rows)
			srv := h.start()
			im, err := h.upload(csv, "mode", "create")
			if err != nil {
				t.Fatal(err)
			}
			h.until("the import completes", 2*time.Minute, []int64{im.ID}, func(j job) bool { return j.Status == "completed" })
			c := client{t: t, base: h.base, key: h.key}
			st, u, raw := c.do("POST", fmt.Sprintf("/api/v1/imports/%d/undo", im.ID), nil)
			if st != 202 {
				t.Fatalf("undo: %d %s", st, raw)
			}
			undoID := int64(num(u, "id"))
			h.until("the undo is mid-way", time.Minute, []int64{undoID}, func(j job) bool { return j.ProcessedRows > 0 })
			killed, _ := h.job(undoID) // just before the kill
			srv.cmd.Process.Signal(syscall.SIGKILL)
			srv.cmd.Wait()
			h.start()
			h.until("the undo resumes and completes", 2*time.Minute, []int64{undoID}, func(j job) bool { return j.Status == "completed" })
			_, done, _ := c.do("GET", "/api/v1/imports/"+strconv.FormatInt(undoID, 10), nil)
			t.Logf("undo of %d created contacts killed at about %d of %d rows (status %s); resumed: %v", distinct, killed.ProcessedRows, killed.TotalRows, killed.Status, done)
			if killed.Status == "completed" {
				t.Log("the undo ended before the kill")
			}
			if num(done, "deleted") != distinct || num(done, "processed_rows") != num(done, "total_rows") || num(done, "skipped") != 0 {
				t.Fatalf("undo counts %v, want %d deleted", done, distinct)
			}
			if _, list, _ := c.do("GET", "/api/v1/contacts?limit=10", nil); len(list["data"].([]any)) != 0 {
				t.Fatalf("contacts left after the undo: %v", list["data"])
			}
		})
	}
}
