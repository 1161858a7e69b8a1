// Package apitest is the HTTP client end-to-end tests speak to Intake's API
// with: a request with a key, a JSON or multipart body, and the answer
// decoded. It is imported only by tests (cmd/intake boots the program,
// internal/http an httptest server); each keeps its own small client type
// and hands the work to these functions, so the two suites share one copy.
package apitest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// Send makes one request to base+path with key as a Bearer token ("" for
// none) and decodes a JSON answer: the status, the body as a map (nil when
// it is not a JSON object) and the raw body.
func Send(t testing.TB, base, key, method, path, contentType string, body io.Reader) (int, map[string]any, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(raw, &m)
	return resp.StatusCode, m, string(raw)
}

// JSON is a request body: nil for none, a string as it is (to send
// malformed JSON), anything else encoded as JSON.
func JSON(t testing.TB, body any) io.Reader {
	t.Helper()
	switch b := body.(type) {
	case nil:
		return nil
	case string:
		return strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		return bytes.NewReader(buf)
	}
}

// Upload is a multipart import body: the fields, then a file part named
// name when content is not nil. It returns the body and its content type.
func Upload(name string, content []byte, fields map[string]string) (io.Reader, string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if content != nil {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(content)
	}
	mw.Close()
	return &body, mw.FormDataContentType()
}

// Reply is one answer as a dialect's client sees it.
type Reply struct {
	Status int
	Header http.Header
	Raw    string
	Body   map[string]any
}

// Call sends one request exactly as given: the dialect tests set their own
// credentials (Bearer, PX-API-KEY, ?access_token=) and content types.
func Call(t testing.TB, method, url string, headers map[string]string, body io.Reader) Reply {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := Reply{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	json.Unmarshal(raw, &r.Body)
	return r
}

// Num is m[k] as an int (JSON numbers decode as float64); 0 when absent.
func Num(m map[string]any, k string) int {
	f, _ := m[k].(float64)
	return int(f)
}
