package importer_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
	"github.com/intake/intake/internal/dialect/native"
	"github.com/intake/intake/internal/importer"
)

// FuzzMapping feeds the option strings a request maps its columns with
// (mapping and column_mapping JSON, match_fields lists, TextUs headers, a
// resource) through the native dialect's parser and the mapping resolver,
// against a header row. Any input must give either a precise *intake.Error
// or a mapping of the file's own headers to real fields, quickly.
func FuzzMapping(f *testing.F) {
	f.Add(`{"E-mail":"email","Naam":"name","Tel":"ignore"}`, "email,customer_number", "", "", "E-mail,Naam,Tel,Lidnummer")
	f.Add(`{"email":"Mail"}`, `["email"]`, "", "column_mapping", "Mail,Name")
	f.Add("", "phone", "phone,first_name,ignore", "", "Mobiel,Voornaam,x")
	f.Add(`{"Group":"name","Where":"location"}`, "", "", "groups", "Group,Where,Kids")
	f.Add(`{"Status":"status","Email":"e-mail"}`, "email", "", "participants", "Email,Status")
	f.Add(`{"A":"custom.x","B":"custom.x"}`, "custom.x", "", "", "A,B,A")
	f.Add(`{"a":"email"`, `["email",`, "null", "", ",,")
	f.Fuzz(func(t *testing.T, mapping, match, positional, shape, headerRow string) {
		stop := time.AfterFunc(10*time.Second, func() {
			panic(fmt.Sprintf("mapping takes more than 10s: %q %q %q %q %q", mapping, match, positional, shape, headerRow))
		})
		defer stop.Stop()
		p := dialect.Params{}
		key := "mapping"
		if shape == "column_mapping" {
			key = "column_mapping"
		} else if shape != "" {
			p.Add("resource", shape)
		}
		if mapping != "" {
			p.Add(key, mapping)
		}
		if match != "" {
			p.Add("match_fields", match)
		}
		if positional != "" {
			p.Add("headers", positional)
		}
		tr, err := native.Create(dialect.Request{Params: p, HasFile: true})
		req := tr.ImportRequest
		if err != nil {
			var e *intake.Error
			if !errors.As(err, &e) || len(e.Fields) == 0 {
				t.Fatalf("Create: %T %v, want an *intake.Error naming the fields", err, err)
			}
			return
		}
		headers := strings.Split(headerRow, ",")
		got, problems, warnings := importer.ResolveMappingFor(req.Spec.Resource, nil, headers, req.Columns)
		for h, field := range got {
			if !slices.Contains(headers, h) {
				t.Fatalf("mapped %q, not a header of %q", h, headers)
			}
			if field == "" {
				continue
			}
			if back, ok := importer.TargetFor(req.Spec.Resource, nil, field); !ok || back != field {
				t.Fatalf("column %q maps to %q, which is not a %s field", h, field, req.Spec.Resource)
			}
		}
		if len(warnings) > len(headers) {
			t.Fatalf("%d warnings for %d headers", len(warnings), len(headers))
		}
		for _, pr := range problems {
			if pr.Field == "" || pr.Message == "" {
				t.Fatalf("problem without field or message: %+v", pr)
			}
		}
	})
}
