package plannr

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
)

func params(kv ...string) dialect.Params {
	var out dialect.Params
	for i := 0; i+1 < len(kv); i += 2 {
		out.Add(kv[i], kv[i+1])
	}
	return out
}

func TestTranslate(t *testing.T) {
	t.Parallel()
	var reg *intake.Registry // the built-in fields
	tests := []struct {
		name string
		in   dialect.Params
		want string // resource mode match autostart
		err  string // the field errors, "field: message; …"
	}{
		{"the seed's example: clients in store mode", params("type", "clients", "mode", "store"), "contacts create [email] false", ""},
		{"update matches clients on email", params("type", "clients", "mode", "update"), "contacts update [email] false", ""},
		{"validate writes nothing", params("type", "clients", "mode", "validate"), "contacts validate [email] false", ""},
		{"type and mode in capitals", params("type", "Clients", "mode", "STORE"), "contacts create [email] false", ""},
		{"charges are a collection", params("type", "charges", "mode", "store"), "collection:charges create [] false", ""},
		{"every seed type but clients is a collection", params("type", "group_scheme_members", "mode", "update"), "collection:group_scheme_members update [] false", ""},
		{"autostart cannot skip the mapping step", params("type", "clients", "mode", "store", "autostart", "true", "upload_mode", "sync"), "contacts create [email] false warns 2", ""},
		{"type missing", params("mode", "store"), "", "type: The type field is required."},
		{"mode missing", params("type", "clients"), "", "mode: The mode field is required."},
		{"both missing, both named", params(), "", "type: The type field is required.; mode: The mode field is required."},
		{"create is not a Plannr mode", params("type", "clients", "mode", "create"), "", "mode: The selected mode is invalid: use store, update or validate."},
		{"an unknown type", params("type", "invoices", "mode", "store"), "", "type: The selected type is invalid: use one of " + strings.Join(Types, ", ") + "."},
		{"other options are native ones", params("type", "clients", "mode", "store", "match_fields", "nope"), "", "match_fields:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, err := Translate(dialect.Request{Params: tc.in, HasFile: true, Registry: reg})
			if tc.err != "" {
				var ie *intake.Error
				if !asError(err, &ie) || ie.Code != intake.EINVALID {
					t.Fatalf("err = %v, want EINVALID", err)
				}
				var got []string
				for _, f := range ie.Fields {
					got = append(got, f.Field+": "+f.Message)
				}
				if s := strings.Join(got, "; "); !strings.HasPrefix(s, tc.err) {
					t.Errorf("errors = %q, want %q", s, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprintf("%s %s %v %v", req.Spec.Resource, req.Spec.Mode, req.Spec.MatchFields, req.Autostart)
			if len(req.Warnings) > 0 {
				got += fmt.Sprintf(" warns %d", len(req.Warnings))
			}
			if got != tc.want || req.Sync {
				t.Errorf("got %q (sync %v), want %q", got, req.Sync, tc.want)
			}
		})
	}
}

func asError(err error, target **intake.Error) bool {
	e, ok := err.(*intake.Error)
	*target = e
	return ok
}

func TestUUID(t *testing.T) {
	t.Parallel()
	u := UUID(7, 42)
	if u != UUID(7, 42) {
		t.Fatal("a job's uuid changes")
	}
	if len(u) != 36 || u[14] != '8' || !strings.ContainsRune("89ab", rune(u[19])) || !strings.HasSuffix(u, "00000000002a") {
		t.Errorf("uuid %s is not a version 8 RFC 9562 uuid ending in the id", u)
	}
	tests := []struct {
		name   string
		tenant int64
		in     string
		id     int64
		ok     bool
	}{
		{"its own uuid", 7, u, 42, true},
		{"in capitals", 7, strings.ToUpper(u), 42, true},
		{"another tenant's uuid finds nothing", 8, u, 0, false},
		{"the id changed in the uuid", 7, u[:35] + "b", 0, false},
		{"not a uuid", 7, "42", 0, false},
		{"id 0", 7, "00000000-0000-8000-8000-000000000000", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, ok := ParseUUID(tc.tenant, tc.in)
			if id != tc.id || ok != tc.ok {
				t.Errorf("ParseUUID(%d, %q) = %d %v, want %d %v", tc.tenant, tc.in, id, ok, tc.id, tc.ok)
			}
		})
	}
	if UUID(1, 2) == UUID(2, 2) || derive(kindReport, 7, 42) == u {
		t.Error("uuids of different tenants or kinds collide")
	}
}

func TestView(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 10, 16, 10, 10, 13, 0, time.UTC)
	im := intake.Import{ID: 3, TenantID: 9, Status: intake.StatusRunning, Headers: []string{"fname", "lname", "email"},
		Spec: intake.ImportSpec{Resource: intake.ResourceContacts, Mode: intake.ModeCreate,
			Mapping: map[string]string{"fname": "first_name", "lname": "last_name", "email": "email", "x": ""}},
		TotalRows: 4, ProcessedRows: 3, FailedRows: 1, Skipped: 1, CreatedAt: now, UpdatedAt: now}
	errs := []intake.RowError{
		{Row: 3, Column: "email", Field: "email", Value: "x", Code: "invalid_email", Message: "bad email", Outcome: "failed", Values: []string{"Cy", "", "x"}},
		{Row: 3, Column: "lname", Field: "last_name", Code: "too_long", Message: "too long", Outcome: "failed", Values: []string{"Cy", "", "x"}},
		{Row: 4, Code: "already_exists", Message: "exists", Outcome: "skipped", Values: []string{"Ann", "S", "ann@example.com"}},
	}
	v := View(im, errs, AccountOf(intake.Tenant{ID: 9, Slug: "acme", CreatedAt: now}), Report{Size: -1, URL: "http://h/r.csv"})
	b, _ := json.Marshal(v)
	var got map[string]any
	json.Unmarshal(b, &got)
	for k, want := range map[string]any{
		"uuid": UUID(9, 3), "type": "clients", "mode": "store", "status": "processing", "total_jobs": 4.0, "progress": 75.0,
		"failed_jobs": 2.0, "jobs_remaining": 1.0, "created_at": "2024-10-16T10:10:13Z", "updated_at": "2024-10-16T10:10:13Z",
	} {
		if got[k] != want {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
	if m := got["mapping"].(map[string]any); len(m) != 3 || m["fname"] != "first_name" {
		t.Errorf("mapping = %v (a column left out is not shown)", m)
	}
	wantErrs := `[{"client":{"email":"x","fname":"Cy","lname":""},"errors":{"email":["bad email"],"last_name":["too long"]},"outcome":"failed","row":3},` +
		`{"client":{"email":"ann@example.com","fname":"Ann","lname":"S"},"errors":{"record":["exists"]},"outcome":"skipped","row":4}]`
	if e, _ := json.Marshal(v.Errors); string(e) != wantErrs {
		t.Errorf("errors =\n%s\nwant\n%s", e, wantErrs)
	}
	rep := got["error_report"].(map[string]any)
	if rep["filename"] != "import-3-errors.csv" || rep["size"] != "" || rep["download_url"] != "http://h/r.csv" || rep["uuid"] == v.UUID {
		t.Errorf("error_report = %v", rep)
	}
	if acct := got["account"].(map[string]any); acct["name"] != "acme" || acct["uuid"] == "" {
		t.Errorf("account = %v", acct)
	}

	im.Status, im.FailedRows, im.Skipped = intake.StatusAwaitingMapping, 0, 0
	im.Spec.Resource = intake.CollectionResource("charges")
	v = View(im, nil, Account{}, Report{Size: -1})
	if v.Type != "charges" || v.Status != "awaiting_mapping" || v.ErrorReport != nil || v.Errors == nil {
		t.Errorf("a charges import without errors: %+v", v)
	}
	many := make([]intake.RowError, 30)
	for i := range many {
		many[i] = intake.RowError{Row: i + 2, Message: "m", Column: "amount", Value: "x"}
	}
	if v = View(im, many, Account{}, Report{}); len(v.Errors) != MaxErrors || v.Errors[0]["charge"] == nil {
		t.Errorf("%d errors (want %d), keyed %v", len(v.Errors), MaxErrors, v.Errors[0])
	}
}

func TestFailureOf(t *testing.T) {
	t.Parallel()
	f := FailureOf("x", []intake.FieldError{{Field: "type", Message: "The type field is required."},
		{Field: "mode", Message: "The mode field is required."}, {Field: "file", Message: "The file field is required."}})
	b, _ := json.Marshal(f)
	want := `{"message":"The type field is required. (and 2 more errors)","errors":{"file":["The file field is required."],"mode":["The mode field is required."],"type":["The type field is required."]}}`
	if string(b) != want {
		t.Errorf("got %s\nwant %s", b, want)
	}
	if b, _ := json.Marshal(FailureOf("Not found.", nil)); string(b) != `{"message":"Not found."}` {
		t.Errorf("got %s", b)
	}
}

func TestMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, json string
		form       map[string]string
		want, err  string
	}{
		{"JSON", `{"fname":"first_name","Email":"email"}`, nil, `{"Email":"email","fname":"first_name"}`, ""},
		{"form fields", "", map[string]string{"fname": "first_name"}, `{"fname":"first_name"}`, ""},
		{"missing", "", nil, "", "The mapping field is required."},
		{"not an object", `["a"]`, nil, "", "The mapping field must be an object of header → field."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Mapping(tc.json, tc.form)
			if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && intake.ErrorMessage(err) != tc.err) {
				t.Errorf("Mapping = %q, %v; want %q, %q", got, err, tc.want, tc.err)
			}
		})
	}
	if !slices.Contains(Types, TypeClients) || Singular("business_staff_members") != "business_staff_member" || TypeOf("contacts") != "clients" {
		t.Error("types")
	}
}
