package http_test

// Issue 19's conformance defects, each replayed as the seed's own client
// sends it, through a real listener, on both stores.

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// copernicaPHPBody is the seed's first PHP example as CopernicaRestAPI
// sends it: json_encode($data) of the example's array.
const copernicaPHPBody = `{"database":1,"name":"TestImport","rebuild":true,"action":"update or add","keyFields":["Email"],` +
	`"format":"json","source":"[\n\t\t{ \n\t\t\t\"Email\": \"support@copernica.com\", \n\t\t\t\"Contactpersoon\": \"Jeroen\" \n\t\t}, ` +
	`\n\t\t{ \n\t\t\t\"Email\": \"info@copernica.com\", \n\t\t\t\"Contactpersoon\": \"Danny\" \n\t\t}\n\t]"}`

// TestCopernicaPHPClientTrailingSlash: the PHP client posts to "imports/",
// so its request is POST /v3/imports/?access_token=… with a lower-case
// content-type header; it must create the import (201 and X-Created), and
// GET import/{id}/ reads it, as application/json (the client parses only
// that media type).
func TestCopernicaPHPClientTrailingSlash(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "acme", "imports")
			base := serve(t, db)
			for _, method := range []string{"POST", "PUT"} {
				r := call(t, method, base+"/v3/imports/?access_token="+key, map[string]string{"content-type": "application/json"},
					strings.NewReader(copernicaPHPBody))
				if r.status != 201 || r.header.Get("X-Created") == "" {
					t.Fatalf("%s /v3/imports/: %d %s %s", method, r.status, r.header.Get("Content-Type"), r.raw)
				}
				id := r.header.Get("X-Created")
				got := call(t, "GET", base+"/v3/import/"+id+"/?access_token="+key, nil, nil)
				if got.status != 200 || got.header.Get("Content-Type") != "application/json" || fmt.Sprint(got.body["ID"]) != id {
					t.Fatalf("GET /v3/import/%s/: %d %s %s", id, got.status, got.header.Get("Content-Type"), got.raw)
				}
			}
		})
	}
}

// TestTrailingSlashEveryDialect: every dialect path answers its
// trailing-slash form as the path itself (not 404 or 405).
func TestTrailingSlashEveryDialect(t *testing.T) {
	t.Parallel()
	db := sqliteURL(t)
	key := newKey(t, db, "my_account", "admin")
	base := serve(t, db)
	auth := map[string]string{"Authorization": "Bearer " + key, "Content-Type": "application/json"}
	csv := csvURI("name,email\nAnn,ann@example.com\n")
	for _, tc := range []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/api/v1/imports/", `{"data":"` + csv + `"}`, 201},
		{"GET", "/api/v1/imports/", "", 200},
		{"POST", "/v1/imports/", `{"data":"` + csv + `","upload_mode":"sync","action":"merge","resource":"contact"}`, 201},
		{"POST", "/api/v1/bulk-import/contacts/", `{"records":[{"email":"bulk@example.com"}]}`, 200},
		{"GET", "/api/v1/bulk-import/", "", 200},
		{"GET", "/api/v1/import/", "", 200},
		{"POST", "/my_account/contacts/upload/", `{"headers":["name"]}`, 422}, // the route's own answer: no file
	} {
		var body io.Reader
		if tc.body != "" {
			body = strings.NewReader(tc.body)
		}
		r := call(t, tc.method, base+tc.path, auth, body)
		if r.status != tc.want {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, r.status, r.raw, tc.want)
		}
	}
	if r := call(t, "GET", base+"/api/v1/nothing-here/", auth, nil); r.status != 404 {
		t.Errorf("a path without a route stays 404: %d", r.status)
	}
}

// TestCopernicaFailuresAre400: every request error on Copernica's routes
// is 400 Bad Request (the PHP client reads any other status as success)
// with a JSON body that says what is wrong; a bad key keeps 401. Values
// outside the seed's lists are refused, and keyFields naming a column the
// source lacks is refused instead of making a job that waits forever.
func TestCopernicaFailuresAre400(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "acme", "imports")
			base := serve(t, db)
			post := func(ct, body string) reply {
				return call(t, "POST", base+"/v3/imports/?access_token="+key, map[string]string{"content-type": ct}, strings.NewReader(body))
			}
			for _, tc := range []struct{ name, ct, body, says string }{
				{"action upsert", "application/json", `{"action":"upsert","source":[{"Email":"a@example.com"}]}`, `use add, update, \"update or add\", \"ignore or add\" or delete`},
				{"delimiter |", "application/json", `{"delimiter":"|","format":"csv","source":"Email\na@example.com\n"}`, `use \"\\t\", \",\" or \";\"`},
				{"source with location", "application/json", `{"source":[{"Email":"a@example.com"}],"location":"https://example.com/x.csv"}`, "not both"},
				{"format xlsx", "application/json", `{"format":"xlsx","source":[{"Email":"a@example.com"}]}`, "csv or json"},
				{"keyFields column missing", "application/json", `{"keyFields":["Email"],"source":[{"Naam":"Jeroen"}]}`, "no column for email"},
				{"no source", "application/json", `{"database":1}`, "source"},
				{"not JSON", "application/json", `{"database":`, "not valid JSON"},
				{"an unknown media type", "text/plain", `database=1`, "Send multipart/form-data"},
			} {
				r := post(tc.ct, tc.body)
				if r.status != 400 || r.header.Get("Content-Type") != "application/json" || !strings.Contains(r.raw, tc.says) {
					t.Errorf("%s: %d %s %s, want 400 saying %s", tc.name, r.status, r.header.Get("Content-Type"), r.raw, tc.says)
				}
				if _, ok := r.body["error"].(map[string]any)["message"].(string); !ok {
					t.Errorf("%s: no error.message in %s", tc.name, r.raw)
				}
			}
			if r := call(t, "GET", base+"/v3/import/999999?access_token="+key, nil, nil); r.status != 400 || !strings.Contains(r.raw, "not found") {
				t.Errorf("an unknown import: %d %s", r.status, r.raw)
			}
			if r := call(t, "POST", base+"/v3/imports/?access_token=nope", map[string]string{"content-type": "application/json"},
				strings.NewReader(copernicaPHPBody)); r.status != 401 {
				t.Errorf("a bad key: %d %s", r.status, r.raw)
			}
			// The refusals made no job: none waits for a mapping.
			c := client{t, base, key}
			_, page, raw := c.do("GET", "/api/v1/imports?limit=100", nil)
			if n := len(asList(page["data"])); n != 0 {
				t.Errorf("refused requests made %d jobs: %s", n, raw)
			}
		})
	}
}

// TestNoDialectParksAJobItsClientCannotMove: PackageX and TextUs have no
// mapping route either; a file without a required column is refused at
// once, never left awaiting_mapping. Intake's own route still waits (it
// has PATCH and start).
func TestNoDialectParksAJobItsClientCannotMove(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "acme", "admin")
			base := serve(t, db)
			c := client{t, base, key}
			noName := csvURI("email,notes\nann@example.com,hi\n")
			st, _, raw := c.do("POST", "/v1/imports", map[string]any{"data": noName, "upload_mode": "sync", "action": "merge", "resource": "contact"})
			if st != 422 || !strings.Contains(raw, "no column for name") {
				t.Errorf("PackageX without a name column: %d %s", st, raw)
			}
			_, page, _ := c.do("GET", "/api/v1/imports?limit=100", nil)
			if n := len(asList(page["data"])); n != 0 {
				t.Errorf("PackageX's refusal made %d jobs", n)
			}
			// Intake's own route: the same file waits for its mapping.
			st, job, raw := c.do("POST", "/api/v1/imports", map[string]any{"data": noName})
			if st != 201 || job["status"] != "awaiting_mapping" {
				t.Fatalf("native: %d %s", st, raw)
			}
		})
	}
}

// TestTextUsFileFirst: curl -F file=@contacts.pdf -F headers=[…] sends
// the file part first; the whole form is read before it is judged, so the
// answer is the seed's "not a CSV", not "headers are required".
func TestTextUsFileFirst(t *testing.T) {
	t.Parallel()
	db := sqliteURL(t)
	key := newKey(t, db, "my_account", "contacts")
	base := serve(t, db)
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fw, _ := w.CreateFormFile("file", "contacts.pdf")
	fw.Write([]byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"))
	w.WriteField("headers", `["name","phone_number","business","tags"]`)
	w.Close()
	r := call(t, "POST", base+"/my_account/contacts/upload", map[string]string{"Authorization": "Bearer " + key,
		"Accept": "application/vnd.textus+jsonld", "Content-Type": w.FormDataContentType()}, &buf)
	if r.status != 422 {
		t.Errorf("file first: %d", r.status)
	}
	jsonEqual(t, "file first", r.raw, `{"errors":["File must be a CSV (text/csv)."]}`)
}

// TestMultipartFieldFlood: a form of 100,000 fields is answered 413 with a
// body the client reads, not a reset connection.
func TestMultipartFieldFlood(t *testing.T) {
	t.Parallel()
	db := sqliteURL(t)
	key := newKey(t, db, "my_account", "contacts")
	base := serve(t, db)
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for i := range 100_000 {
		w.WriteField(fmt.Sprintf("f%d", i), "x")
	}
	w.Close()
	for _, path := range []string{"/api/v1/imports", "/my_account/contacts/upload"} {
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(buf.Bytes()))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", w.FormDataContentType())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v (the connection must not be reset)", path, err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 413 || !strings.Contains(string(raw), "option fields") {
			t.Errorf("%s: %d %s", path, resp.StatusCode, raw)
		}
	}
}

// TestConformanceViews: what the seeds' clients read back. Plannr's index
// route lists the tenant's imports without headers and mapping, in cursor
// pages; Plandocket's meta.request_id is the request's X-Request-Id; a
// headerless TextUs file's errors count its own lines; Copernica reports a
// profile removeMissing removed by its id and key, not by a row.
func TestConformanceViews(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "my_account", "admin")
			other := newKey(t, db, "globex", "admin")
			base := serve(t, db)
			plannrIndex(t, base, key, other)
			plandocketRequestID(t, base, key)
			textUsHeaderlessRows(t, base, key)
			copernicaRemovedProfiles(t, base, key)
		})
	}
}

func plannrIndex(t *testing.T, base, key, other string) {
	t.Helper()
	p := plannrAPI{t: t, base: base, key: key}
	for i := range 3 {
		if r := p.create("clients", "store", fmt.Sprintf("email\nidx%d@example.com\n", i)); r.status != 200 {
			t.Fatalf("create: %d %s", r.status, r.raw)
		}
	}
	auth := map[string]string{"Authorization": "Bearer " + key, "Accept": "application/json"}
	first := call(t, "GET", base+"/api/v1/import?per_page=2", auth, nil)
	data := asList(first.body["data"])
	if first.status != 200 || len(data) != 2 {
		t.Fatalf("index page 1: %d %s", first.status, first.raw)
	}
	for _, x := range data {
		m := x.(map[string]any)
		if _, ok := m["headers"]; ok || m["mapping"] != nil || m["uuid"] == nil || m["status"] == nil || m["type"] != "clients" {
			t.Errorf("an index item has headers or mapping, or lacks the import object's fields: %v", m)
		}
	}
	next, _ := first.body["links"].(map[string]any)["next"].(string)
	if next == "" {
		t.Fatalf("no links.next: %s", first.raw)
	}
	second := call(t, "GET", next, auth, nil)
	if len(asList(second.body["data"])) != 1 || second.body["links"].(map[string]any)["next"] != nil {
		t.Errorf("index page 2: %d %s", second.status, second.raw)
	}
	if r := call(t, "GET", base+"/api/v1/import", map[string]string{"Authorization": "Bearer " + other}, nil); r.status != 200 || len(asList(r.body["data"])) != 0 {
		t.Errorf("globex sees my_account's imports: %s", r.raw)
	}
	if r := call(t, "GET", base+"/api/v1/import?per_page=0", auth, nil); r.status != 422 || r.body["errors"] == nil {
		t.Errorf("per_page 0: %d %s", r.status, r.raw)
	}
}

func plandocketRequestID(t *testing.T, base, key string) {
	t.Helper()
	h := map[string]string{"Authorization": "Bearer " + key, "Content-Type": "application/json", "X-Request-Id": "req_abc123"}
	r := call(t, "GET", base+"/api/v1/bulk-import", h, nil)
	if r.status != 200 || r.body["meta"].(map[string]any)["request_id"] != "req_abc123" {
		t.Errorf("meta.request_id: %d %s", r.status, r.raw)
	}
}

func textUsHeaderlessRows(t *testing.T, base, key string) {
	t.Helper()
	h := map[string]string{"Authorization": "Bearer " + key, "Accept": "application/vnd.textus+jsonld"}
	body, ct := multipartBody(t, [][2]string{{"headers", `["name","phone_number"]`}}, "contacts.csv", []byte("Ann,303-555-0101\nBob,not a phone\n"))
	h["Content-Type"] = ct
	r := call(t, "POST", base+"/my_account/contacts/upload", h, body)
	if r.status != 201 {
		t.Fatalf("headerless upload: %d %s", r.status, r.raw)
	}
	delete(h, "Content-Type")
	var st reply
	waitFor(30*time.Second, func() bool {
		st = call(t, "GET", base+"/my_account/contact_imports/"+fmt.Sprint(r.body["contact_import_slug"]), h, nil)
		return st.status != 200 || st.body["status"] == "completed"
	})
	errs := asList(st.body["errors"])
	if len(errs) != 1 || !strings.HasPrefix(fmt.Sprint(errs[0]), "Row 2: ") {
		t.Errorf("Bob is the file's line 2: %s", st.raw)
	}
}

func copernicaRemovedProfiles(t *testing.T, base, key string) {
	t.Helper()
	create := func(body string) string {
		r := call(t, "POST", base+"/v3/imports/?access_token="+key, map[string]string{"content-type": "application/json"}, strings.NewReader(body))
		if r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.raw)
		}
		return r.header.Get("X-Created")
	}
	wait := func(id string) reply {
		var r reply
		waitFor(30*time.Second, func() bool {
			r = call(t, "GET", base+"/v3/import/"+id+"?access_token="+key, nil, nil)
			return r.body["status"] == "finished" || r.body["status"] == "failed"
		})
		return r
	}
	wait(create(`{"database":"rm","action":"update or add","source":[{"Email":"keep@example.com"},{"Email":"gone@example.com"}]}`))
	c := client{t, base, key}
	_, found, _ := c.do("GET", "/api/v1/contacts?email=gone@example.com", nil)
	goneID := num(asList(found["data"])[0].(map[string]any), "id")
	r := wait(create(`{"database":"rm","action":"update or add","removeMissing":true,"source":[{"Email":"keep@example.com"}]}`))
	errs := asList(r.body["errors"])
	if len(errs) != 1 {
		t.Fatalf("removeMissing: %s", r.raw)
	}
	e := errs[0].(map[string]any)
	if _, hasRow := e["row"]; hasRow || num(e, "profile") != goneID || e["field"] != "email" || e["value"] != "gone@example.com" || e["code"] != "removed" {
		t.Errorf("a removed profile is reported by its id and key, not a row: %v (id %d)", e, goneID)
	}
}

// TestCopernicaLocationWithoutKeyColumn: a file fetched by its job (a
// location) is read after the request answered; a key column it lacks
// fails the job with the reason instead of leaving it waiting.
func TestCopernicaLocationWithoutKeyColumn(t *testing.T) {
	t.Parallel()
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		io.WriteString(w, "Naam,Telefoon\nJeroen,0612345678\n")
	}))
	t.Cleanup(files.Close)
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "acme", "imports")
			base := serve(t, db, func(c *serverConfig) { c.LocationPrivate = true })
			r := call(t, "POST", base+"/v3/imports/?access_token="+key, map[string]string{"content-type": "application/json"},
				strings.NewReader(`{"keyFields":["Email"],"format":"csv","delimiter":",","location":"`+files.URL+`/leden.csv"}`))
			if r.status != 201 {
				t.Fatalf("create: %d %s", r.status, r.raw)
			}
			got := waitCopernica(t, base, key, num(r.body, "ID"))
			if got.body["status"] != "failed" || !strings.Contains(fmt.Sprint(got.body["error"]), "no column for email") {
				t.Errorf("a job whose file lacks its key column: %s", got.raw)
			}
		})
	}
}
