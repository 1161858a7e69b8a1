package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/intake/intake/internal/store"
)

// The crash harness runs the built binary as a real server, kills it with
// SIGKILL in the middle of two imports (one async, one upload_mode=sync),
// restarts it and measures how long the restarted server takes to resume
// them; then stops it with SIGTERM mid-import (the chunk in flight must
// commit), restarts it again, and checks exact counts and that no contact
// was written twice. It runs on both stores at a CI size; set
// INTAKE_CRASH_ROWS=200000 for the large run.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// intakeBinary builds cmd/intake once per test run.
func intakeBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "intake-crash-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "intake")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestCrashHarness(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	rows := 3000
	if v, err := strconv.Atoi(os.Getenv("INTAKE_CRASH_ROWS")); err == nil && v > 0 {
		rows = v
	}
	for _, be := range backends(t) {
		t.Run(be.name, func(t *testing.T) { crashRun(t, be.url(t), rows) })
	}
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is one run of the binary.
type server struct {
	cmd  *exec.Cmd
	log  *syncBuffer
	base string
}

type harness struct {
	t      *testing.T
	bin    string
	args   []string
	base   string
	key    string
	logs   []*syncBuffer
	client *http.Client
}

func (h *harness) start() *server {
	h.t.Helper()
	s := &server{log: &syncBuffer{}, base: h.base}
	s.cmd = exec.Command(h.bin, h.args...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	h.logs = append(h.logs, s.log)
	h.t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			s.cmd.Wait()
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := h.client.Get(h.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("the server did not get ready:\n%s", s.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// job is what the harness reads of an import.
type job struct {
	ID            int64  `json:"id"`
	Status        string `json:"status"`
	TotalRows     int    `json:"total_rows"`
	ProcessedRows int    `json:"processed_rows"`
	Created       int    `json:"created"`
	Updated       int    `json:"updated"`
	Skipped       int    `json:"skipped"`
	FailedRows    int    `json:"failed_rows"`
}

func (h *harness) job(id int64) (job, error) {
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/imports/%d", h.base, id), nil)
	req.Header.Set("Authorization", "Bearer "+h.key)
	resp, err := h.client.Do(req)
	if err != nil {
		return job{}, err
	}
	defer resp.Body.Close()
	var j job
	return j, json.NewDecoder(resp.Body).Decode(&j)
}

// until polls the jobs until ok holds for all of them; it returns when.
func (h *harness) until(what string, limit time.Duration, ids []int64, ok func(job) bool) time.Time {
	h.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		all := true
		var seen []job
		for _, id := range ids {
			j, err := h.job(id)
			seen = append(seen, j)
			all = all && err == nil && ok(j)
		}
		if all {
			return time.Now()
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%s: not within %v; jobs %+v\n%s", what, limit, seen, h.logs[len(h.logs)-1].String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// otherJob waits for the tenant's job that is not known and returns its id.
func (h *harness) otherJob(known int64) int64 {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest("GET", h.base+"/api/v1/imports", nil)
		req.Header.Set("Authorization", "Bearer "+h.key)
		if resp, err := h.client.Do(req); err == nil {
			var list struct{ Data []job }
			json.NewDecoder(resp.Body).Decode(&list)
			resp.Body.Close()
			for _, j := range list.Data {
				if j.ID != known {
					return j.ID
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.t.Fatal("the sync upload made no job")
	return 0
}

// upload posts a CSV as multipart with the given extra fields and returns
// the job (for sync, after the job ends or the server dies).
func (h *harness) upload(csv []byte, fields ...string) (job, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	fw, _ := mw.CreateFormFile("file", "contacts.csv")
	fw.Write(csv)
	mw.Close()
	req, _ := http.NewRequest("POST", h.base+"/api/v1/imports", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+h.key)
	resp, err := h.client.Do(req)
	if err != nil {
		return job{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 {
		return job{}, fmt.Errorf("upload: %d %s", resp.StatusCode, body)
	}
	var j job
	return j, json.Unmarshal(body, &j)
}

// crashCSV makes a file of n rows under prefix: every 50th row repeats an
// earlier email (a duplicate, skipped), every 97th has an invalid one.
func crashCSV(prefix string, n int) (csv []byte, distinct, dups, invalid int) {
	var b bytes.Buffer
	b.WriteString("email,first_name,city\n")
	for i := range n {
		email := fmt.Sprintf("%s.%d@example.com", prefix, i)
		switch {
		case i > 0 && i%50 == 0:
			src := i - 7
			if src%97 == 5 {
				src-- // repeat a valid row
			}
			email = fmt.Sprintf("%s.%d@example.com", prefix, src)
			dups++
		case i%97 == 5:
			email = "not-an-email-" + strconv.Itoa(i)
			invalid++
		default:
			distinct++
		}
		fmt.Fprintf(&b, "%s,Name %d,City %d\n", email, i, i%13)
	}
	return b.Bytes(), distinct, dups, invalid
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func crashRun(t *testing.T, dbURL string, rows int) {
	bin := intakeBinary(t)
	addr := freeAddr(t)
	chunk := max(50, rows/60)
	h := &harness{t: t, bin: bin, base: "http://" + addr, client: &http.Client{Timeout: 2 * time.Minute},
		args: []string{"serve", "--addr", addr, "--database-url", dbURL, "--upload-dir", t.TempDir(),
			"--chunk-size", strconv.Itoa(chunk), "--workers", "2"}}
	out, err := exec.Command(bin, "keys", "create", "--database-url", dbURL, "--tenant", "acme", "--scopes", "contacts").Output()
	if err != nil {
		t.Fatalf("keys create: %v", err)
	}
	h.key = strings.TrimSpace(string(out))

	csvA, distinctA, dupsA, invalidA := crashCSV("a", rows)
	csvB, distinctB, dupsB, invalidB := crashCSV("b", rows)
	srv := h.start()

	a, err := h.upload(csvA)
	if err != nil {
		t.Fatal(err)
	}
	// B is sync: its request waits for the job, and dies with the server.
	syncDone := make(chan error, 1)
	go func() { _, err := h.upload(csvB, "upload_mode", "sync"); syncDone <- err }()
	b := h.otherJob(a.ID)
	ids := []int64{a.ID, b}
	h.until("both jobs are mid-import", 60*time.Second, ids, func(j job) bool { return j.ProcessedRows > 0 })
	srv.cmd.Process.Signal(syscall.SIGKILL)
	srv.cmd.Wait()
	if err := <-syncDone; err == nil {
		t.Log("the sync request answered before the kill")
	}

	// Restart and measure the time to resume: until each job that had not
	// ended makes progress (or ends).
	killed := map[int64]job{}
	restart := time.Now()
	srv = h.start()
	ready := time.Since(restart)
	for _, id := range ids {
		j, _ := h.job(id)
		killed[id] = j
	}
	resumed := h.until("resumed after kill -9", 60*time.Second, ids, func(j job) bool {
		k := killed[j.ID]
		return j.Status == "completed" || (k.Status != "completed" && j.ProcessedRows > k.ProcessedRows)
	})
	resume := resumed.Sub(restart)
	t.Logf("%d rows a file, chunk %d: killed at %d and %d rows; restart → ready %v, → both imports moving again %v",
		rows, chunk, killed[a.ID].ProcessedRows, killed[b].ProcessedRows, ready.Round(time.Millisecond), resume.Round(time.Millisecond))
	if resume > 15*time.Second {
		t.Errorf("resuming took %v after the restart; want seconds (not --rescue-after)", resume)
	}

	// SIGTERM mid-import: the chunk in flight commits, the process exits
	// well within the grace, and the jobs pause at a checkpoint.
	if j, _ := h.job(a.ID); j.Status != "completed" {
		srv.cmd.Process.Signal(syscall.SIGTERM)
		stopAt := time.Now()
		if err := srv.cmd.Wait(); err != nil {
			t.Fatalf("SIGTERM: exit %v\n%s", err, srv.log.String())
		}
		t.Logf("SIGTERM → exited in %v", time.Since(stopAt).Round(time.Millisecond))
		if log := srv.log.String(); strings.Contains(log, "context canceled") || !strings.Contains(log, "import paused for shutdown") {
			t.Errorf("a graceful stop did not let the chunks in flight commit:\n%s", log)
		}
		srv = h.start()
	}
	h.until("completed", 5*time.Minute, ids, func(j job) bool { return j.Status == "completed" })
	for _, c := range []struct {
		id                      int64
		distinct, dups, invalid int
	}{{a.ID, distinctA, dupsA, invalidA}, {b, distinctB, dupsB, invalidB}} {
		j, _ := h.job(c.id)
		if j.ProcessedRows != rows || j.TotalRows != rows || j.Created != c.distinct || j.Updated != 0 ||
			j.Skipped != c.dups || j.FailedRows != c.invalid {
			t.Errorf("job %d: %+v; want %d rows, %d created, 0 updated, %d skipped, %d failed",
				c.id, j, rows, c.distinct, c.dups, c.invalid)
		}
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if err := srv.cmd.Wait(); err != nil {
		t.Fatalf("final SIGTERM: %v", err)
	}
	// No contact was written twice: the store holds exactly the distinct emails.
	be, err := openBackend(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer be.store.Close()
	tn, _ := be.store.EnsureTenant(context.Background(), "acme")
	n, after := 0, int64(0)
	emails := map[string]bool{}
	for {
		cs, err := be.store.ListContacts(context.Background(), tn.ID, store.ContactFilter{After: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) == 0 {
			break
		}
		for _, c := range cs {
			if emails[c.Email] {
				t.Errorf("email %s stored twice", c.Email)
			}
			emails[c.Email] = true
		}
		n += len(cs)
		after = cs[len(cs)-1].ID
	}
	if n != distinctA+distinctB {
		t.Errorf("%d contacts stored, want %d", n, distinctA+distinctB)
	}
}
