package http_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"reflect"
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

// multipartBody builds a multipart form: fields in order (a key may
// repeat), then a file part when name is not "".
func multipartBody(t *testing.T, fields [][2]string, name string, content []byte) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		w.WriteField(f[0], f[1])
	}
	if name != "" {
		fw, err := w.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(content)
	}
	w.Close()
	return &buf, w.FormDataContentType()
}

// jsonEqual compares an answer to the JSON expected, exactly.
func jsonEqual(t *testing.T, what, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("%s: the answer is not JSON: %q", what, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: the expectation is not JSON: %v", what, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, strings.TrimSpace(got), want)
	}
}

// keysOf lists an object's keys, sorted.
func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}

func sortStrings(xs []string) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}

// people lists the tenant's contacts as "email name [groups]", sorted.
func (c client) people() []string {
	c.t.Helper()
	_, page, raw := c.do("GET", "/api/v1/contacts?limit=1000", nil)
	data, ok := page["data"].([]any)
	if !ok {
		c.t.Fatalf("contacts: %s", raw)
	}
	var out []string
	for _, x := range data {
		m := x.(map[string]any)
		out = append(out, fmt.Sprintf("%v %v %v", orEmpty(m["email"]), m["name"], m["groups"]))
	}
	sortStrings(out)
	return out
}
