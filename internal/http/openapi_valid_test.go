package http

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// TestOpenAPIValid checks the published document against the OpenAPI 3.1
// schema (libopenapi-validator) and against the rules a schema cannot
// state: every {param} of a path is declared, every write has a request
// body, every answer with a body has a schema.
func TestOpenAPIValid(t *testing.T) {
	raw, err := json.Marshal(NewServer(Config{}).API().OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := libopenapi.NewDocument(raw)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("%s: %s", e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("  %s at %s", se.Reason, se.KeywordLocation)
			}
		}
	}
	for _, problem := range semanticProblems(t, raw) {
		t.Error(problem)
	}
}

type openAPIOp struct {
	OperationID string `json:"operationId"`
	Parameters  []struct {
		Name string `json:"name"`
		In   string `json:"in"`
	} `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema map[string]any `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Content map[string]struct {
			Schema   map[string]any `json:"schema"`
			Example  any            `json:"example"`
			Examples map[string]any `json:"examples"`
		} `json:"content"`
	} `json:"responses"`
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// semanticProblems lists what a JSON schema cannot catch.
func semanticProblems(t *testing.T, raw []byte) []string {
	var doc struct {
		Paths map[string]map[string]openAPIOp `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			where := fmt.Sprintf("%s %s (%s)", strings.ToUpper(method), path, op.OperationID)
			for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
				if !slices.ContainsFunc(op.Parameters, func(p struct {
					Name string `json:"name"`
					In   string `json:"in"`
				}) bool {
					return p.In == "path" && p.Name == m[1]
				}) {
					out = append(out, where+": path parameter {"+m[1]+"} is not declared")
				}
			}
			write := method == "post" || method == "put" || method == "patch"
			if write && op.RequestBody == nil && !bodiless[op.OperationID] {
				out = append(out, where+": no request body")
			}
			if op.RequestBody != nil {
				for ct, mt := range op.RequestBody.Content {
					if mt.Schema == nil {
						out = append(out, where+": request "+ct+" has no schema")
					}
				}
			}
			ok := false
			for code, r := range op.Responses {
				if code[0] != '2' {
					continue
				}
				ok = true
				for ct, mt := range r.Content {
					if mt.Schema == nil {
						out = append(out, where+": response "+code+" "+ct+" has no schema")
					}
				}
				if code != "204" && len(r.Content) == 0 {
					out = append(out, where+": response "+code+" has no content")
				}
			}
			if !ok {
				out = append(out, where+": no success response")
			}
		}
	}
	slices.Sort(out)
	return out
}

// bodiless are the writes that take no body: actions on a resource.
var bodiless = map[string]bool{
	"start-import": true, "cancel-import": true, "plannr-start-import": true,
	"rebuild-selection": true, "rotate-webhook-secret": true,
}
