package http_test

// Resource limits through a real listener, scaled down: the limits are set
// far lower than their defaults and the hostile shapes are generated at a
// matching size, so the suite stays fast under -race. Each test asserts what
// the server does (refuses, bounds, sweeps), never how long it took.

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	intakehttp "github.com/intake/intake/internal/http"
)

// bulkBody is a bulk request of n contacts prefix0@x.nl… whose notes are
// pad bytes each.
func bulkBody(prefix string, n, pad int) []byte {
	recs := records(n, func(i int) map[string]any {
		return map[string]any{"email": fmt.Sprintf("%s%d@x.nl", prefix, i), "notes": strings.Repeat("n", pad)}
	})
	b, _ := json.Marshal(map[string]any{"records": recs})
	return b
}

// jsonImport is a JSON import body whose data URI holds a CSV of n
// contacts.
func jsonImport(prefix string, n int) []byte {
	csv := "email\n"
	for i := range n {
		csv += fmt.Sprintf("%s%d@x.nl\n", prefix, i)
	}
	b, _ := json.Marshal(map[string]any{"data": "data:text/csv;base64," + base64.StdEncoding.EncodeToString([]byte(csv))})
	return b
}

// rawConn sends a request's head on a connection of its own: its body
// follows on the connection, as the test writes it.
type rawConn struct {
	net.Conn
	br *bufio.Reader
}

func openRaw(t *testing.T, base, key, method, path, contentType string, length int, expectContinue bool) *rawConn {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(2 * time.Minute))
	head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n",
		method, path, u.Host, key, contentType, length)
	if expectContinue {
		head += "Expect: 100-continue\r\n"
	}
	if _, err := io.WriteString(conn, head+"\r\n"); err != nil {
		t.Fatal(err)
	}
	return &rawConn{Conn: conn, br: bufio.NewReader(conn)}
}

// awaitContinue reads the server's 100 Continue: it asks for the body.
func (c *rawConn) awaitContinue(t *testing.T) {
	t.Helper()
	line, err := c.br.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100") {
		t.Fatalf("want 100 Continue, got %q %v", line, err)
	}
	if blank, err := c.br.ReadString('\n'); err != nil || blank != "\r\n" {
		t.Fatalf("after 100 Continue: %q %v", blank, err)
	}
}

// answer reads the response: status and body.
func (c *rawConn) answer(t *testing.T) (int, string) {
	t.Helper()
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// post sends body and answers status, headers and body.
func post(t *testing.T, base, key, path, contentType string, body []byte) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(raw)
}

// hasContact reports whether the tenant has a contact with email.
func (c client) hasContact(email string) bool {
	c.t.Helper()
	st, body, raw := c.do("GET", "/api/v1/contacts?email="+url.QueryEscape(email), nil)
	if st != 200 {
		c.t.Fatalf("contacts: %d %s", st, raw)
	}
	data, _ := body["data"].([]any)
	return len(data) > 0
}

// TestJSONBodyBudget (D3): JSON bodies in flight share one byte budget. A
// bulk call holding most of it (the server asked for its body, so it holds
// its bytes) makes another of that size wait and then answer 503 with
// Retry-After, and a JSON import body too; a small call still fits; the
// refused calls wrote nothing and go through once the budget is free.
func TestJSONBodyBudget(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "acme", "contacts")
			base := serve(t, db, func(c *serverConfig) {
				c.Limits = intakehttp.Limits{InflightJSONBytes: 64 << 10, InflightWait: 200 * time.Millisecond}
			})
			c := client{t, base, key}
			held := bulkBody("held", 10, 4000) // 40 KB of the 64 KiB
			conn := openRaw(t, base, key, "POST", "/api/v1/bulk-import/contacts", "application/json", len(held), true)
			conn.awaitContinue(t)

			st, hdr, raw := post(t, base, key, "/api/v1/bulk-import/contacts", "application/json", bulkBody("late", 10, 4000))
			if st != 503 || hdr.Get("Retry-After") == "" || !strings.Contains(raw, "busy") {
				t.Fatalf("a bulk call past the budget: %d Retry-After %q %s", st, hdr.Get("Retry-After"), raw)
			}
			st, hdr, raw = post(t, base, key, "/api/v1/imports", "application/json", jsonImport("json", 2500)) // 40 KB
			if st != 503 || hdr.Get("Retry-After") == "" {
				t.Fatalf("a JSON import past the budget: %d Retry-After %q %s", st, hdr.Get("Retry-After"), raw)
			}
			if st, _, raw := c.do("POST", "/api/v1/bulk-import/contacts", string(bulkBody("small", 1, 10))); st != 200 {
				t.Fatalf("a small call beside the held one: %d %s", st, raw)
			}
			if c.hasContact("late0@x.nl") || c.hasContact("json0@x.nl") {
				t.Fatal("a refused call wrote contacts")
			}

			conn.Write(held)
			if st, raw := conn.answer(t); st != 200 || !strings.Contains(raw, `"created":10`) {
				t.Fatalf("the held call: %d %s", st, raw)
			}
			if st, _, raw := c.do("POST", "/api/v1/bulk-import/contacts", string(bulkBody("late", 10, 4000))); st != 200 || !strings.Contains(raw, `"created":10`) {
				t.Fatalf("the refused call, again: %d %s", st, raw)
			}
		})
	}
}

// trickle writes body on conn: its first head bytes at once, then one byte
// every 20 ms until it is sent, a write fails or stop closes.
func trickle(conn net.Conn, body []byte, head int) (stop func()) {
	done := make(chan struct{})
	go func() {
		if _, err := conn.Write(body[:head]); err != nil {
			return
		}
		for _, b := range body[head:] {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if _, err := conn.Write([]byte{b}); err != nil {
				return
			}
		}
	}()
	return func() { close(done) }
}

// multipartUpload is a multipart import body with one file part.
func multipartUpload(name string, content []byte) (string, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

// TestSlowBodiesCutOff (D4): a body trickled far below the minimum rate is
// cut off once the grace period has passed, though it never stalls for the
// idle timeout: an upload, a bulk call and a JSON import each answer 408
// saying so, and nothing of them is stored. A body sent at once is not
// touched.
func TestSlowBodiesCutOff(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "acme", "contacts")
			uploads := t.TempDir()
			base := serve(t, db, func(c *serverConfig) {
				c.Limits = intakehttp.Limits{BodyMinRate: 1000, BodyRateGrace: 300 * time.Millisecond}
				c.UploadDir = uploads
			})
			c := client{t, base, key}
			csv := []byte("email\n" + strings.Repeat("slow@x.nl\n", 2000))
			ct, upload := multipartUpload("slow.csv", csv)
			for _, tc := range []struct {
				name, path, contentType string
				body                    []byte
			}{
				{"an upload", "/api/v1/imports", ct, upload},
				{"a bulk call", "/api/v1/bulk-import/contacts", "application/json", bulkBody("slow", 5, 4000)},
				{"a JSON import", "/api/v1/imports", "application/json", jsonImport("slow", 1000)},
			} {
				conn := openRaw(t, base, key, "POST", tc.path, tc.contentType, len(tc.body), false)
				stop := trickle(conn, tc.body, 300)
				st, raw := conn.answer(t)
				stop()
				if st != 408 || !strings.Contains(raw, "arrived too slowly") || !strings.Contains(raw, "1000 bytes a second") {
					t.Fatalf("%s trickled: %d %s", tc.name, st, raw)
				}
			}
			if st, list, raw := c.do("GET", "/api/v1/imports", nil); st != 200 || len(list["data"].([]any)) != 0 {
				t.Fatalf("jobs after the cut-off bodies: %d %s", st, raw)
			}
			if c.hasContact("slow0@x.nl") {
				t.Fatal("a cut-off bulk call wrote contacts")
			}
			if files := filesIn(t, uploads); len(files) != 0 {
				t.Fatalf("cut-off uploads left files: %v", files)
			}
			if st, _, raw := c.upload("fast.csv", csv, nil); st != 201 && st != 202 {
				t.Fatalf("an upload sent at once: %d %s", st, raw)
			}
		})
	}
}

// filesIn lists the stored files under dir (not the bucket's .attrs).
func filesIn(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && !strings.HasSuffix(path, ".attrs") {
			out = append(out, path)
		}
		return nil
	})
	return out
}

// TestParkedJobsExpire (D5): a job left awaiting its mapping past
// --parked-ttl is failed by the sweep with a message saying so, its upload
// deleted; it cannot be started any more.
func TestParkedJobsExpire(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "acme", "contacts")
			uploads := t.TempDir()
			base := serve(t, db, func(c *serverConfig) {
				c.ParkedTTL, c.SweepEvery, c.UploadDir = time.Millisecond, 100*time.Millisecond, uploads
			})
			c := client{t, base, key}
			st, job, raw := c.upload("wait.csv", []byte("email\nann@x.nl\n"), map[string]string{"autostart": "false"})
			if st != 201 || job["status"] != "awaiting_mapping" {
				t.Fatalf("parked upload: %d %s", st, raw)
			}
			id := num(job, "id")
			if job = c.wait(id); job["status"] != "failed" || !strings.Contains(fmt.Sprint(job["error"]), "waited for its mapping for more than 1ms and expired") {
				t.Fatalf("the parked job after its TTL: %v", job)
			}
			// The job ends first, then its upload goes and it says so.
			gone := waitFor(20*time.Second, func() bool {
				_, job, _ = c.do("GET", fmt.Sprintf("/api/v1/imports/%d", id), nil)
				return job["report_expired"] == true
			})
			if !gone {
				t.Fatalf("the expired job does not say its upload is gone: %v", job)
			}
			if files := filesIn(t, uploads); len(files) != 0 {
				t.Fatalf("the expired job's upload is still stored: %v", files)
			}
			if st, _, raw := c.do("POST", fmt.Sprintf("/api/v1/imports/%d/start", id), nil); st != 409 {
				t.Fatalf("start an expired job: %d %s", st, raw)
			}
		})
	}
}

// TestParkedBytesQuota (D5): a tenant's uploads awaiting their mapping may
// hold at most --max-parked-bytes. One more that would wait is refused with
// 413 and a message saying why, and is not stored; one that starts at once
// is not counted; another tenant is not affected; cancelling a waiting job
// makes room.
func TestParkedBytesQuota(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key, otherKey := newKey(t, db, "acme", "contacts"), newKey(t, db, "globex", "contacts")
			uploads := t.TempDir()
			base := serve(t, db, func(c *serverConfig) { c.MaxParkedBytes, c.UploadDir = 1000, uploads })
			c, other := client{t, base, key}, client{t, base, otherKey}
			file := []byte("email\n" + strings.Repeat("ann@x.nl\n", 66)) // 600 bytes
			wait := map[string]string{"autostart": "false"}
			st, first, raw := c.upload("a.csv", file, wait)
			if st != 201 || first["status"] != "awaiting_mapping" {
				t.Fatalf("first parked upload: %d %s", st, raw)
			}
			st, body, raw := c.upload("b.csv", file, wait)
			if st != 413 || !strings.Contains(raw, "waiting for their mapping already hold 600 bytes") ||
				!strings.Contains(raw, "parked_bytes_exceeded") || !strings.Contains(raw, "1000 bytes allowed") {
				t.Fatalf("a parked upload past the quota: %d %v %s", st, body, raw)
			}
			if files := filesIn(t, uploads); len(files) != 1 {
				t.Fatalf("the refused upload was stored: %v", files)
			}
			st, started, raw := c.upload("c.csv", file, nil)
			if (st != 201 && st != 202) || started["status"] == "awaiting_mapping" {
				t.Fatalf("an upload that starts at once: %d %s", st, raw)
			}
			c.wait(num(started, "id"))
			// A workbook learns it waits only once its job has read it: then
			// the job fails for the quota, and its upload goes.
			// What is stored now; the workbook must add nothing to it. (A
			// count would not do: a finished job's transient file may go
			// meanwhile, as it did once on PostgreSQL in CI.)
			stored := map[string]bool{}
			for _, f := range filesIn(t, uploads) {
				stored[f] = true
			}
			book := excelize.NewFile()
			book.SetSheetRow("Sheet1", "A1", &[]any{"Email"})
			var xlsx bytes.Buffer
			book.Write(&xlsx)
			st, job, raw := c.upload("w.xlsx", xlsx.Bytes(), wait)
			if st != 201 {
				t.Fatalf("a workbook upload: %d %s", st, raw)
			}
			if job = c.wait(num(job, "id")); job["status"] != "failed" || !strings.Contains(fmt.Sprint(job["error"]), "waiting for their mapping already hold 600 bytes") {
				t.Fatalf("a workbook that would park past the quota: %v", job)
			}
			after := filesIn(t, uploads)
			t.Logf("uploads before the workbook: %v; after: %v", stored, after)
			for _, f := range after {
				if !stored[f] {
					t.Fatalf("the workbook refused by the quota is still stored: %s", f)
				}
			}
			if st, _, raw := other.upload("d.csv", file, wait); st != 201 {
				t.Fatalf("another tenant's parked upload: %d %s", st, raw)
			}
			if st, _, raw := c.do("POST", fmt.Sprintf("/api/v1/imports/%d/cancel", num(first, "id")), nil); st != 200 {
				t.Fatalf("cancel: %d %s", st, raw)
			}
			if st, _, raw := c.upload("b.csv", file, wait); st != 201 {
				t.Fatalf("a parked upload after a cancel: %d %s", st, raw)
			}
		})
	}
}

// TestBulkBodyShapes: duplicate keys are refused with a 400 naming the key
// and the record (not resolved last-wins), and a number no float holds
// (1e400) is a record's value like any other, not a failed call.
func TestBulkBodyShapes(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "acme", "contacts")
			c := client{t, serve(t, db), key}
			const path = "/api/v1/bulk-import/contacts"
			for _, tc := range []struct{ body, want string }{
				{`{"records":[{"email":"a@x.nl"},{"email":"b@x.nl","first_name":"B","email":"c@x.nl"}]}`,
					`Record 1 has the key \"email\" twice`},
				{`{"records":[{"email":"a@x.nl","custom":{"x":1,"x":2}}]}`, `Record 0 has the key \"x\" twice`},
				{`{"records":[{"email":"a@x.nl","e\u006dail":"b@x.nl"}]}`, `Record 0 has the key \"email\" twice`},
				{`{"mode":"create","records":[{"email":"a@x.nl"}],"mode":"upsert"}`, `The body has the key \"mode\" twice`},
			} {
				st, _, raw := c.do("POST", path, tc.body)
				if st != 400 || !strings.Contains(raw, tc.want) || !strings.Contains(raw, "duplicate_key") {
					t.Errorf("%s: %d %s", tc.body, st, raw)
				}
			}
			if c.hasContact("a@x.nl") {
				t.Fatal("a refused body wrote contacts")
			}
			// Still refused as before, in the schema's words.
			for body, want := range map[string]string{
				`{"records":[{"email":"a@x.nl"}],"replace":true}`: "unexpected property",
				`{"mode":"create"}`:  "expected required property records to be present",
				`{"records":"nope"}`: "expected array",
			} {
				if st, _, raw := c.do("POST", path, body); st != 422 || !strings.Contains(raw, want) || strings.Contains(raw, "Go ") {
					t.Errorf("%s: %d %s", body, st, raw)
				}
			}

			c.must(201, "POST", "/api/v1/fields", map[string]any{"name": "score", "type": "number"})
			st, _, raw := c.do("POST", path, `{"records":[{"email":"big@x.nl","custom.score":1e400},{"email":"ok@x.nl","custom.score":7}]}`)
			if st != 200 || strings.Contains(raw, "float64") {
				t.Fatalf("1e400 in a record: %d %s", st, raw)
			}
			var res struct {
				Details []struct {
					Index  int
					Status string
				}
			}
			json.Unmarshal([]byte(raw), &res)
			if len(res.Details) != 2 || res.Details[0].Status != "failed" || res.Details[1].Status != "created" {
				t.Fatalf("1e400 is the one record's error: %s", raw)
			}
		})
	}
}
