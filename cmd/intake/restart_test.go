package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/intake/intake/internal/apitest"
)

// upload posts a multipart import with file content and fields.
func (c client) upload(name string, content []byte, fields map[string]string) (int, map[string]any, string) {
	c.t.Helper()
	body, contentType := apitest.Upload(name, content, fields)
	return c.send("POST", "/api/v1/imports", contentType, body)
}

// wait polls a job until it reaches a final status, with a deadline.
func (c client) wait(id int) map[string]any {
	c.t.Helper()
	// A deadline, not a timing: generous so a loaded machine does not fail it.
	deadline := time.Now().Add(3 * time.Minute)
	var last string
	for time.Now().Before(deadline) {
		st, job, raw := c.do("GET", fmt.Sprintf("/api/v1/imports/%d", id), nil)
		last = raw
		if st != 200 {
			c.t.Fatalf("poll: %d %s", st, raw)
		}
		switch job["status"] {
		case "completed", "failed", "cancelled", "previewed":
			return job
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Fatalf("import %d did not finish in time; last seen: %s", id, last)
	return nil
}

// TestImportSurvivesRestart stops a server while a job runs and starts a
// new one on the same database and upload folder: the job resumes through
// River from its checkpoint and ends with exact counts and no duplicates.
func TestImportSurvivesRestart(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			uploads := t.TempDir()
			key := newKey(t, db, "acme", "contacts")
			var file strings.Builder
			file.WriteString("email,first_name\n")
			const rows = 12000
			for i := range rows {
				fmt.Fprintf(&file, "user%d@example.com,U%d\n", i, i)
			}
			start := func() (string, func()) {
				var errb bytes.Buffer
				m := NewMain(io.Discard, &errb)
				if err := m.ParseFlags([]string{"serve", "--addr", "127.0.0.1:0", "--database-url", db, "--upload-dir", uploads, "--chunk-size", "100"}); err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan error, 1)
				go func() { done <- m.Run(ctx) }()
				<-m.ready
				return m.URL(), func() {
					cancel()
					if err := <-done; err != nil {
						t.Errorf("serve: %v\n%s", err, errb.String())
					}
					m.Close()
				}
			}
			base, stop := start()
			c := client{t, base, key}
			_, job, raw := c.upload("users.csv", []byte(file.String()), nil)
			id := num(job, "id")
			if id == 0 {
				t.Fatalf("upload: %s", raw)
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				_, job, _ = c.do("GET", fmt.Sprintf("/api/v1/imports/%d", id), nil)
				if n := num(job, "processed_rows"); n > 0 && n < rows {
					break
				}
				if job["status"] == "completed" || time.Now().After(deadline) {
					t.Fatalf("could not catch the job mid-file: %v", job)
				}
				time.Sleep(5 * time.Millisecond)
			}
			stop()
			base, stop = start()
			defer stop()
			c = client{t, base, key}
			_, mid, _ := c.do("GET", fmt.Sprintf("/api/v1/imports/%d", id), nil)
			if mid["status"] == "completed" || num(mid, "processed_rows") >= rows {
				t.Fatalf("the job was not stopped mid-file: %v", mid)
			}
			job = c.wait(id)
			if job["status"] != "completed" || num(job, "created") != rows || num(job, "processed_rows") != rows || num(job, "failed_rows") != 0 {
				t.Fatalf("resumed job %v", job)
			}
			seen, cursor := 0, ""
			for range 100 {
				_, page, _ := c.do("GET", "/api/v1/contacts?limit=1000&cursor="+cursor, nil)
				seen += len(page["data"].([]any))
				next, _ := page["next_cursor"].(string)
				if next == "" {
					break
				}
				cursor = next
			}
			if seen != rows {
				t.Fatalf("%d contacts stored, want %d", seen, rows)
			}
		})
	}
}
