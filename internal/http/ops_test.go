package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob/fileblob"

	"github.com/intake/intake"
	intakehttp "github.com/intake/intake/internal/http"
	"github.com/intake/intake/internal/imports"
	"github.com/intake/intake/internal/metrics"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/testdb"
)

type opsBundle struct {
	st     store.Store
	url    string
	tenant intake.Tenant
	key    string
	admin  string
}

func opsSetup(t *testing.T) *opsBundle {
	t.Helper()
	ctx := context.Background()
	st := testdb.OpenSQLite(t)
	bucket, err := fileblob.OpenBucket(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bucket.Close() })
	srv := intakehttp.NewServer(intakehttp.Config{Store: st, Imports: imports.New(st, bucket, "NL", 0),
		ProcessID: "test-process", Metrics: metrics.New(st, nil)})
	// The process is alive: its in-flight idempotency keys are its own.
	if err := st.BeatWorker(ctx, "test-process", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	b := &opsBundle{st: st, url: ts.URL}
	if b.tenant, err = st.EnsureTenant(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	b.key = newTestKey(t, st, b.tenant.ID, "contacts")
	b.admin = newTestKey(t, st, b.tenant.ID, "admin")
	return b
}

func newTestKey(t *testing.T, st store.Store, tenant int64, scopes ...string) string {
	t.Helper()
	key, hash := intake.NewAPIKey()
	if err := st.CreateAPIKey(context.Background(), tenant, hash, scopes); err != nil {
		t.Fatal(err)
	}
	return key
}

// do sends a request and returns status, headers and body.
func (b *opsBundle) do(t *testing.T, method, path, key, ctype string, body []byte, hdr ...string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, b.url+path, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(out)
}

// TestIdempotencyKey checks a retried create: the same key and body answer
// the first response and write nothing; another body is 422; a retry while
// the first runs is 409; a multipart upload sent again with a new boundary
// is the same request; keys are per tenant.
func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := opsSetup(t)
	body := []byte(`{"records":[{"email":"ann@example.com"}]}`)
	st1, _, first := b.do(t, "POST", "/api/v1/bulk-import/contacts", b.key, "application/json", body, "Idempotency-Key", "k-1")
	st2, h2, again := b.do(t, "POST", "/api/v1/bulk-import/contacts", b.key, "application/json", body, "Idempotency-Key", "k-1")
	if st1 != 200 || st2 != 200 || first != again || h2.Get("Idempotent-Replayed") != "true" || !strings.Contains(first, `"created":1`) {
		t.Fatalf("retry: %d %s / %d %s %v", st1, first, st2, again, h2)
	}
	// Without the key the same body runs again (and finds ann).
	if _, _, out := b.do(t, "POST", "/api/v1/bulk-import/contacts", b.key, "application/json", body); !strings.Contains(out, `"created":0`) {
		t.Fatalf("without a key: %s", out)
	}
	st, _, out := b.do(t, "POST", "/api/v1/bulk-import/contacts", b.key, "application/json",
		[]byte(`{"records":[{"email":"bob@example.com"}]}`), "Idempotency-Key", "k-1")
	if st != 422 || !strings.Contains(out, "Idempotency-Key was already used") {
		t.Fatalf("another body: %d %s", st, out)
	}
	if cs, _ := b.st.ListContacts(ctx, b.tenant.ID, store.ContactFilter{Limit: 10}); len(cs) != 1 {
		t.Fatalf("%d contacts, want 1: the 422 wrote", len(cs))
	}
	// The same key on another route is another request.
	if st, _, _ := b.do(t, "POST", "/api/v1/contacts", b.key, "application/json", body, "Idempotency-Key", "k-1"); st != 422 {
		t.Fatalf("same key, other route: %d, want 422", st)
	}
	// Another tenant's key of the same name is its own.
	other, _ := b.st.EnsureTenant(ctx, "globex")
	okey := newTestKey(t, b.st, other.ID, "contacts")
	if _, h, out := b.do(t, "POST", "/api/v1/bulk-import/contacts", okey, "application/json", body, "Idempotency-Key", "k-1"); h.Get("Idempotent-Replayed") != "" || !strings.Contains(out, `"created":1`) {
		t.Fatalf("other tenant: %s", out)
	}
	// A request in flight (reserved by a live process) makes a retry wait.
	now := time.Now()
	if _, ok, err := b.st.ReserveIdempotencyKey(ctx, store.IdempotencyReservation{TenantID: b.tenant.ID, Key: "k-busy", Token: "t",
		Owner: "test-process", Now: now, ExpiresAt: now.Add(time.Hour), LiveSince: now.Add(-time.Minute)}); !ok || err != nil {
		t.Fatal("reserve", err)
	}
	if st, h, out := b.do(t, "POST", "/api/v1/contacts", b.key, "application/json", body, "Idempotency-Key", "k-busy"); st != 409 || h.Get("Retry-After") == "" {
		t.Fatalf("in flight: %d %s", st, out)
	}

	// A multipart upload sent twice, as curl does, with two boundaries.
	upload := func() (string, []byte) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf) // a random boundary each time
		mw.WriteField("autostart", "false")
		fw, _ := mw.CreateFormFile("file", "c.csv")
		fw.Write([]byte("email,first_name\nann@example.com,Ann\n"))
		mw.Close()
		return mw.FormDataContentType(), buf.Bytes()
	}
	ct1, b1 := upload()
	ct2, b2 := upload()
	if ct1 == ct2 {
		t.Fatal("same boundary twice")
	}
	s1, _, j1 := b.do(t, "POST", "/api/v1/imports", b.key, ct1, b1, "Idempotency-Key", "up-1")
	s2, h, j2 := b.do(t, "POST", "/api/v1/imports", b.key, ct2, b2, "Idempotency-Key", "up-1")
	if s1 != 201 || s2 != 201 || j1 != j2 || h.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("upload retry: %d %s / %d %s", s1, j1, s2, j2)
	}
	// Bulk calls run as jobs of their own (format "bulk"); the upload's are the rest.
	ims, _ := b.st.ListImports(ctx, b.tenant.ID, 0, 100)
	uploads := 0
	for _, im := range ims {
		if im.Format != imports.BulkFormat {
			uploads++
		}
	}
	if uploads != 1 {
		t.Fatalf("%d upload jobs after a retried upload, want 1 (%d jobs in all)", uploads, len(ims))
	}
	if st, _, _ := b.do(t, "POST", "/api/v1/contacts", b.key, "application/json", body, "Idempotency-Key", strings.Repeat("x", 256)); st != 422 {
		t.Fatalf("a 256-character key: %d, want 422", st)
	}
}

// TestKeyManagement lists keys without secrets and revokes one: it stops
// at once, on the next request.
func TestKeyManagement(t *testing.T) {
	t.Parallel()
	b := opsSetup(t)
	st, _, out := b.do(t, "GET", "/api/v1/keys", b.admin, "", nil)
	var list struct{ Data []intake.APIKey }
	if err := json.Unmarshal([]byte(out), &list); err != nil || st != 200 || len(list.Data) != 2 {
		t.Fatalf("list: %d %s", st, out)
	}
	if strings.Contains(out, "ik_") || strings.Contains(out, "hash") {
		t.Fatalf("the list shows a secret: %s", out)
	}
	if st, _, _ := b.do(t, "GET", "/api/v1/contacts", b.key, "", nil); st != 200 {
		t.Fatalf("before revoke: %d", st)
	}
	contactsKey := list.Data[0].ID
	if st, _, out := b.do(t, "DELETE", "/api/v1/keys/"+itoa(contactsKey), b.admin, "", nil); st != 204 {
		t.Fatalf("revoke: %d %s", st, out)
	}
	if st, _, _ := b.do(t, "GET", "/api/v1/contacts", b.key, "", nil); st != 401 {
		t.Fatalf("a revoked key: %d, want 401 at once", st)
	}
	// Another tenant's admin cannot see or revoke acme's keys.
	other, _ := b.st.EnsureTenant(context.Background(), "globex")
	oadmin := newTestKey(t, b.st, other.ID, "admin")
	if st, _, _ := b.do(t, "DELETE", "/api/v1/keys/"+itoa(list.Data[1].ID), oadmin, "", nil); st != 404 {
		t.Fatalf("cross-tenant revoke: %d, want 404", st)
	}
	if _, _, out := b.do(t, "GET", "/api/v1/keys", oadmin, "", nil); strings.Contains(out, `"acme"`) {
		t.Fatalf("globex sees acme's keys: %s", out)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestReadyAndMetrics checks /readyz and that /metrics has request latency
// by route pattern and job counts by status.
func TestReadyAndMetrics(t *testing.T) {
	t.Parallel()
	b := opsSetup(t)
	if st, _, out := b.do(t, "GET", "/readyz", "", "", nil); st != 200 || out != "ready\n" {
		t.Fatalf("readyz: %d %q", st, out)
	}
	b.do(t, "GET", "/api/v1/imports/7", b.key, "", nil)
	st, h, out := b.do(t, "GET", "/metrics", "", "", nil)
	if st != 200 || h.Get("X-Request-Id") == "" {
		t.Fatalf("metrics: %d %v", st, h)
	}
	for _, want := range []string{
		`intake_http_request_duration_seconds_count{method="GET",route="GET /api/v1/imports/{id}",status="404"} 1`,
		`intake_import_jobs{status="queued"} 0`,
		`intake_import_queue_depth 0`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
