package importer_test

import (
	"context"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/testdb"
)

// TestExternalIDFallback: under a match on email, a record without an
// email is matched on its external id; a record with an email on the email
// alone.
func TestExternalIDFallback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rec := func(row int, kv ...string) importer.Record {
		f := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			f[kv[i]] = kv[i+1]
		}
		return importer.Record{Row: row, Fields: f}
	}
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			s := b.Open(t)
			eng := &importer.Engine{Store: s}
			seed := []importer.Record{
				rec(0, "external_id", "101", "name", "Ann"),
				rec(1, "external_id", "102", "email", "bo@example.com", "name", "Bo"),
			}
			for _, tc := range []struct {
				name                           string
				mode                           intake.Mode
				recs                           []importer.Record
				created, updated, failed, skip int
				code                           string // the first item's error code
			}{
				{"upsert: an email-less record updates the contact with its external id", intake.ModeUpsert,
					[]importer.Record{rec(0, "external_id", "101", "city", "Oslo")}, 0, 1, 0, 0, ""},
				{"upsert: an email-less record finds a contact that has an email too", intake.ModeUpsert,
					[]importer.Record{rec(0, "external_id", "102", "city", "Oslo")}, 0, 1, 0, 0, ""},
				{"update: an email-less record with an external id is no missing match key", intake.ModeUpdate,
					[]importer.Record{rec(0, "external_id", "101", "city", "Oslo")}, 0, 1, 0, 0, ""},
				{"update: without email or external id it is", intake.ModeUpdate,
					[]importer.Record{rec(0, "name", "Ann", "city", "Oslo")}, 0, 0, 1, 0, intake.CodeMissingMatchKey},
				{"create: an email-less record of a stored external id is skipped as existing", intake.ModeCreate,
					[]importer.Record{rec(0, "external_id", "101", "name", "Ann")}, 0, 0, 0, 1, intake.CodeAlreadyExists},
				{"upsert: a new email with another contact's external id fails on the taken value", intake.ModeUpsert,
					[]importer.Record{rec(0, "email", "new@example.com", "external_id", "101")}, 0, 0, 1, 0, intake.CodeValueTaken},
				{"upsert: two email-less rows of one external id are in-file duplicates", intake.ModeUpsert,
					[]importer.Record{rec(0, "external_id", "103", "name", "Cy"), rec(1, "external_id", "103", "name", "Cy", "city", "Rome")}, 1, 0, 0, 1, intake.CodeDuplicateInFile},
				{"delete: an email-less record deletes by external id", intake.ModeDelete,
					[]importer.Record{rec(0, "external_id", "101")}, 0, 0, 0, 0, ""},
			} {
				t.Run(tc.name, func(t *testing.T) {
					tenant := newTenant(t, s)
					if _, err := importRecs(ctx, eng, tenant, opts(intake.ModeUpsert), seed); err != nil {
						t.Fatal(err)
					}
					res, err := importRecs(ctx, eng, tenant, opts(tc.mode), tc.recs)
					if err != nil {
						t.Fatal(err)
					}
					if res.Created != tc.created || res.Updated != tc.updated || res.Failed != tc.failed || res.Skipped != tc.skip {
						t.Fatalf("counts %+v, want created %d updated %d failed %d skipped %d (items %+v)", res.Counts, tc.created, tc.updated, tc.failed, tc.skip, res.Items[0])
					}
					if e := res.Items[0].Err(); (e == nil) != (tc.code == "") || (e != nil && e.Code != tc.code) {
						t.Fatalf("first item error %+v, want %q", e, tc.code)
					}
					cs := all(t, s, tenant)
					if tc.mode == intake.ModeDelete {
						if len(cs) != 1 || cs[0].ExternalID != "102" {
							t.Fatalf("after delete: %+v", cs)
						}
						return
					}
					if want := 2 + tc.created; len(cs) != want {
						t.Fatalf("%d contacts, want %d", len(cs), want)
					}
					if tc.updated > 0 {
						for _, c := range cs {
							if c.ExternalID == tc.recs[0].Fields["external_id"] && c.City != "Oslo" {
								t.Fatalf("updated contact %+v", c)
							}
						}
					}
				})
			}
		})
	}
}
