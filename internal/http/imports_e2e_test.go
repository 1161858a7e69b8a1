package http_test

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/intake/intake/internal/apitest"
)

// upload posts a multipart import with file content and fields.
func (c client) upload(name string, content []byte, fields map[string]string) (int, map[string]any, string) {
	c.t.Helper()
	body, contentType := apitest.Upload(name, content, fields)
	return c.send("POST", "/api/v1/imports", contentType, body)
}

// wait polls a job until it reaches a final status, with a deadline.
func (c client) wait(id int) map[string]any {
	c.t.Helper()
	var job map[string]any
	ended := waitFor(60*time.Second, func() bool {
		var st int
		var raw string
		st, job, raw = c.do("GET", fmt.Sprintf("/api/v1/imports/%d", id), nil)
		if st != 200 {
			c.t.Fatalf("poll: %d %s", st, raw)
		}
		switch job["status"] {
		case "completed", "failed", "cancelled", "previewed":
			return true
		}
		return false
	})
	if !ended {
		c.t.Fatalf("import %d did not finish in time: %v", id, job)
	}
	return job
}

func (c client) get(path string) (int, string) {
	c.t.Helper()
	st, _, raw := c.send("GET", path, "", nil)
	return st, raw
}

// messyCSV is a small file with known problems: an invalid email on row 3,
// a duplicate (other case, spaces) of row 2 on row 5, a ragged row 6.
const messyCSV = "email,first_name,last_name,phone\n" + // row 1
	"ann@example.com,Ann,Smith,06 12345678\n" + // 2: skipped, row 5 repeats it (use_last)
	"not-an-email,Bob,Jones,\n" + // 3: failed
	"carl@example.com,Carl,\"Quote, Jr\",+1 415 555 2671\n" + // 4: created
	"  ANN@EXAMPLE.COM ,Annie,Smith,\n" + // 5: created
	"dora@example.com,Dora\n" + // 6: failed, ragged
	"eve@example.com,Eve,Adams,call me\n" // 7: failed, bad phone

func TestImportJobsEndToEnd(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			key := newKey(t, db, "acme", "contacts")
			otherKey := newKey(t, db, "globex", "contacts")
			base := serve(t, db, func(c *serverConfig) { c.MaxUploadBytes, c.LocationPrivate = 200000, true })
			cl := func(t *testing.T) client { return client{t, base, key} }

			t.Run("upload, awaiting_mapping, patch, start, poll to completed", func(t *testing.T) {
				c := cl(t)
				file := "Buzón;Nombre;Ciudad\nuno@example.com;Uno;Madrid\ndos@example.com;Dos;Sevilla\n"
				// Buzón (mailbox) is no header Intake knows: its values say email.
				st, job, raw := c.upload("clientes.csv", []byte(file), map[string]string{"autostart": "false"})
				if st != 201 || job["status"] != "awaiting_mapping" || !strings.Contains(raw, `{"header":"Buzón","target":"email","reason":"content"`) {
					t.Fatalf("upload: %d %s", st, raw)
				}
				id := num(job, "id")
				if h := fmt.Sprint(job["headers"]); h != "[Buzón Nombre Ciudad]" {
					t.Fatalf("headers %s", h)
				}
				// The job says how it read the file (DESIGN §4a detected).
				if d, _ := job["detected"].(map[string]any); d["format"] != "csv" || d["delimiter"] != ";" || num(d, "header_row") != 1 {
					t.Fatalf("detected %v", job["detected"])
				}
				st, job, raw = c.do("PATCH", fmt.Sprintf("/api/v1/imports/%d", id), map[string]any{
					"mapping": map[string]string{"Buzón": "email", "Nombre": "first_name", "Ciudad": "city"}})
				if st != 200 || job["status"] != "queued" && job["status"] != "awaiting_mapping" {
					t.Fatalf("patch: %d %s", st, raw)
				}
				// A patched match field list replaces the old one.
				if _, job, _ := c.do("PATCH", fmt.Sprintf("/api/v1/imports/%d", id), map[string]any{"match_fields": []string{"email"}}); fmt.Sprint(job["match_fields"]) != "[email]" || job["status"] != "awaiting_mapping" {
					t.Fatalf("patch match_fields: %v", job["match_fields"])
				}
				for range 2 { // starting twice runs the job once
					if st, _, raw := c.do("POST", fmt.Sprintf("/api/v1/imports/%d/start", id), nil); st != 200 {
						t.Fatalf("start: %d %s", st, raw)
					}
				}
				job = c.wait(id)
				if job["status"] != "completed" || num(job, "created") != 2 || num(job, "total_rows") != 2 || num(job, "progress") != 100 || job["has_errors"] != false {
					t.Fatalf("job %v", job)
				}
				_, list, _ := c.do("GET", "/api/v1/contacts?email=dos@example.com", nil)
				if d := list["data"].([]any); len(d) != 1 || d[0].(map[string]any)["city"] != "Sevilla" {
					t.Fatalf("contact %v", list)
				}
			})

			t.Run("errors.csv escapes formulas and the fixed report re-imports the raw values", func(t *testing.T) {
				c := cl(t)
				file := "email,first_name,last_name,company\n" +
					"not-an-email,\"=HYPERLINK(\"\"http://x\"\")\",@SUM(1),-2+3\n" +
					"formula@example.com,+Ann,\tTab,ok\n"
				st, job, raw := c.upload("formula.csv", []byte(file), map[string]string{"upload_mode": "sync"})
				if st != 201 || num(job, "failed_rows") != 1 {
					t.Fatalf("upload: %d %s", st, raw)
				}
				if e := job["errors"].([]any)[0].(map[string]any); e["value"] != "not-an-email" {
					t.Fatalf("JSON error %v", e)
				}
				_, body := c.get(fmt.Sprintf("/api/v1/imports/%d/errors.csv", num(job, "id")))
				recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
				if err != nil || len(recs) != 2 {
					t.Fatalf("errors.csv %v:\n%s", err, body)
				}
				if got := recs[1][:4]; !slices.Equal(got, []string{"not-an-email", `'=HYPERLINK("http://x")`, "'@SUM(1)", "'-2+3"}) {
					t.Fatalf("errors.csv cells %q", got)
				}
				// The person fixes the email and uploads the report as it is.
				recs[1][0] = "fixed@example.com"
				var fixed bytes.Buffer
				w := csv.NewWriter(&fixed)
				w.WriteAll(recs)
				if st, job, raw := c.upload("fixed.csv", fixed.Bytes(), map[string]string{"upload_mode": "sync"}); st != 201 || num(job, "created") != 1 {
					t.Fatalf("re-upload: %d %s", st, raw)
				}
				_, list, _ := c.do("GET", "/api/v1/contacts?email=fixed@example.com", nil)
				if d := list["data"].([]any); len(d) != 1 || d[0].(map[string]any)["first_name"] != `=HYPERLINK("http://x")` || d[0].(map[string]any)["company"] != "-2+3" {
					t.Fatalf("re-imported %v", list)
				}
			})

			t.Run("a messy file: exact counts and errors.csv row by row", func(t *testing.T) {
				c := cl(t)
				st, job, raw := c.upload("messy.csv", []byte(messyCSV), nil)
				if st != 201 || job["status"] != "queued" {
					t.Fatalf("upload: %d %s", st, raw)
				}
				job = c.wait(num(job, "id"))
				// Eve's bad phone leaves her phone unset (invalid_fields skip_field):
				// she is created, and reported as partial.
				if job["status"] != "completed" || num(job, "total_rows") != 6 || num(job, "created") != 3 ||
					num(job, "failed_rows") != 2 || num(job, "partial_rows") != 1 || num(job, "skipped") != 1 || job["has_errors"] != true {
					t.Fatalf("job %v", job)
				}
				if errs := job["errors"].([]any); len(errs) != 4 {
					t.Fatalf("errors %v", errs)
				}
				st, body := c.get(fmt.Sprintf("/api/v1/imports/%d/errors.csv", num(job, "id")))
				if st != 200 {
					t.Fatalf("errors.csv: %d %s", st, body)
				}
				recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				want := [][]string{
					{"email", "first_name", "last_name", "phone", "row", "outcome", "error"},
					{"ann@example.com", "Ann", "Smith", "06 12345678", "2", "skipped", "Row 2 has the same email as row 5; the last one is used."},
					{"not-an-email", "Bob", "Jones", "", "3", "failed", ""},
					{"dora@example.com", "Dora", "", "", "6", "failed", "row has 2 fields, the header has 4"},
					{"eve@example.com", "Eve", "Adams", "call me", "7", "partial", ""},
				}
				if len(recs) != len(want) {
					t.Fatalf("errors.csv has %d lines:\n%s", len(recs), body)
				}
				for i := range want {
					for j := range want[i] {
						if want[i][j] != "" && !strings.Contains(recs[i][j], want[i][j]) || want[i][j] == "" && j == 6 && recs[i][j] == "" {
							t.Errorf("errors.csv line %d col %d = %q, want %q", i+1, j+1, recs[i][j], want[i][j])
						}
					}
				}
				// The report re-imports: fix the two bad cells and upload it.
				recs[2][0] = "bob@example.com"
				recs[4][3] = "+31 20 123 4567"
				var fixed bytes.Buffer
				w := csv.NewWriter(&fixed)
				w.WriteAll(recs)
				_, job, raw = c.upload("fixed.csv", fixed.Bytes(), nil)
				job = c.wait(num(job, "id"))
				// bob is fixed and dora (padded by the report) is now whole; ann
				// updates, and eve gets her fixed phone.
				if job["status"] != "completed" || num(job, "created") != 2 || num(job, "updated") != 2 || num(job, "failed_rows") != 0 {
					t.Fatalf("re-upload of the fixed report: %v %.300s", job, raw)
				}
				if _, list, _ := c.do("GET", "/api/v1/contacts?email=eve@example.com", nil); list["data"].([]any)[0].(map[string]any)["phone"] != "+31201234567" {
					t.Fatalf("eve %v", list)
				}
			})

			t.Run("validate mode writes nothing", func(t *testing.T) {
				c := cl(t)
				_, job, _ := c.upload("v.csv", []byte("email\nvalidate-only@example.com\n"), map[string]string{"mode": "validate"})
				job = c.wait(num(job, "id"))
				if num(job, "created") != 1 {
					t.Fatalf("job %v", job)
				}
				if _, list, _ := c.do("GET", "/api/v1/contacts?email=validate-only@example.com", nil); len(list["data"].([]any)) != 0 {
					t.Fatal("validate wrote a contact")
				}
			})

			t.Run("XLSX keeps long numbers and dates as shown", func(t *testing.T) {
				c := cl(t)
				f := excelize.NewFile()
				f.SetSheetRow("Sheet1", "A1", &[]any{"Email", "Phone", "Customer Number"})
				f.SetSheetRow("Sheet1", "A2", &[]any{"xl@example.com", 31612345678, 44123456789})
				var buf bytes.Buffer
				f.Write(&buf)
				_, job, raw := c.upload("people.xlsx", buf.Bytes(), nil)
				job = c.wait(num(job, "id"))
				if job["status"] != "completed" || num(job, "created") != 1 {
					t.Fatalf("xlsx job %v %s", job, raw)
				}
				_, list, _ := c.do("GET", "/api/v1/contacts?email=xl@example.com", nil)
				got := list["data"].([]any)[0].(map[string]any)
				if got["phone"] != "+31612345678" || got["customer_number"] != "44123456789" {
					t.Fatalf("xlsx contact %v", got)
				}
			})

			t.Run("JSON dialects: PackageX data URI (sync), Copernica source and location", func(t *testing.T) {
				c := cl(t)
				csvData := "name,email,notes\nSee Threepio,see@packagex.xyz,droid\nKylo Ren,,Ben?\n"
				st, job, raw := c.do("POST", "/api/v1/imports", map[string]any{
					"data":        "data:text/csv;base64," + base64.StdEncoding.EncodeToString([]byte(csvData)),
					"upload_mode": "sync", "action": "merge", "duplicate_handling": "use_first", "resource": "contact"})
				if st != 201 || job["status"] != "completed" || num(job, "created") != 2 {
					t.Fatalf("packagex: %d %s", st, raw)
				}
				st, job, raw = c.do("POST", "/api/v1/imports", map[string]any{
					"name": "TestImport", "action": "update or add", "keyFields": []string{"Email"}, "format": "json",
					"source": `[{"Email": "support@copernica.com", "Contactpersoon": "Jeroen"}, {"Email": "info@copernica.com", "Contactpersoon": "Danny"}]`})
				if st != 201 {
					t.Fatalf("copernica: %d %s", st, raw)
				}
				job = c.wait(num(job, "id"))
				if num(job, "created") != 2 {
					t.Fatalf("copernica job %v", job)
				}
				_, list, _ := c.do("GET", "/api/v1/contacts?email=info@copernica.com", nil)
				if d := list["data"].([]any); len(d) != 1 || d[0].(map[string]any)["name"] != "Danny" {
					t.Fatalf("Contactpersoon did not map to name: %v", list)
				}
				// Keys that first appear in a later object are imported too.
				st, job, raw = c.do("POST", "/api/v1/imports", map[string]any{"upload_mode": "sync",
					"source": []map[string]any{{"email": "a1@json.example"}, {"email": "b1@json.example", "first_name": "Bob", "company": "ACME"}}})
				if st != 201 || num(job, "created") != 2 {
					t.Fatalf("json source: %d %s", st, raw)
				}
				_, list, _ = c.do("GET", "/api/v1/contacts?email=b1@json.example", nil)
				if d := list["data"].([]any); len(d) != 1 || d[0].(map[string]any)["company"] != "ACME" {
					t.Fatalf("a later key was dropped: %v", list)
				}
				// An import's own region reads its national phone numbers.
				st, job, raw = c.upload("us.csv", []byte("email,phone\nus@example.com,(202) 555-0123\n"), map[string]string{"region": "US", "upload_mode": "sync"})
				if st != 201 || num(job, "created") != 1 {
					t.Fatalf("region: %d %s", st, raw)
				}
				_, list, _ = c.do("GET", "/api/v1/contacts?email=us@example.com", nil)
				if p := list["data"].([]any)[0].(map[string]any)["phone"]; p != "+12025550123" {
					t.Fatalf("phone read with the wrong region: %v", p)
				}
				files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path != "/export.csv" {
						http.NotFound(w, r)
						return
					}
					io.WriteString(w, "email\nremote@example.com\n")
				}))
				defer files.Close()
				st, job, raw = c.do("POST", "/api/v1/imports", map[string]any{"location": files.URL + "/export.csv", "upload_mode": "sync"})
				if st != 201 || num(job, "created") != 1 {
					t.Fatalf("location: %d %s", st, raw)
				}
				// The job fetches a location (DESIGN §4a): a missing file fails it.
				st, job, raw = c.do("POST", "/api/v1/imports", map[string]any{"location": files.URL + "/missing.csv"})
				if st != 201 {
					t.Fatalf("missing location: %d %s", st, raw)
				}
				if job = c.wait(num(job, "id")); job["status"] != "failed" || !strings.Contains(fmt.Sprint(job["error"]), "404") {
					t.Fatalf("missing location: %v", job)
				}
			})

			t.Run("cancel a job and list jobs", func(t *testing.T) {
				c := cl(t)
				_, job, _ := c.upload("c.csv", []byte("email\ncancel@example.com\n"), map[string]string{"autostart": "false"})
				id := num(job, "id")
				if job["status"] != "awaiting_mapping" {
					t.Fatalf("autostart=false: %v", job)
				}
				if st, job, raw := c.do("POST", fmt.Sprintf("/api/v1/imports/%d/cancel", id), nil); st != 200 || job["status"] != "cancelled" {
					t.Fatalf("cancel: %d %s", st, raw)
				}
				if st, _, raw := c.do("POST", fmt.Sprintf("/api/v1/imports/%d/cancel", id), nil); st != 409 || !strings.Contains(raw, "already cancelled") {
					t.Fatalf("cancel twice: %d %s", st, raw)
				}
				if st, _, _ := c.do("POST", fmt.Sprintf("/api/v1/imports/%d/start", id), nil); st != 409 {
					t.Fatalf("start a cancelled job: %d", st)
				}
				st, list, raw := c.do("GET", "/api/v1/imports?limit=2", nil)
				if st != 200 || len(list["data"].([]any)) != 2 || list["next_cursor"] == nil {
					t.Fatalf("list: %d %.300s", st, raw)
				}
				if first := list["data"].([]any)[0].(map[string]any); num(first, "id") != id {
					t.Fatalf("newest first: %v", first["id"])
				}
			})

			t.Run("bad uploads get a precise status and message, and store nothing", func(t *testing.T) {
				c := cl(t)
				other := client{t, base, otherKey}
				_, before, _ := c.do("GET", "/api/v1/imports?limit=100", nil)
				pdf := []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
				png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
				for _, tc := range []struct {
					name   string
					c      client
					file   []byte
					fname  string
					fields map[string]string
					status int
					says   string
				}{
					{"no file", c, nil, "", map[string]string{"mode": "upsert"}, 422, "File is required."},
					{"a PDF renamed .csv", c, pdf, "contacts.csv", nil, 422, "File must be a CSV"},
					{"an image", c, png, "contacts.csv", nil, 422, "File must be a CSV"},
					{"an empty file", c, []byte{}, "empty.csv", nil, 422, "empty"},
					{"TextUs headers missing name", c, []byte("a\n1\n"), "t.csv", map[string]string{"headers": `["phone_number"]`}, 422, "Missing required headers: name."},
					{"TextUs invalid headers", c, []byte("a,b,c\n1,2,3\n"), "t.csv", map[string]string{"headers": `["name","phone_number","invalid"]`}, 422, "Invalid headers provided: invalid."},
					{"mapping to an unknown field", c, []byte("a\nx@example.com\n"), "m.csv", map[string]string{"mapping": `{"a":"shoe_size"}`}, 422, "not a contact field"},
					{"unknown mode", c, []byte("email\nx@example.com\n"), "m.csv", map[string]string{"mode": "replace"}, 422, "Unknown mode"},
					{"bad match field", c, []byte("email\nx@example.com\n"), "m.csv", map[string]string{"match_fields": "shoe_size"}, 422, "Unknown match field"},
					{"a file over the limit", c, bytes.Repeat([]byte("email\nx@example.com\n"), 20000), "big.csv", nil, 413, "larger than"},
					{"no key", client{t, base, ""}, []byte("email\nx@example.com\n"), "m.csv", nil, 401, "Bearer"},
				} {
					st, _, raw := tc.c.upload(tc.fname, tc.file, tc.fields)
					if st != tc.status || !strings.Contains(raw, tc.says) {
						t.Errorf("%s: %d, want %d with %q: %.300s", tc.name, st, tc.status, tc.says, raw)
					}
				}
				// Repeated option fields are bounded in number and in total.
				for _, tc := range []struct {
					n, size int
					says    string
				}{{90, 20 << 10, "total at most 1 MiB"}, {101, 1, "at most 100 option fields"}} {
					var body bytes.Buffer
					mw := multipart.NewWriter(&body)
					for range tc.n {
						mw.WriteField("match_fields", strings.Repeat("e", tc.size))
					}
					fw, _ := mw.CreateFormFile("file", "m.csv")
					fw.Write([]byte("email\nx@example.com\n"))
					mw.Close()
					req, _ := http.NewRequest("POST", c.base+"/api/v1/imports", &body)
					req.Header.Set("Content-Type", mw.FormDataContentType())
					req.Header.Set("Authorization", "Bearer "+c.key)
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					raw, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 413 || !strings.Contains(string(raw), tc.says) {
						t.Errorf("%d option fields of %d bytes: %d %s", tc.n, tc.size, resp.StatusCode, raw)
					}
				}
				_, after, _ := c.do("GET", "/api/v1/imports?limit=100", nil)
				if len(after["data"].([]any)) != len(before["data"].([]any)) {
					t.Errorf("a rejected upload created a job")
				}
				// Another tenant's job is not found, for reading or changing.
				id := num(before["data"].([]any)[0].(map[string]any), "id")
				for _, req := range [][2]string{{"GET", ""}, {"GET", "/errors"}, {"GET", "/errors.csv"}, {"POST", "/cancel"}, {"POST", "/start"}} {
					if st, _, _ := other.do(req[0], fmt.Sprintf("/api/v1/imports/%d%s", id, req[1]), nil); st != 404 {
						t.Errorf("other tenant %s %s: %d", req[0], req[1], st)
					}
				}
			})

			t.Run("error pages are cursor-paged in file order", func(t *testing.T) {
				c := cl(t)
				var b strings.Builder
				b.WriteString("email\n")
				for i := range 30 {
					fmt.Fprintf(&b, "bad%d\n", i)
				}
				_, job, _ := c.upload("bad.csv", []byte(b.String()), nil)
				id := num(job, "id")
				c.wait(id)
				var rows []int
				cursor := ""
				for range 10 {
					_, page, raw := c.do("GET", fmt.Sprintf("/api/v1/imports/%d/errors?limit=7&cursor=%s", id, cursor), nil)
					for _, e := range page["data"].([]any) {
						rows = append(rows, num(e.(map[string]any), "row"))
					}
					next, _ := page["next_cursor"].(string)
					if next == "" {
						break
					}
					cursor = next
					_ = raw
				}
				if len(rows) != 30 || !slices.IsSorted(rows) || rows[0] != 2 || rows[29] != 31 {
					t.Fatalf("rows %v", rows)
				}
				// A forged cursor past any row number is a 422, not a 500.
				forged := base64.RawURLEncoding.EncodeToString([]byte("c" + strconv.Itoa(1<<40)))
				if st, _, raw := c.do("GET", fmt.Sprintf("/api/v1/imports/%d/errors?cursor=%s", id, forged), nil); st != 422 {
					t.Fatalf("forged cursor: %d %s", st, raw)
				}
			})
		})
	}
}

// TestStalledUploadIsCutOff: a client that sends headers and part of a body,
// then nothing, is answered and disconnected after --body-idle-timeout
// instead of holding its connection forever.
func TestStalledUploadIsCutOff(t *testing.T) {
	t.Parallel()
	db := sqliteURL(t)
	key := newKey(t, db, "acme", "contacts")
	base := serve(t, db, func(c *serverConfig) { c.BodyIdle = 300 * time.Millisecond })
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/imports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nemail\n", key)
	start := time.Now()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("after %v: %v", time.Since(start), err)
	}
	if took := time.Since(start); took > 5*time.Second || !strings.HasPrefix(string(resp), "HTTP/1.1 408") {
		t.Fatalf("after %v: %.200s", took, resp)
	}

	// A body that ends early (the client closed its side) is a 400, not a 500.
	conn2, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close()
	fmt.Fprintf(conn2, "POST /api/v1/imports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nemail\n", key)
	conn2.(*net.TCPConn).CloseWrite()
	conn2.SetReadDeadline(time.Now().Add(10 * time.Second))
	if resp, _ := io.ReadAll(conn2); !strings.HasPrefix(string(resp), "HTTP/1.1 400") || !strings.Contains(string(resp), "cut off") {
		t.Fatalf("truncated body: %.300s", resp)
	}
}
