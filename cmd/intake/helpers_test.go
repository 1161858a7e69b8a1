package main

// Helpers the webhook tests share in spirit with the dialect tests of
// internal/http (the end-to-end suite moved there; these tests boot main's
// serve with flags, so they stay here).

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/intake/intake/internal/apitest"
)

// reply is one answer of the server as a dialect's client sees it.
type reply struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

// call sends one request exactly as given (apitest.Call).
func call(t *testing.T, method, url string, headers map[string]string, body io.Reader) reply {
	t.Helper()
	r := apitest.Call(t, method, url, headers, body)
	return reply{status: r.Status, header: r.Header, raw: r.Raw, body: r.Body}
}

// copernicaSource is the Copernica seed's source: a JSON array as a string.
const copernicaSource = `[
		{ "Email": "support@copernica.com", "Contactpersoon": "Jeroen" },
		{ "Email": "info@copernica.com", "Contactpersoon": "Danny" }
	]`

// waitCopernica polls GET /v3/import/{id} until the import ends.
func waitCopernica(t *testing.T, base, key string, id int) reply {
	t.Helper()
	var r reply
	waitFor(t, fmt.Sprintf("copernica import %d", id), func() bool {
		r = call(t, "GET", fmt.Sprintf("%s/v3/import/%d?access_token=%s", base, id, key), nil, nil)
		if r.status != 200 {
			t.Fatalf("GET /v3/import/%d: %d %s", id, r.status, r.raw)
		}
		switch r.body["status"] {
		case "finished", "failed", "cancelled", "waiting":
			return true
		}
		return false
	})
	return r
}

func jsonString(s string) string {
	b := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`).Replace(s)
	return `"` + b + `"`
}

func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}
