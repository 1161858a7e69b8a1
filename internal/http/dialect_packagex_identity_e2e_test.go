package http_test

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPackageXNameIdentity is issue 19 #5 on both stores: a PackageX
// contact without an email is identified by its name. The seed's contact
// example honours ignore_all on its Kylo Ren and Han Solo rows, sending
// it twice adds nothing, two rows of one name with two emails stay two
// people, and a name two stored contacts share fails its row naming both.
func TestPackageXNameIdentity(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			base := serve(t, db)
			c := client{t, base, newKey(t, db, "acme", "contacts")}
			px := func(body string) map[string]any {
				t.Helper()
				r := call(t, "POST", base+"/v1/imports", map[string]string{"PX-API-KEY": c.key}, strings.NewReader(body))
				data, _ := r.body["data"].(map[string]any)
				if r.status != 201 || data == nil || data["status"] != "completed" {
					t.Fatalf("%d %s", r.status, r.raw)
				}
				return data
			}
			seed := `{"data":"` + seedContactsURI + `","upload_mode":"sync","action":"merge","duplicate_handling":"ignore_all","resource":"contact"}`
			job := px(seed)
			if got := counts(job); got != "total=7 created=2 updated=0 skipped=4 failed=1" {
				t.Errorf("ignore_all: %s", got)
			}
			same(t, "ignore_all row errors", c.rowErrors(job), []string{
				`3 skipped duplicate_in_file name: 2 rows share this name; duplicates are all ignored.`,
				`4 skipped duplicate_in_file name: 2 rows share this name; duplicates are all ignored.`,
				`6 skipped duplicate_in_file name: 2 rows share this name; duplicates are all ignored.`,
				`7 skipped duplicate_in_file name: 2 rows share this name; duplicates are all ignored.`,
				`8 failed invalid_email email: "wrong" is not a valid email address: it needs one @ with a name before it and a domain after it.`})
			if got := counts(px(seed)); got != "total=7 created=0 updated=2 skipped=4 failed=1" {
				t.Errorf("ignore_all again: %s", got)
			}
			useFirst := strings.Replace(seed, "ignore_all", "use_first", 1)
			px(useFirst)
			before := len(c.contacts())
			if got := counts(px(useFirst)); got != "total=7 created=0 updated=4 skipped=2 failed=1" || len(c.contacts()) != before || before != 4 {
				t.Errorf("use_first again: %s, %d contacts then %d", got, before, len(c.contacts()))
			}

			// Two people of one name with two emails are two people.
			job = px(`{"data":"` + csvURI("name,email\nJamie Jones,j1@example.com\nJamie Jones,j2@example.com\n") + `","upload_mode":"sync","action":"merge","resource":"contact"}`)
			if got := counts(job); got != "total=2 created=2 updated=0 skipped=0 failed=0" {
				t.Errorf("two emails: %s", got)
			}
			// Now two stored contacts are named Jamie Jones: a row without an
			// email cannot choose, and says which two.
			job = px(`{"data":"` + csvURI("name,notes\nJamie Jones,which?\n") + `","upload_mode":"sync","action":"merge","resource":"contact"}`)
			errs := c.rowErrors(job)
			if counts(job) != "total=1 created=0 updated=0 skipped=0 failed=1" || len(errs) != 1 ||
				!strings.HasPrefix(errs[0], `2 failed ambiguous_match name: 2 contacts have name "Jamie Jones" (ids `) {
				t.Errorf("a tie: %s %v", counts(job), errs)
			}
			for _, email := range []string{"j1@example.com", "j2@example.com"} {
				_, list, _ := c.do("GET", "/api/v1/contacts?email="+email, nil)
				if id := num(asList(list["data"])[0].(map[string]any), "id"); len(errs) == 1 && !strings.Contains(errs[0], fmt.Sprint(id)) {
					t.Errorf("the tie's error does not name contact %d: %s", id, errs[0])
				}
			}
		})
	}
}

// TestPackageXDataLocationAndSaveUpload is issue 19 #9 and #11 (part) on
// both stores: data as a bare base64 file (CSV and XLSX, sniffed),
// location_id applied to every contact (an unknown or another tenant's id
// is a 422), and save_upload false deleting the file when an async import
// ends, which the job says.
func TestPackageXDataLocationAndSaveUpload(t *testing.T) {
	t.Parallel()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			uploads := t.TempDir()
			base := serve(t, db, func(c *serverConfig) { c.UploadDir = uploads })
			c := client{t, base, newKey(t, db, "acme", "contacts")}
			other := client{t, base, newKey(t, db, "globex", "contacts")}
			px := func(k, body string) reply {
				return call(t, "POST", base+"/v1/imports", map[string]string{"PX-API-KEY": k}, strings.NewReader(body))
			}
			bare := base64.StdEncoding.EncodeToString([]byte("name,email\nLeia Organa,leia@example.com\n"))
			r := px(c.key, `{"data":"`+bare+`","upload_mode":"sync","action":"merge","resource":"contact"}`)
			if data, _ := r.body["data"].(map[string]any); r.status != 201 || counts(data) != "total=1 created=1 updated=0 skipped=0 failed=0" {
				t.Errorf("bare base64 CSV: %d %s", r.status, r.raw)
			}
			r = px(c.key, `{"data":"`+base64.StdEncoding.EncodeToString(excelExport(t))+`","upload_mode":"sync","action":"merge","resource":"contact"}`)
			if data, _ := r.body["data"].(map[string]any); r.status != 201 || data["format"] != "xlsx" || counts(data) != "total=2 created=2 updated=0 skipped=0 failed=0" {
				t.Errorf("bare base64 XLSX: %d %s", r.status, r.raw)
			}
			if r := px(c.key, `{"data":"not base64 at all!","upload_mode":"sync","action":"merge","resource":"contact"}`); r.status != 422 || !strings.Contains(r.raw, "base64") {
				t.Errorf("bad data: %d %s", r.status, r.raw)
			}

			loc := c.must(201, "POST", "/api/v1/locations", map[string]any{"name": "Hoth Base"})
			theirs := other.must(201, "POST", "/api/v1/locations", map[string]any{"name": "Cloud City"})
			r = px(c.key, fmt.Sprintf(`{"data":"%s","upload_mode":"sync","action":"merge","resource":"contact","location_id":"%d"}`,
				csvURI("name,email,locations\nLeia Organa,leia@example.com,\nHan Solo,,Echo Base\n"), num(loc, "id")))
			if data, _ := r.body["data"].(map[string]any); r.status != 201 || counts(data) != "total=2 created=1 updated=1 skipped=0 failed=0" {
				t.Errorf("location_id: %d %s", r.status, r.raw)
			}
			same(t, "contacts with the location", c.contacts(), []string{
				"Leia Organa|leia@example.com|<nil>|[Hoth Base]|<nil>|<nil>|<nil>",
				"Xaver Lang|xl@example.de|<nil>|<nil>|<nil>|<nil>|<nil>",
				"Yo Bos|yo@example.nl|<nil>|<nil>|<nil>|<nil>|<nil>",
				"Han Solo|<nil>|<nil>|[Echo Base Hoth Base]|<nil>|<nil>|<nil>",
			})
			for _, id := range []int{num(theirs, "id"), 99999} {
				r := px(c.key, fmt.Sprintf(`{"data":"%s","upload_mode":"sync","action":"merge","resource":"contact","location_id":%d}`, csvURI("name\nA\n"), id))
				if r.status != 422 || !strings.Contains(r.raw, `"body.location_id"`) || !strings.Contains(r.raw, fmt.Sprintf("No location has id %d", id)) {
					t.Errorf("location_id %d: %d %s", id, r.status, r.raw)
				}
			}

			// save_upload false, async: the file is gone when the job ends.
			files := func() int {
				n := 0
				filepath.Walk(uploads, func(_ string, fi os.FileInfo, _ error) error {
					if fi != nil && !fi.IsDir() && !strings.HasSuffix(fi.Name(), ".attrs") {
						n++
					}
					return nil
				})
				return n
			}
			async := func(save bool) map[string]any {
				t.Helper()
				r := px(c.key, fmt.Sprintf(`{"data":null,"upload_mode":"async","action":"merge","resource":"contact","save_upload":%v}`, save))
				up, _ := r.body["upload"].(map[string]any)
				if r.status != 201 || up == nil {
					t.Fatalf("async: %d %s", r.status, r.raw)
				}
				r = call(t, "PUT", base+fmt.Sprint(up["url"]), map[string]string{"PX-API-KEY": c.key}, strings.NewReader("name,email\nLuke,luke@example.com\n"))
				data, _ := r.body["data"].(map[string]any)
				if r.status != 201 || data == nil {
					t.Fatalf("PUT: %d %s", r.status, r.raw)
				}
				return c.wait(num(data, "id"))
			}
			kept := async(true)
			n := files()
			if strings.Contains(fmt.Sprint(kept["warnings"]), "deleted") {
				t.Errorf("save_upload true: %v", kept["warnings"])
			}
			gone := async(false)
			opts, _ := gone["options"].(map[string]any)
			if gone["status"] != "completed" || !strings.Contains(fmt.Sprint(gone["warnings"]), "The uploaded file was deleted when the import ended") || opts["discard_upload"] != true {
				t.Errorf("save_upload false: %v", gone)
			}
			if !waitFor(10*time.Second, func() bool { return files() <= n }) {
				t.Errorf("save_upload false: %d files kept, want at most %d", files(), n)
			}
		})
	}
}
