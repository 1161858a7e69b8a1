package http_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"gocloud.dev/blob/fileblob"

	"github.com/intake/intake"
	intakehttp "github.com/intake/intake/internal/http"
	"github.com/intake/intake/internal/imports"
	"github.com/intake/intake/internal/testdb"
)

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestCredentialStyles sends one key in every style a seed dialect uses,
// through a real listener, to a huma route and to the plain upload route,
// and checks that none of them ends up in the request log.
func TestCredentialStyles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testdb.OpenSQLite(t)
	bucket, err := fileblob.OpenBucket(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bucket.Close()
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := intakehttp.NewServer(intakehttp.Config{Store: st, Imports: imports.New(st, bucket, "NL", 0), Logger: logger})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	tenant, err := st.EnsureTenant(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	key, hash := intake.NewAPIKey()
	if err := st.CreateAPIKey(ctx, tenant.ID, hash, []string{intake.ScopeContacts}); err != nil {
		t.Fatal(err)
	}
	other, otherHash := intake.NewAPIKey()
	if err := st.CreateAPIKey(ctx, tenant.ID, otherHash, []string{intake.ScopeContacts}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		query   string
		headers map[string]string
		want    int
	}{
		{"bearer", "", map[string]string{"Authorization": "Bearer " + key}, 200},
		{"bearer scheme in lower case", "", map[string]string{"Authorization": "bearer " + key}, 200},
		{"PackageX header", "", map[string]string{"PX-API-KEY": key}, 200},
		{"PackageX header in lower case", "", map[string]string{"px-api-key": key}, 200},
		{"Copernica access_token", "access_token=" + key, nil, 200},
		{"the same key twice", "access_token=" + key, map[string]string{"Authorization": "Bearer " + key}, 200},
		{"two different keys", "access_token=" + other, map[string]string{"PX-API-KEY": key}, 401},
		{"no key", "", nil, 401},
		{"a wrong access_token", "access_token=ik_nope", nil, 401},
		{"basic auth is no bearer", "", map[string]string{"Authorization": "Basic " + key}, 401},
	}
	for _, tt := range tests {
		for _, path := range []string{"/api/v1/contacts", "/api/v1/imports"} {
			method := http.MethodGet
			if path == "/api/v1/imports" {
				method = http.MethodPost // the plain upload handler
			}
			req, _ := http.NewRequest(method, ts.URL+path+"?"+tt.query, strings.NewReader(`{"source":"email\na@example.com\n","autostart":false}`))
			req.Header.Set("Content-Type", "application/json")
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var body bytes.Buffer
			body.ReadFrom(resp.Body)
			resp.Body.Close()
			got := resp.StatusCode
			if got == http.StatusCreated {
				got = 200
			}
			if got != tt.want {
				t.Errorf("%s %s: %d, want %d: %s", tt.name, path, resp.StatusCode, tt.want, body.String())
			}
		}
	}
	if logs.String() == "" {
		t.Fatal("nothing was logged: the check below would prove nothing")
	}
	for _, k := range []string{key, other} {
		if strings.Contains(logs.String(), k) {
			t.Errorf("the request log holds an API key:\n%s", logs.String())
		}
	}
}
