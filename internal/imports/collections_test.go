package imports

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/directory"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/testdb"
)

// recordKeys lists collection name's records as "contact id:key", in id order.
func recordKeys(t *testing.T, b *bundle, name string) []string {
	t.Helper()
	c, rs, err := directory.New(b.store, b.svc.Engine).Records(context.Background(), b.tenant, name, store.RecordFilter{Limit: 1000})
	if err != nil {
		t.Fatalf("records of %s: %v", name, err)
	}
	var out []string
	for _, r := range rs {
		email := "-"
		if r.ContactID != 0 {
			ct, err := b.store.GetContact(context.Background(), b.tenant, r.ContactID)
			if err != nil {
				t.Fatal(err)
			}
			email = ct.Email
		}
		out = append(out, email+":"+strings.ReplaceAll(r.Key, "\x1f", "+")+"="+r.Values[c.Fields[len(c.Fields)-1].Name])
	}
	return out
}

// TestRemoveMissingRecords is remove_missing on a contact's children (match
// fields with a child key) and on a collection's records, as file jobs on
// both stores.
func TestRemoveMissingRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	orders := func(remove bool, mode intake.Mode) func(*intake.Import) {
		return func(im *intake.Import) {
			im.Spec.MatchFields, im.Spec.RemoveMissing, im.Spec.Mode = []string{"email", "Order.OrderID"}, remove, mode
			im.Spec.Mapping["Order.OrderID"], im.Spec.Mapping["Order.Status"] = "Order.OrderID", "Order.Status"
		}
	}
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			s := be.Open(t)
			run := func(t *testing.T, b *bundle, content string, mutate func(*intake.Import)) intake.Import {
				t.Helper()
				im := b.newImport(t, content, mutate)
				if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
					t.Fatal(err)
				}
				return getImport(t, b, im.ID)
			}
			t.Run("children the file does not contain go; other contacts' children and contacts stay", func(t *testing.T) {
				b := setup(t, s)
				seed := "email,Order.OrderID,Order.Status\nann@x.nl,1,new\nann@x.nl,2,new\nann@x.nl,3,new\nbob@x.nl,1,new\n"
				im := run(t, b, seed, orders(false, intake.ModeUpsert))
				if im.Created != 2 || im.Updated != 2 || im.FailedRows != 0 || len(im.Warnings) != 1 || !strings.Contains(im.Warnings[0], "Collection Order did not exist") {
					t.Fatalf("seed: %+v", im)
				}
				want := []string{"ann@x.nl:1=new", "ann@x.nl:2=new", "ann@x.nl:3=new", "bob@x.nl:1=new"}
				if got := recordKeys(t, b, "Order"); !slices.Equal(got, want) {
					t.Fatalf("seeded %v", got)
				}
				im = run(t, b, "email,Order.OrderID,Order.Status\nann@x.nl,1,paid\nann@x.nl,3,new\n", orders(true, intake.ModeValidate))
				if im.Deleted != 0 || !slices.ContainsFunc(im.Warnings, func(w string) bool { return strings.Contains(w, "not previewed") }) {
					t.Fatalf("validate: %+v", im)
				}
				im = run(t, b, "email,Order.OrderID,Order.Status\nann@x.nl,1,paid\nann@x.nl,3,new\n", orders(true, intake.ModeUpsert))
				if im.Updated != 2 || im.Deleted != 1 || im.FailedRows != 0 {
					t.Fatalf("remove missing: %+v", im)
				}
				want = []string{"ann@x.nl:1=paid", "ann@x.nl:3=new", "bob@x.nl:1=new"}
				if got := recordKeys(t, b, "Order"); !slices.Equal(got, want) {
					t.Fatalf("after remove_missing %v", got)
				}
				if got := storedEmails(t, s, b.tenant); !slices.Equal(got, []string{"ann@x.nl", "bob@x.nl"}) {
					t.Fatalf("contacts %v", got)
				}
				errs, _ := s.ListImportErrors(ctx, b.tenant, im.ID, 0, 10)
				if len(errs) != 1 || errs[0].Outcome != intake.OutcomeRemoved || errs[0].Row != 4 || errs[0].Value != "2" ||
					!strings.Contains(errs[0].Message, "Order record") {
					t.Fatalf("report %+v", errs)
				}
			})
			t.Run("a collection's records the file does not contain go", func(t *testing.T) {
				b := setup(t, s)
				items := func(remove bool) func(*intake.Import) {
					return func(im *intake.Import) {
						im.Spec.Resource, im.Spec.MatchFields, im.Spec.RemoveMissing = intake.CollectionResource("items"), []string{"sku"}, remove
						im.Spec.Mapping = map[string]string{"sku": "sku", "qty": "qty"}
					}
				}
				run(t, b, "sku,qty\nA,1\nB,2\nC,3\n", items(false))
				im := run(t, b, "sku,qty\nA,1\nC,4\n", items(true))
				if im.Updated != 2 || im.Deleted != 1 {
					t.Fatalf("remove missing: %+v", im)
				}
				if got := recordKeys(t, b, "items"); !slices.Equal(got, []string{"-:A=1", "-:C=4"}) {
					t.Fatalf("records %v", got)
				}
			})
		})
	}
}

// TestCollectionRoute is what a dialect that routes a record type to a
// collection does (Plannr's notes): the default spec with resource
// collection:NAME and nothing else. The job starts at once (no email is
// required of a collection's file), creates the collection from the
// headers and links rows to clients.
func TestCollectionRoute(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be.Open(t))
			b.svc.Queue = enqueueOnly{} // the test runs the job itself
			spec := intake.DefaultSpec()
			spec.Resource, spec.Required = intake.CollectionResource("notes"), []string{intake.FieldEmail}
			if _, err := b.svc.Bulk(ctx, b.tenant, nil, intake.DefaultSpec(), []importer.Record{{Fields: map[string]string{"email": "ann@x.nl"}}}); err != nil {
				t.Fatal(err)
			}
			up, err := b.svc.Save(ctx, b.tenant, strings.NewReader("client,Note Text\nann@x.nl,Called\nann@x.nl,Wrote\n"), "notes.csv", "")
			if err != nil {
				t.Fatal(err)
			}
			c, err := b.svc.Create(ctx, b.tenant, Input{Upload: up, Translate: fixed(intake.ImportRequest{Spec: spec, Autostart: true, Remap: true})})
			if err == nil {
				err = b.svc.Run(ctx, b.tenant, c.Import.ID)
			}
			im := c.Import
			if err == nil {
				im, err = b.svc.Get(ctx, b.tenant, im.ID)
			}
			if err != nil || im.Status != intake.StatusCompleted || im.Created != 2 || len(im.Spec.MatchFields) != 0 ||
				im.Spec.Mapping["client"] != intake.LinkContact || im.Spec.Mapping["Note Text"] != "note_text" {
				t.Fatalf("job %+v %v", im, err)
			}
			// No column is named like an id: each record is keyed by its
			// whole content (issue 19 #6), so re-sending adds nothing.
			got := recordKeys(t, b, "notes")
			if len(got) != 2 || got[0] == got[1] || !strings.HasPrefix(got[0], "ann@x.nl:content:") || !strings.HasSuffix(got[0], "=Called") ||
				!strings.HasPrefix(got[1], "ann@x.nl:content:") || !strings.HasSuffix(got[1], "=Wrote") {
				t.Fatalf("records %v", got)
			}
		})
	}
}

// enqueueOnly is a Queue that leaves the job for the test to run.
type enqueueOnly struct{}

func (enqueueOnly) EnqueueTx(context.Context, store.JobTx, int64, int64) error { return nil }
