package importer_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/testdb"
)

// defineFields stores custom field definitions for a tenant.
func defineFields(t *testing.T, s store.Store, tenant int64, fs ...intake.CustomField) {
	t.Helper()
	ctx := context.Background()
	fs = slices.Clone(fs) // SaveField sets their IDs
	err := s.Write(ctx, tenant, func(tx store.Tx) error {
		for i := range fs {
			if err := tx.SaveField(ctx, &fs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// memberFields is the tenant of these tests: a unique number, a required
// date and a list with options.
var memberFields = []intake.CustomField{
	{Name: "member_id", Type: intake.TypeNumber, Unique: true},
	{Name: "born", Type: intake.TypeDate, Required: true},
	{Name: "level", Type: intake.TypeList, Options: []string{"Gold", "Silver"}},
}

// outcome is one record's result, written out for comparison.
type outcome struct {
	outcome intake.Outcome
	errs    string // field/code pairs of its errors
}

func outcomes(items []*importer.Item) []outcome {
	out := make([]outcome, len(items))
	for i, it := range items {
		out[i].outcome = it.Outcome
		for _, e := range it.Errs {
			out[i].errs += fmt.Sprintf("%s:%s=%q ", e.Field, e.Code, e.Value)
		}
	}
	return out
}

func TestCustomFieldImports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			s := b.Open(t)
			eng := &importer.Engine{Store: s, Region: "NL"}
			setup := func(t *testing.T) int64 {
				tenant := newTenant(t, s)
				defineFields(t, s, tenant, memberFields...)
				return tenant
			}
			rec := func(row int, kv ...string) importer.Record {
				f := map[string]string{}
				for i := 0; i < len(kv); i += 2 {
					f[kv[i]] = kv[i+1]
				}
				return importer.Record{Row: row, Fields: f}
			}

			t.Run("type errors fail the row with the field, value and code of each", func(t *testing.T) {
				tenant := setup(t)
				res, err := importRecs(ctx, eng, tenant, opts(intake.ModeUpsert), []importer.Record{
					rec(0, "email", "a@example.com", "custom.member_id", "0012", "custom.born", "31-12-1990", "custom.level", "gold"),
					rec(1, "email", "b@example.com", "custom.member_id", "twelve", "custom.born", "1990-02-30", "custom.level", "Bronze"),
					rec(2, "email", "c@example.com", "custom.member_id", "13"),
				})
				if err != nil {
					t.Fatal(err)
				}
				want := []outcome{
					{intake.OutcomeCreated, ""},
					{intake.OutcomeFailed, `custom.born:invalid_date="1990-02-30" custom.level:invalid_option="Bronze" custom.member_id:invalid_number="twelve" `},
					{intake.OutcomeFailed, `custom.born:missing_required="" `},
				}
				if got := outcomes(res.Items); !slices.Equal(got, want) {
					t.Fatalf("outcomes\n got %q\nwant %q", got, want)
				}
				if msg := res.Items[1].Errs[0].Message; msg != `"1990-02-30" is not a date; write custom.born as YYYY-MM-DD (or DD-MM-YYYY).` {
					t.Fatalf("message %q", msg)
				}
				cs := all(t, s, tenant)
				if len(cs) != 1 || cs[0].Custom["member_id"] != "12" || cs[0].Custom["born"] != "1990-12-31" || cs[0].Custom["level"] != "Gold" {
					t.Fatalf("stored %+v", cs)
				}
			})

			t.Run("a unique custom field matches in its stored form, and is never taken twice", func(t *testing.T) {
				tenant := setup(t)
				if _, err := importRecs(ctx, eng, tenant, opts(intake.ModeUpsert), []importer.Record{
					rec(0, "email", "a@example.com", "custom.member_id", "7", "custom.born", "2000-01-01"),
					rec(1, "email", "b@example.com", "custom.member_id", "8", "custom.born", "2000-01-01"),
				}); err != nil {
					t.Fatal(err)
				}
				res, err := importRecs(ctx, eng, tenant, opts(intake.ModeUpsert, "custom.member_id"), []importer.Record{
					rec(0, "custom.member_id", "007,0", "city", "Oslo"),                                                  // matches a
					rec(1, "custom.member_id", "9", "email", "b@example.com", "custom.born", "2000-01-01"),               // b's email, new id
					rec(2, "custom.member_id", "10", "email", "d@example.com", "custom.born", "2000-01-01"),              // new
					rec(3, "custom.member_id", "10", "email", "e@example.com", "custom.born", "2000-01-01", "city", "x"), // same key: use_last
				})
				if err != nil {
					t.Fatal(err)
				}
				want := []outcome{
					{intake.OutcomeUpdated, ""},
					{intake.OutcomeFailed, `email:value_taken="b@example.com" `},
					{intake.OutcomeSkipped, `custom.member_id:duplicate_in_file="" `},
					{intake.OutcomeCreated, ""},
				}
				if got := outcomes(res.Items); !slices.Equal(got, want) {
					t.Fatalf("outcomes\n got %q\nwant %q", got, want)
				}
				// Matched by email, a record may not take another contact's member id.
				res, err = importRecs(ctx, eng, tenant, opts(intake.ModeUpsert), []importer.Record{
					rec(0, "email", "a@example.com", "custom.member_id", "8"),
					rec(1, "email", "f@example.com", "custom.member_id", "10", "custom.born", "2000-01-01"),
				})
				if err != nil {
					t.Fatal(err)
				}
				want = []outcome{
					{intake.OutcomeFailed, `custom.member_id:value_taken="8" `},
					{intake.OutcomeFailed, `custom.member_id:value_taken="10" `},
				}
				if got := outcomes(res.Items); !slices.Equal(got, want) {
					t.Fatalf("outcomes\n got %q\nwant %q", got, want)
				}
			})

			t.Run("chunks after an empty lookup still see unique custom values (no optimistic writes)", func(t *testing.T) {
				tenant := setup(t)
				one := *eng
				one.ChunkSize = 1
				var sink importer.Collect
				res, err := one.Run(ctx, tenant, opts(intake.ModeCreate), importer.Records{
					rec(0, "email", "a@example.com", "custom.member_id", "1", "custom.born", "2000-01-01"),
					rec(1, "email", "b@example.com", "custom.member_id", "2", "custom.born", "2000-01-01"),
					rec(2, "email", "c@example.com", "custom.member_id", "1", "custom.born", "2000-01-01"),
				}, &sink, importer.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if res.Created != 2 || res.Failed != 1 || sink.Items[2].Err().Code != intake.CodeValueTaken {
					t.Fatalf("result %+v, last %+v", res.Counts, sink.Items[2].Err())
				}
			})

			t.Run("a required field is needed to create, not to update, and cannot be cleared", func(t *testing.T) {
				tenant := setup(t)
				if _, err := importRecs(ctx, eng, tenant, opts(intake.ModeUpsert), []importer.Record{
					rec(0, "email", "a@example.com", "custom.born", "2000-01-01"),
				}); err != nil {
					t.Fatal(err)
				}
				spec := opts(intake.ModeUpsert)
				spec.IgnoreEmptyFields = false
				res, err := importRecs(ctx, eng, tenant, spec, []importer.Record{
					rec(0, "email", "a@example.com", "city", "Oslo"),
					rec(1, "email", "a@example.com", "custom.born", ""),
				})
				if err != nil {
					t.Fatal(err)
				}
				want := []outcome{{intake.OutcomeSkipped, `email:duplicate_in_file="" `}, {intake.OutcomeFailed, `custom.born:missing_required="" `}}
				if got := outcomes(res.Items); !slices.Equal(got, want) {
					t.Fatalf("outcomes\n got %q\nwant %q", got, want)
				}
				res, err = importRecs(ctx, eng, tenant, spec, []importer.Record{rec(0, "email", "a@example.com", "city", "Oslo")})
				if err != nil || res.Updated != 1 {
					t.Fatalf("update without the required field: %+v, %v", res, err)
				}
			})
		})
	}
}
