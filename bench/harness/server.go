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
	"time"
)

// server is one `intake serve` under test, on a free loopback port.
type server struct {
	cmd  *exec.Cmd
	base string
	key  string
	pid  int
}

func startServer(ctx context.Context, c config, dir, dsn string) (*server, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("server folder: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(), "INTAKE_DATABASE_URL="+dsn, "INTAKE_UPLOAD_DIR="+filepath.Join(dir, "uploads"),
		"INTAKE_LOG_LEVEL=warn", "INTAKE_MAX_UPLOAD_BYTES=68719476736")
	keys := exec.CommandContext(ctx, c.bin, "keys", "create", "--tenant", "bench", "--scopes", "contacts,imports")
	keys.Env, keys.Dir = env, dir
	var stderr strings.Builder
	keys.Stderr = &stderr
	key, err := keys.Output()
	if err != nil {
		return nil, fmt.Errorf("intake keys create: %w: %s", err, stderr.String())
	}
	log, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		return nil, fmt.Errorf("serve log: %w", err)
	}
	cmd := exec.Command(c.bin, "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port))
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = env, dir, log, log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("intake serve: %w", err)
	}
	s := &server{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port), key: strings.TrimSpace(string(key)), pid: cmd.Process.Pid}
	return s, s.waitReady(ctx)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *server) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("intake serve at %s not ready after 30s", s.base)
}

// stop ends the server it started (by its pid) and waits for it.
func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// resetPeak zeroes the process's VmHWM (Linux clear_refs 5), so each phase
// reports its own peak.
func (s *server) resetPeak() {
	os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", s.pid), []byte("5"), 0)
}

// peakRSS is the process's VmHWM in MiB since the last resetPeak.
func (s *server) peakRSS() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

func (s *server) do(req *http.Request, into any) error {
	req.Header.Set("Authorization", "Bearer "+s.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %.500s", req.Method, req.URL.Path, resp.Status, body)
	}
	if into == nil {
		return nil
	}
	return json.Unmarshal(body, into)
}

// setUndo turns undo recording on or off: the tenant's settings are read
// and written back whole, as PUT replaces them.
func (s *server) setUndo(ctx context.Context, disabled bool) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/api/v1/settings", nil)
	if err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	set := map[string]any{}
	if err := s.do(req, &set); err != nil {
		return err
	}
	delete(set, "$schema")
	set["undo_disabled"] = disabled
	body, _ := json.Marshal(set)
	req, err = http.NewRequestWithContext(ctx, http.MethodPut, s.base+"/api/v1/settings", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	return s.do(req, nil)
}

// job is the part of an import job the harness reads.
type job struct {
	ID         int64  `json:"id"`
	Status     string `json:"status"`
	Created    int    `json:"created"`
	Updated    int    `json:"updated"`
	Skipped    int    `json:"skipped"`
	FailedRows int    `json:"failed_rows"`
	Error      string `json:"error"`
}

// importFile uploads path as multipart (streamed, as curl -F does) and
// polls the job until it ends.
func (s *server) importFile(ctx context.Context, path string) (job, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() { pw.CloseWithError(writeForm(mw, path)) }()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/api/v1/imports", pr)
	if err != nil {
		return job{}, fmt.Errorf("upload: %w", err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var j job
	if err := s.do(req, &j); err != nil {
		return j, err
	}
	return s.wait(ctx, j.ID)
}

func writeForm(mw *multipart.Writer, path string) error {
	for k, v := range map[string]string{"mode": "upsert", "duplicates": "use_last"} {
		if err := mw.WriteField(k, v); err != nil {
			return err
		}
	}
	part, err := mw.CreateFormFile("file", filepath.Base(path))
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(part, f); err != nil {
		return err
	}
	return mw.Close()
}

func (s *server) wait(ctx context.Context, id int64) (job, error) {
	var j job
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/api/v1/imports/%d", s.base, id), nil)
		if err != nil {
			return j, fmt.Errorf("poll: %w", err)
		}
		if err := s.do(req, &j); err != nil {
			return j, err
		}
		switch j.Status {
		case "completed":
			return j, nil
		case "failed", "cancelled", "awaiting_mapping":
			return j, fmt.Errorf("import %d ended %s: %s", id, j.Status, j.Error)
		}
		select {
		case <-ctx.Done():
			return j, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
