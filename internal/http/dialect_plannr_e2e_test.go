package http_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// seedPlannrFile is the file of the seed's curl (file=@file): the headers
// of its example answer (fname, lname, email) and four records, one of
// which fails, as in the example (total_jobs 4, failed_jobs 1).
const seedPlannrFile = "fname,lname,email\nGareth,Thompson,gareth@codepotato.co.uk\nAnn,Smith,ann@example.com\nCy,,not-an-email\nBob,Jones,bob@example.com\n"

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// plannrAPI speaks to the Plannr routes as a Plannr client does.
type plannrAPI struct {
	t         *testing.T
	base, key string
}

// create sends the seed's curl: multipart type, mode and file, with
// Accept: application/json; fields whose value is "" are left out.
func (p plannrAPI) create(typ, mode, file string, headers ...string) reply {
	p.t.Helper()
	var fields [][2]string
	for _, f := range [][2]string{{"type", typ}, {"mode", mode}} {
		if f[1] != "" {
			fields = append(fields, f)
		}
	}
	name := ""
	if file != "" {
		name = "file"
	}
	body, ct := multipartBody(p.t, fields, name, []byte(file))
	h := map[string]string{"Authorization": "Bearer " + p.key, "Content-Type": ct, "Accept": "application/json"}
	for i := 0; i+1 < len(headers); i += 2 {
		h[headers[i]] = headers[i+1]
	}
	return call(p.t, "POST", p.base+"/api/v1/import", h, body)
}

func (p plannrAPI) do(method, path, contentType string, body io.Reader) reply {
	p.t.Helper()
	h := map[string]string{"Authorization": "Bearer " + p.key, "Accept": "application/json"}
	if contentType != "" {
		h["Content-Type"] = contentType
	}
	return call(p.t, method, p.base+path, h, body)
}

// finish starts an import and waits for it to end, with a deadline.
func (p plannrAPI) finish(uuid string) reply {
	p.t.Helper()
	if r := p.do("POST", "/api/v1/import/"+uuid+"/start", "", nil); r.status != 200 {
		p.t.Fatalf("start: %d %s", r.status, r.raw)
	}
	var r reply
	ended := waitFor(30*time.Second, func() bool {
		r = p.do("GET", "/api/v1/import/"+uuid, "", nil)
		switch r.body["status"] {
		case "completed", "failed", "cancelled":
			return true
		}
		return false
	})
	if !ended {
		p.t.Fatalf("import %s did not end in time", uuid)
	}
	return r
}

// TestPlannrSeed replays shared/seeds/001 (Plannr: create the import) on
// both stores through a real listener: the seed's curl and the shape of its
// 200 answer field by field, the two-step start ("must be mapped before it
// can be started"), each required field's 422, the three modes, auth and
// tenants, idempotency, and a charges file linked to clients by email.
func TestPlannrSeed(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "acme", "contacts")
			other := newKey(t, db, "globex", "contacts")
			base := serve(t, db)
			p := plannrAPI{t, base, key}
			c := client{t, base, key}

			// The seed's curl.
			r := p.create("clients", "store", seedPlannrFile)
			if r.status != 200 || r.header.Get("Content-Type") != "application/json" {
				t.Fatalf("the seed's curl: %d %s %s", r.status, r.header.Get("Content-Type"), r.raw)
			}
			for _, k := range []string{"uuid", "type", "mode", "headers", "mapping", "status", "total_jobs", "progress", "failed_jobs",
				"jobs_remaining", "errors", "error_report", "account", "created_at", "updated_at"} {
				if _, ok := r.body[k]; !ok {
					t.Errorf("the answer has no %s: %s", k, r.raw)
				}
			}
			uuid := fmt.Sprint(r.body["uuid"])
			if !uuidPattern.MatchString(uuid) || r.body["type"] != "clients" || r.body["mode"] != "store" || r.body["status"] != "awaiting_mapping" {
				t.Errorf("uuid, type, mode, status: %s", r.raw)
			}
			jsonEqual(t, "headers", jsonOf(r.body["headers"]), `["fname","lname","email"]`)
			jsonEqual(t, "mapping (the seed's, exactly)", jsonOf(r.body["mapping"]), `{"email":"email","fname":"first_name","lname":"last_name"}`)
			if _, err := time.Parse(time.RFC3339, fmt.Sprint(r.body["created_at"])); err != nil {
				t.Errorf("created_at: %v", err)
			}
			if acct, _ := r.body["account"].(map[string]any); acct["name"] != "acme" || !uuidPattern.MatchString(fmt.Sprint(acct["uuid"])) {
				t.Errorf("account: %v", r.body["account"])
			}
			if len(c.people()) != 0 {
				t.Fatal("an import that was not started wrote contacts")
			}

			// Read it, confirm its mapping (as a form too), start it.
			if g := p.do("GET", "/api/v1/import/"+uuid, "", nil); g.status != 200 || g.body["uuid"] != uuid || g.body["status"] != "awaiting_mapping" {
				t.Errorf("GET: %d %s", g.status, g.raw)
			}
			m := p.do("PUT", "/api/v1/import/"+uuid+"/mapping", "application/json", strings.NewReader(`{"mapping":{"fname":"first_name","lname":"last_name","email":"email"}}`))
			if m.status != 200 || m.body["status"] != "awaiting_mapping" {
				t.Errorf("PUT mapping: %d %s", m.status, m.raw)
			}
			form := url.Values{"mapping[fname]": {"first_name"}, "mapping[lname]": {"last_name"}, "mapping[email]": {"email"}}.Encode()
			if m := p.do("PUT", "/api/v1/import/"+uuid+"/mapping", "application/x-www-form-urlencoded", strings.NewReader(form)); m.status != 200 {
				t.Errorf("PUT mapping as a form: %d %s", m.status, m.raw)
			}
			if m := p.do("PUT", "/api/v1/import/"+uuid+"/mapping", "application/json", strings.NewReader(`{}`)); m.status != 422 ||
				fmt.Sprint(m.body["errors"]) != "map[mapping:[The mapping field is required.]]" {
				t.Errorf("PUT without mapping: %d %s", m.status, m.raw)
			}
			done := p.finish(uuid)
			if done.body["status"] != "completed" || num(done.body, "total_jobs") != 4 || num(done.body, "failed_jobs") != 1 ||
				num(done.body, "progress") != 100 || num(done.body, "jobs_remaining") != 0 {
				t.Fatalf("finished: %s", done.raw)
			}
			errs := asList(done.body["errors"])
			if len(errs) != 1 {
				t.Fatalf("errors: %s", done.raw)
			}
			e := errs[0].(map[string]any)
			jsonEqual(t, "the failed client", jsonOf(e["client"]), `{"email":"not-an-email","fname":"Cy","lname":""}`)
			if reasons, _ := e["errors"].(map[string]any); len(asList(reasons["email"])) != 1 {
				t.Errorf("its reasons: %v", e["errors"])
			}
			rep, _ := done.body["error_report"].(map[string]any)
			dl := call(t, "GET", fmt.Sprint(rep["download_url"]), map[string]string{"Authorization": "Bearer " + key}, nil)
			if dl.status != 200 || fmt.Sprint(len(dl.raw)) != rep["size"] || !strings.Contains(dl.raw, "Cy,,not-an-email,4,failed,") ||
				!uuidPattern.MatchString(fmt.Sprint(rep["uuid"])) || rep["uuid"] == uuid {
				t.Errorf("error report %v: %d %q", rep, dl.status, dl.raw)
			}
			same(t, "stored clients", c.people(), []string{
				"ann@example.com Ann Smith <nil>", "bob@example.com Bob Jones <nil>", "gareth@codepotato.co.uk Gareth Thompson <nil>"})
			// An ended import can neither be mapped nor started again.
			if r := p.do("PUT", "/api/v1/import/"+uuid+"/mapping", "application/json", strings.NewReader(`{"mapping":{"fname":"name"}}`)); r.status != 409 || r.body["message"] == nil {
				t.Errorf("mapping a finished import: %d %s", r.status, r.raw)
			}
			if r := p.do("POST", "/api/v1/import/"+uuid+"/start", "", nil); r.status != 409 {
				t.Errorf("starting a finished import: %d %s", r.status, r.raw)
			}

			// Each required field: 422 in Laravel's shape, naming every one missing.
			for _, tc := range []struct{ name, typ, mode, file, want string }{
				{"type missing", "", "store", seedPlannrFile, `{"message":"The type field is required.","errors":{"type":["The type field is required."]}}`},
				{"mode missing", "clients", "", seedPlannrFile, `{"message":"The mode field is required.","errors":{"mode":["The mode field is required."]}}`},
				{"file missing", "clients", "store", "", `{"message":"The file field is required.","errors":{"file":["The file field is required."]}}`},
				{"all missing", "", "", "", `{"message":"The type field is required. (and 2 more errors)","errors":{"type":["The type field is required."],` +
					`"mode":["The mode field is required."],"file":["The file field is required."]}}`},
				{"a mode Plannr does not have", "clients", "create", seedPlannrFile,
					`{"message":"The selected mode is invalid: use store, update or validate.","errors":{"mode":["The selected mode is invalid: use store, update or validate."]}}`},
				{"a type Plannr does not have", "invoices", "store", seedPlannrFile, `{"message":"The selected type is invalid: use one of business_staff_members, charges, ` +
					`clients, group_scheme_members, notes, plans, premiums, tasks, valuations.","errors":{"type":["The selected type is invalid: use one of ` +
					`business_staff_members, charges, clients, group_scheme_members, notes, plans, premiums, tasks, valuations."]}}`},
			} {
				r := p.create(tc.typ, tc.mode, tc.file)
				if r.status != 422 {
					t.Errorf("%s: %d", tc.name, r.status)
				}
				jsonEqual(t, tc.name, r.raw, tc.want)
			}
			if r := p.create("clients", "store", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"); r.status != 422 || r.body["errors"].(map[string]any)["file"] == nil {
				t.Errorf("a PDF: %d %s", r.status, r.raw)
			}

			// validate writes nothing; update changes only clients that exist.
			v := p.create("clients", "validate", "fname,lname,email\nNew,Person,new@example.com\n")
			if v.body["mode"] != "validate" || p.finish(fmt.Sprint(v.body["uuid"])).body["status"] != "completed" || len(c.people()) != 3 {
				t.Errorf("validate: %s %v", v.raw, c.people())
			}
			u := p.create("clients", "update", "fname,lname,email\nAnn,Smythe,ann@example.com\nNew,Person,new@example.com\n")
			if u.body["mode"] != "update" {
				t.Errorf("update: %s", u.raw)
			}
			if d := p.finish(fmt.Sprint(u.body["uuid"])); num(d.body, "failed_jobs") != 1 || num(d.body, "total_jobs") != 2 {
				t.Errorf("update: %s", d.raw)
			}
			same(t, "after update", c.people(), []string{
				"ann@example.com Ann Smythe <nil>", "bob@example.com Bob Jones <nil>", "gareth@codepotato.co.uk Gareth Thompson <nil>"})

			// Auth and tenants.
			if r := call(t, "POST", base+"/api/v1/import", map[string]string{"Accept": "application/json"}, nil); r.status != 401 || r.body["message"] == nil {
				t.Errorf("no key: %d %s", r.status, r.raw)
			}
			if r := call(t, "GET", base+"/api/v1/import/"+uuid, map[string]string{"Authorization": "bearer " + key}, nil); r.status != 200 {
				t.Errorf("the scheme in lower case: %d %s", r.status, r.raw)
			}
			g := plannrAPI{t, base, other}
			for _, path := range []string{"/api/v1/import/" + uuid, "/api/v1/import/" + uuid + "/start"} {
				method := map[bool]string{true: "POST", false: "GET"}[strings.HasSuffix(path, "start")]
				if r := g.do(method, path, "", nil); r.status != 404 || r.body["message"] == nil {
					t.Errorf("globex %s %s: %d %s", method, path, r.status, r.raw)
				}
			}
			if r := p.do("GET", "/api/v1/import/8fe0e696-f18f-4d17-995c-1853de405e6e", "", nil); r.status != 404 {
				t.Errorf("the seed's uuid: %d %s", r.status, r.raw)
			}

			// The same Idempotency-Key and body: the first answer, one import.
			first := p.create("clients", "store", seedPlannrFile, "Idempotency-Key", "plannr-1")
			again := p.create("clients", "store", seedPlannrFile, "Idempotency-Key", "plannr-1")
			if first.status != 200 || again.body["uuid"] != first.body["uuid"] || again.header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("idempotency: %s / %s", first.raw, again.raw)
			}

			plannrCharges(t, p, c)
		})
	}
}

// plannrCharges imports a Plannr charges file linked to clients by email:
// a collection created from its headers, one record failing with
// contact_not_found.
func plannrCharges(t *testing.T, p plannrAPI, c client) {
	t.Helper()
	file := "client_email,charge_id,amount,Charge Date\ngareth@codepotato.co.uk,C1,100,2026-01-31\nBOB@example.com,C2,250.50,2026-02-01\nnobody@example.com,C3,75,2026-02-02\n"
	r := p.create("charges", "store", file)
	if r.status != 200 || r.body["type"] != "charges" || r.body["status"] != "awaiting_mapping" {
		t.Fatalf("charges: %d %s", r.status, r.raw)
	}
	jsonEqual(t, "charges mapping", jsonOf(r.body["mapping"]),
		`{"Charge Date":"charge_date","amount":"amount","charge_id":"charge_id","client_email":"contact_email"}`)
	d := p.finish(fmt.Sprint(r.body["uuid"]))
	if num(d.body, "total_jobs") != 3 || num(d.body, "failed_jobs") != 1 || !strings.Contains(fmt.Sprint(d.body["warnings"]), "Collection charges did not exist") {
		t.Fatalf("charges: %s", d.raw)
	}
	e := asList(d.body["errors"])[0].(map[string]any)
	if num(e, "row") != 4 || e["charge"].(map[string]any)["client_email"] != "nobody@example.com" ||
		!strings.Contains(jsonOf(e["errors"]), `No contact has email \"nobody@example.com\"`) {
		t.Errorf("the unknown client: %v", e)
	}
	ids := map[string]int{}
	_, page, _ := c.do("GET", "/api/v1/contacts", nil)
	for _, x := range asList(page["data"]) {
		ids[fmt.Sprint(x.(map[string]any)["email"])] = num(x.(map[string]any), "id")
	}
	same(t, "charges", c.list("/api/v1/collections/charges/records", func(r map[string]any) string {
		v := r["values"].(map[string]any)
		return fmt.Sprintf("%d %v %v %v", num(r, "contact_id"), v["charge_id"], v["amount"], v["charge_date"])
	}), []string{fmt.Sprintf("%d C1 100 2026-01-31", ids["gareth@codepotato.co.uk"]), fmt.Sprintf("%d C2 250.50 2026-02-01", ids["bob@example.com"])})
}

// jsonOf renders a decoded JSON value again.
func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
