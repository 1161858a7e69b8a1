package http

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestWebPagesOffline checks the embedded pages are served and reach for
// nothing outside this server: the importer and /docs work offline.
func TestWebPagesOffline(t *testing.T) {
	ts := httptest.NewServer(NewServer(Config{}).Handler())
	defer ts.Close()
	for _, tc := range []struct {
		path, contains string
		min            int
	}{
		{"/", `<label for="api-key">API key</label>`, 0},
		{"/ui/app.js", "/api/v1/me", 0},
		{"/ui/importer.js", "Start", 0},
		{"/ui/app.css", "max-width", 0},
		{"/docs", `apiDescriptionUrl="/openapi.json"`, 0},
		{"/docs/web-components.min.js", "", 1 << 20},
		{"/docs/styles.min.css", "", 100 << 10},
	} {
		res, err := http.Get(ts.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), tc.contains) || len(body) < tc.min {
			t.Errorf("GET %s: %d, %d bytes", tc.path, res.StatusCode, len(body))
		}
		if strings.HasSuffix(tc.path, ".js") || strings.HasSuffix(tc.path, ".css") {
			continue // the vendored bundle names URLs it never loads; the page's CSP allows only 'self'
		}
		if strings.Contains(string(body), "https://") || strings.Contains(string(body), "http://") {
			t.Errorf("GET %s links outside the server", tc.path)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("GET %s: CSP %q", tc.path, csp)
		}
	}
}
