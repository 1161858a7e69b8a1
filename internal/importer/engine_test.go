package importer_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/testdb"
)

var tenantSeq atomic.Int64

// newTenant gives each case its own tenant in a shared store: cases stay
// independent without paying for a database each.
func newTenant(t *testing.T, s store.Store) int64 {
	t.Helper()
	tn, err := s.EnsureTenant(context.Background(), fmt.Sprintf("t%d", tenantSeq.Add(1)))
	if err != nil {
		t.Fatal(err)
	}
	return tn.ID
}

func all(t *testing.T, s store.Store, tenant int64) []intake.Contact {
	t.Helper()
	cs, err := s.ListContacts(context.Background(), tenant, store.ContactFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// result is what a bulk run gives: the counts and every record's item.
type result struct {
	importer.Result
	Items []*importer.Item
}

// importRecs runs records through the pipeline in one chunk, as a bulk
// request does; a rejected run (skip_on_error false) is an EINVALID error.
func importRecs(ctx context.Context, eng *importer.Engine, tenant int64, spec intake.ImportSpec, recs []importer.Record) (*result, error) {
	one := *eng
	one.ChunkSize = max(1, len(recs))
	var sink importer.Collect
	res, err := one.Run(ctx, tenant, spec, importer.Records(recs), &sink, importer.Options{Noun: "record"})
	if err != nil {
		return nil, err
	}
	out := &result{Result: res, Items: sink.Items}
	if res.Rejected {
		return out, intake.Errorf(intake.EINVALID, "%d records failed and skip_on_error is false", res.Failed)
	}
	return out, nil
}

func opts(mode intake.Mode, match ...string) intake.ImportSpec {
	o := intake.DefaultSpec()
	o.Mode = mode
	if len(match) > 0 {
		o.MatchFields = match
	}
	return o
}

// TestModeTable runs every mode × (record exists / does not) × match field
// through the engine against real databases and checks both the reported
// outcome and what is stored afterwards.
func TestModeTable(t *testing.T) {
	t.Parallel()
	stored := intake.Contact{Email: "ann@example.com", CustomerNumber: "C1", Phone: "+31612345678",
		Name: "Ann Smith", FirstName: "Ann", LastName: "Smith", City: "Oslo", Custom: map[string]string{"member": "M1"}}
	type matchCase struct {
		name    string
		fields  []string
		same    map[string]string // refers to the stored contact, in a variant spelling
		another map[string]string // refers to nobody
	}
	matches := []matchCase{
		{"email ignoring case and spaces", []string{"email"},
			map[string]string{"email": "  ANN@Example.COM "}, map[string]string{"email": "bob@example.com"}},
		{"customer_number", []string{"customer_number"},
			map[string]string{"customer_number": " C1 "}, map[string]string{"customer_number": "C2"}},
		{"phone in national format", []string{"phone"},
			map[string]string{"phone": "06 1234 5678"}, map[string]string{"phone": "+31 6 8765 4321"}},
		{"name ignoring case", []string{"name"},
			map[string]string{"name": "ann smith"}, map[string]string{"name": "Bob Jones"}},
		{"custom field", []string{"custom.member"},
			map[string]string{"custom.member": "M1", "name": "Ann"}, map[string]string{"custom.member": "M2", "name": "Bob"}},
		{"email and customer_number together", []string{"email", "customer_number"},
			map[string]string{"email": "Ann@example.com", "customer_number": "C1"}, map[string]string{"email": "bob@example.com", "customer_number": "C9"}},
	}
	// The expected outcome of every cell, written out by hand.
	type cell struct {
		outcome intake.Outcome
		code    string
	}
	want := map[intake.Mode][2]cell{ // [absent, exists]
		intake.ModeCreate:      {{intake.OutcomeCreated, ""}, {intake.OutcomeSkipped, intake.CodeAlreadyExists}},
		intake.ModeIgnoreOrAdd: {{intake.OutcomeCreated, ""}, {intake.OutcomeSkipped, intake.CodeAlreadyExists}},
		intake.ModeUpdate:      {{intake.OutcomeSkipped, intake.CodeNotFound}, {intake.OutcomeUpdated, ""}},
		intake.ModeUpsert:      {{intake.OutcomeCreated, ""}, {intake.OutcomeUpdated, ""}},
		intake.ModeDelete:      {{intake.OutcomeSkipped, intake.CodeNotFound}, {intake.OutcomeDeleted, ""}},
		intake.ModeValidate:    {{intake.OutcomeCreated, ""}, {intake.OutcomeUpdated, ""}},
	}
	ctx := context.Background()
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			s := b.Open(t)
			eng := &importer.Engine{Store: s, Region: "NL"}
			for _, mc := range matches {
				for _, mode := range intake.Modes {
					for i, exists := range []bool{false, true} {
						t.Run(fmt.Sprintf("%s/%s/exists=%v", mc.name, mode, exists), func(t *testing.T) {
							tenant := newTenant(t, s)
							c := stored
							if err := s.Write(ctx, tenant, func(tx store.Tx) error { return tx.InsertContacts(ctx, []*intake.Contact{&c}) }); err != nil {
								t.Fatal(err)
							}
							fields := map[string]string{"city": "Bergen"}
							src := mc.another
							if exists {
								src = mc.same
							}
							for k, v := range src {
								fields[k] = v
							}
							res, err := importRecs(ctx, eng, tenant, opts(mode, mc.fields...), []importer.Record{{Row: 0, Fields: fields}})
							if err != nil {
								t.Fatal(err)
							}
							it := res.Items[0]
							w := want[mode][i]
							gotCode := ""
							if it.Err() != nil {
								gotCode = it.Err().Code
							}
							if it.Outcome != w.outcome || gotCode != w.code {
								t.Fatalf("outcome %s (%s: %v), want %s (%s)", it.Outcome, gotCode, it.Err(), w.outcome, w.code)
							}
							after := all(t, s, tenant)
							writes := mode != intake.ModeValidate
							switch {
							case it.Outcome == intake.OutcomeCreated && writes:
								if len(after) != 2 || it.ID == 0 || it.ID == c.ID {
									t.Fatalf("after create: %d contacts, new id %d", len(after), it.ID)
								}
							case it.Outcome == intake.OutcomeUpdated && writes:
								if len(after) != 1 || after[0].City != "Bergen" || after[0].Email != "ann@example.com" || it.ID != c.ID {
									t.Fatalf("after update: %+v", after)
								}
							case it.Outcome == intake.OutcomeDeleted:
								if len(after) != 0 {
									t.Fatalf("after delete: %d contacts", len(after))
								}
							default: // skipped, or validate: nothing changes
								if len(after) != 1 || after[0].City != "Oslo" {
									t.Fatalf("stored contacts changed: %+v", after)
								}
							}
							if res.Total != 1 || res.Created+res.Updated+res.Deleted+res.Skipped+res.Failed != 1 {
								t.Fatalf("counts %+v", res)
							}
						})
					}
				}
			}
		})
	}
}

func TestDuplicatePolicies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	recs := func() []importer.Record {
		return []importer.Record{
			{Row: 0, Fields: map[string]string{"email": "a@example.com", "city": "one"}},
			{Row: 1, Fields: map[string]string{"email": "b@example.com", "city": "b"}},
			{Row: 2, Fields: map[string]string{"email": " A@EXAMPLE.com ", "city": "two"}},
			{Row: 3, Fields: map[string]string{"email": "a@example.com", "city": "three"}},
		}
	}
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			s := b.Open(t)
			eng := &importer.Engine{Store: s}
			for _, tc := range []struct {
				policy                   intake.Duplicates
				created, skipped, failed int
				cityOfA                  string // "" = a is not stored
				outcomes                 []intake.Outcome
			}{
				{intake.DuplicatesUseFirst, 2, 2, 0, "one", []intake.Outcome{"created", "created", "skipped", "skipped"}},
				{intake.DuplicatesUseLast, 2, 2, 0, "three", []intake.Outcome{"skipped", "created", "skipped", "created"}},
				{intake.DuplicatesIgnoreAll, 1, 3, 0, "", []intake.Outcome{"skipped", "created", "skipped", "skipped"}},
				{intake.DuplicatesError, 2, 0, 2, "one", []intake.Outcome{"created", "created", "failed", "failed"}},
			} {
				t.Run(string(tc.policy), func(t *testing.T) {
					tenant := newTenant(t, s)
					o := opts(intake.ModeUpsert)
					o.Duplicates = tc.policy
					res, err := importRecs(ctx, eng, tenant, o, recs())
					if err != nil {
						t.Fatal(err)
					}
					if res.Created != tc.created || res.Skipped != tc.skipped || res.Failed != tc.failed {
						t.Fatalf("counts %+v", res)
					}
					var got []intake.Outcome
					for _, it := range res.Items {
						got = append(got, it.Outcome)
						if it.Outcome != intake.OutcomeCreated && (it.Err() == nil || it.Err().Code != intake.CodeDuplicateInFile) {
							t.Errorf("record %d: %s without a duplicate reason: %+v", it.Row, it.Outcome, it.Err())
						}
					}
					if !slices.Equal(got, tc.outcomes) {
						t.Fatalf("outcomes %v, want %v", got, tc.outcomes)
					}
					city := ""
					for _, c := range all(t, s, tenant) {
						if c.Email == "a@example.com" {
							city = c.City
						}
					}
					if city != tc.cityOfA {
						t.Fatalf("a@example.com city = %q, want %q", city, tc.cityOfA)
					}
				})
			}
		})
	}
}

func TestImportSemantics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			s := b.Open(t)
			eng := &importer.Engine{Store: s}

			// Regression: the file runner added the raw key to the duplicate
			// index but looked up the cleaned one, so both rows were written.
			t.Run("a key that differs only by a NUL is one key, in bulk and in chunks", func(t *testing.T) {
				for _, chunk := range []int{0, 1} {
					tenant := newTenant(t, s)
					recs := []importer.Record{{Row: 2, Fields: map[string]string{"email": "dan@example.com", "city": "A"}},
						{Row: 3, Fields: map[string]string{"email": "dan\x00@example.com", "city": "B"}}}
					e := *eng
					e.ChunkSize = chunk
					var sink importer.Collect
					res, err := e.Run(ctx, tenant, opts(intake.ModeUpsert), importer.Records(recs), &sink, importer.Options{})
					if err != nil || res.Created != 1 || res.Skipped != 1 {
						t.Fatalf("chunk %d: %+v %v", chunk, res, err)
					}
					if e := sink.Items[0].Err(); e == nil || e.Code != intake.CodeDuplicateInFile {
						t.Fatalf("chunk %d: first row %+v, want skipped as a duplicate", chunk, sink.Items[0])
					}
					if cs := all(t, s, tenant); len(cs) != 1 || cs[0].City != "B" {
						t.Fatalf("chunk %d: stored %+v", chunk, cs)
					}
				}
			})

			t.Run("skip_on_error false writes nothing when one record is invalid", func(t *testing.T) {
				tenant := newTenant(t, s)
				o := opts(intake.ModeUpsert)
				o.SkipOnError = false
				res, err := importRecs(ctx, eng, tenant, o, []importer.Record{
					{Row: 0, Fields: map[string]string{"email": "ok@example.com"}},
					{Row: 1, Fields: map[string]string{"email": "broken"}},
				})
				if intake.ErrorCode(err) != intake.EINVALID || res == nil || res.Failed != 1 {
					t.Fatalf("err = %v, res = %+v", err, res)
				}
				if n := len(all(t, s, tenant)); n != 0 {
					t.Fatalf("%d contacts written", n)
				}
			})

			t.Run("skip_on_error false rolls back a conflict found while writing", func(t *testing.T) {
				tenant := newTenant(t, s)
				if _, err := importRecs(ctx, eng, tenant, opts(intake.ModeCreate), []importer.Record{{Fields: map[string]string{"email": "taken@example.com", "customer_number": "X"}}}); err != nil {
					t.Fatal(err)
				}
				o := opts(intake.ModeUpsert, "customer_number")
				o.SkipOnError = false
				_, err := importRecs(ctx, eng, tenant, o, []importer.Record{
					{Row: 0, Fields: map[string]string{"customer_number": "Y", "email": "new@example.com"}},
					{Row: 1, Fields: map[string]string{"customer_number": "Z", "email": "taken@example.com"}},
				})
				if intake.ErrorCode(err) != intake.EINVALID {
					t.Fatalf("err = %v", err)
				}
				if n := len(all(t, s, tenant)); n != 1 {
					t.Fatalf("%d contacts, want only the first import's", n)
				}
			})

			t.Run("a new email that another contact has fails the record", func(t *testing.T) {
				tenant := newTenant(t, s)
				res, err := importRecs(ctx, eng, tenant, opts(intake.ModeUpsert, "customer_number"), []importer.Record{
					{Row: 0, Fields: map[string]string{"customer_number": "1", "email": "same@example.com"}},
					{Row: 1, Fields: map[string]string{"customer_number": "2", "email": "same@example.com"}},
				})
				if err != nil {
					t.Fatal(err)
				}
				if res.Created != 1 || res.Failed != 1 || res.Items[1].Err().Code != intake.CodeValueTaken {
					t.Fatalf("res %+v, item 1 %+v", res, res.Items[1].Err())
				}
			})

			t.Run("upsert twice: the second run updates all and creates none", func(t *testing.T) {
				tenant := newTenant(t, s)
				var recs []importer.Record
				for i := range 50 {
					recs = append(recs, importer.Record{Row: i, Fields: map[string]string{"email": fmt.Sprintf("u%d@example.com", i), "first_name": "U", "tags": "a,b"}})
				}
				r1, err := importRecs(ctx, eng, tenant, opts(intake.ModeUpsert), recs)
				if err != nil || r1.Created != 50 {
					t.Fatalf("first: %+v %v", r1, err)
				}
				before := all(t, s, tenant)
				r2, err := importRecs(ctx, eng, tenant, opts(intake.ModeUpsert), recs)
				if err != nil || r2.Created != 0 || r2.Updated != 50 {
					t.Fatalf("second: %+v %v", r2, err)
				}
				after := all(t, s, tenant)
				for i := range before {
					if !before[i].UpdatedAt.Equal(after[i].UpdatedAt) {
						t.Fatalf("an unchanged contact was rewritten: %v → %v", before[i].UpdatedAt, after[i].UpdatedAt)
					}
				}
			})

			t.Run("empty cells keep stored values unless ignore_empty_fields is false", func(t *testing.T) {
				tenant := newTenant(t, s)
				if _, err := importRecs(ctx, eng, tenant, opts(intake.ModeUpsert), []importer.Record{{Fields: map[string]string{"email": "k@example.com", "city": "Oslo", "company": "Acme"}}}); err != nil {
					t.Fatal(err)
				}
				if _, err := importRecs(ctx, eng, tenant, opts(intake.ModeUpsert), []importer.Record{{Fields: map[string]string{"email": "k@example.com", "city": ""}}}); err != nil {
					t.Fatal(err)
				}
				if c := all(t, s, tenant)[0]; c.City != "Oslo" || c.Company != "Acme" {
					t.Fatalf("merge cleared values: %+v", c)
				}
				o := opts(intake.ModeUpsert)
				o.IgnoreEmptyFields = false
				if _, err := importRecs(ctx, eng, tenant, o, []importer.Record{{Fields: map[string]string{"email": "k@example.com", "city": ""}}}); err != nil {
					t.Fatal(err)
				}
				if c := all(t, s, tenant)[0]; c.City != "" || c.Company != "Acme" {
					t.Fatalf("overwrite: city should be cleared and company (absent column) kept: %+v", c)
				}
			})

			t.Run("a custom match field keeps its case and re-imports update", func(t *testing.T) {
				tenant := newTenant(t, s)
				match, err := intake.ParseMatchFields("custom.MemberID")
				if err != nil {
					t.Fatal(err)
				}
				o := opts(intake.ModeUpsert, match...)
				rec := []importer.Record{{Fields: map[string]string{"custom.MemberID": "42", "name": "Zed"}}}
				for i, want := range []intake.Outcome{intake.OutcomeCreated, intake.OutcomeUpdated} {
					res, err := importRecs(ctx, eng, tenant, o, rec)
					if err != nil || res.Items[0].Outcome != want {
						t.Fatalf("run %d: %+v %v", i, res.Items[0], err)
					}
				}
			})

			t.Run("names match ignoring case beyond ASCII", func(t *testing.T) {
				tenant := newTenant(t, s)
				for i, name := range []string{"ÉMILE Zola", "émile zola"} {
					res, err := importRecs(ctx, eng, tenant, opts(intake.ModeUpsert, "name"), []importer.Record{{Fields: map[string]string{"name": name, "city": "Paris"}}})
					want := []intake.Outcome{intake.OutcomeCreated, intake.OutcomeUpdated}[i]
					if err != nil || res.Items[0].Outcome != want {
						t.Fatalf("%q: %+v %v", name, res.Items[0], err)
					}
				}
			})

			t.Run("two custom fields form one key for in-file duplicates", func(t *testing.T) {
				tenant := newTenant(t, s)
				o := opts(intake.ModeUpsert, "custom.a", "custom.b")
				o.Duplicates = intake.DuplicatesUseFirst
				res, err := importRecs(ctx, eng, tenant, o, []importer.Record{
					{Row: 0, Fields: map[string]string{"custom.a": "1", "custom.b": "2", "name": "First"}},
					{Row: 1, Fields: map[string]string{"custom.a": "1", "custom.b": "2", "name": "Second"}},
				})
				if err != nil || res.Created != 1 || res.Skipped != 1 {
					t.Fatalf("%+v %v", res, err)
				}
				if c := all(t, s, tenant); len(c) != 1 || c[0].Name != "First" {
					t.Fatalf("stored %+v", c)
				}
			})

			t.Run("records without a match value: update and delete fail, creating modes create", func(t *testing.T) {
				tenant := newTenant(t, s)
				for _, mode := range []intake.Mode{intake.ModeUpdate, intake.ModeDelete} {
					res, err := importRecs(ctx, eng, tenant, opts(mode), []importer.Record{{Fields: map[string]string{"name": "No Email"}}})
					if err != nil || res.Failed != 1 || res.Items[0].Err().Code != intake.CodeMissingMatchKey {
						t.Fatalf("%s: %+v %v", mode, res, err)
					}
				}
				for _, mode := range []intake.Mode{intake.ModeCreate, intake.ModeUpsert} {
					res, err := importRecs(ctx, eng, tenant, opts(mode), []importer.Record{{Fields: map[string]string{"name": "No Email"}}})
					if err != nil || res.Created != 1 {
						t.Fatalf("%s without email: %+v %v", mode, res, err)
					}
				}
				res, err := importRecs(ctx, eng, tenant, opts(intake.ModeCreate), []importer.Record{{Fields: map[string]string{"city": "Nowhere"}}})

				if err != nil || res.Failed != 1 || res.Items[0].Err().Code != intake.CodeMissingIdentity {
					t.Fatalf("no identity: %+v %v", res, err)
				}
			})
		})
	}
}
