package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/intake/intake/internal/apitest"
	"github.com/intake/intake/internal/testdb"
)

// testBackend is a database URL factory: SQLite always, PostgreSQL when configured.
type testBackend struct {
	name string
	url  func(t *testing.T) string
}

func backends(t *testing.T) []testBackend {
	bs := []testBackend{{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "intake.db") }}}
	if testdb.PostgresURL(t) != "" {
		bs = append(bs, testBackend{"postgres", func(t *testing.T) string { return testdb.PostgresSchemaURL(t) }})
	}
	return bs
}

// run runs one intake command to completion and returns its stdout.
func run(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	m := NewMain(&out, &errb)
	if err := m.ParseFlags(args); err != nil {
		t.Fatalf("intake %v: %v\n%s", args, err, errb.String())
	}
	err := m.Run(context.Background())
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("intake %v: %v\n%s", args, err, errb.String())
	}
	return out.String()
}

func newKey(t *testing.T, dbURL, tenant, scopes string) string {
	t.Helper()
	out := run(t, "keys", "create", "--database-url", dbURL, "--tenant", tenant, "--scopes", scopes)
	key := strings.TrimSpace(out)
	if !strings.HasPrefix(key, "ik_") || strings.Contains(key, "\n") {
		t.Fatalf("keys create printed %q, want the key alone", out)
	}
	return key
}

// client speaks JSON to the server with one key.
type client struct {
	t    *testing.T
	base string
	key  string
}

func (c client) do(method, path string, body any) (int, map[string]any, string) {
	c.t.Helper()
	return c.send(method, path, "application/json", apitest.JSON(c.t, body))
}

// send makes one request with the client's key and decodes a JSON answer.
func (c client) send(method, path, contentType string, body io.Reader) (int, map[string]any, string) {
	c.t.Helper()
	return apitest.Send(c.t, c.base, c.key, method, path, contentType, body)
}

func num(m map[string]any, k string) int { return apitest.Num(m, k) }

// serve boots `intake serve` on a free port and returns its base URL.
func serve(t *testing.T, dbURL string, extra ...string) string {
	t.Helper()
	var errb bytes.Buffer
	m := NewMain(io.Discard, &errb)
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--database-url", dbURL, "--upload-dir", t.TempDir()}, extra...)
	if err := m.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v\n%s", err, errb.String())
		}
		m.Close()
	})
	select {
	case <-m.ready:
	case err := <-done:
		t.Fatalf("serve exited: %v\n%s", err, errb.String())
	}
	return m.URL()
}

func (c client) get(path string) (int, string) {
	c.t.Helper()
	st, _, raw := c.send("GET", path, "", nil)
	return st, raw
}
