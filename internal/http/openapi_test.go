package http

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestOpenAPIGolden pins the published API contract: a change to a route,
// a field or a documented status shows up as a diff of
// testdata/openapi.golden.json (regenerate with -update and review it).
func TestOpenAPIGolden(t *testing.T) {
	s := NewServer(Config{})
	got, err := json.MarshalIndent(s.API().OpenAPI(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "openapi.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/http -update)", err)
	}
	if string(got) != string(want) {
		t.Fatalf("the OpenAPI document changed; review it and run go test ./internal/http -update")
	}
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	json.Unmarshal(got, &doc)
	for path, method := range map[string]string{
		"/api/v1/bulk-import/contacts":      "post",
		"/api/v1/contacts":                  "get",
		"/api/v1/contacts/{id}":             "get",
		"/api/v1/imports":                   "post",
		"/api/v1/imports/{id}":              "patch",
		"/api/v1/imports/{id}/start":        "post",
		"/api/v1/imports/{id}/cancel":       "post",
		"/api/v1/imports/{id}/errors":       "get",
		"/api/v1/imports/{id}/errors.csv":   "get",
		"/api/v1/events":                    "post",
		"/api/v1/events/{key}":              "delete",
		"/api/v1/events/{key}/participants": "get",
		"/api/v1/bulk-import/participants":  "post",
	} {
		if _, ok := doc.Paths[path][method]; !ok {
			t.Errorf("the document lacks %s %s", method, path)
		}
	}
}
