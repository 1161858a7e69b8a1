package importer_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/testdb"
)

// collTest is one tenant on one store for the collection tests.
type collTest struct {
	t      *testing.T
	s      store.Store
	eng    *importer.Engine
	tenant int64
}

func newCollTest(t *testing.T, s store.Store) *collTest {
	return &collTest{t: t, s: s, eng: &importer.Engine{Store: s, Region: "NL"}, tenant: newTenant(t, s)}
}

// rec builds a record from field, value pairs.
func rec(row int, kv ...string) importer.Record {
	f := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		f[kv[i]] = kv[i+1]
	}
	return importer.Record{Row: row, Fields: f}
}

// run imports recs as a bulk request does and returns the result and items.
func (c *collTest) run(spec intake.ImportSpec, recs ...importer.Record) (importer.Result, []*importer.Item) {
	c.t.Helper()
	var sink importer.Collect
	res, err := c.eng.Run(context.Background(), c.tenant, spec, importer.Records(recs), &sink, importer.Options{Noun: "record"})
	if err != nil {
		c.t.Fatal(err)
	}
	return res, sink.Items
}

// spec is the default spec with match fields parsed as the dialects do.
func (c *collTest) spec(mode intake.Mode, match ...string) intake.ImportSpec {
	c.t.Helper()
	reg, err := c.eng.Registry(context.Background(), c.tenant)
	if err != nil {
		c.t.Fatal(err)
	}
	s := intake.DefaultSpec()
	s.Mode = mode
	if s.MatchFields, err = reg.ParseMatchFields(match...); err != nil {
		c.t.Fatal(err)
	}
	return s
}

func (c *collTest) define(coll intake.Collection) {
	c.t.Helper()
	if err := coll.Validate(); err != nil {
		c.t.Fatal(err)
	}
	if err := c.s.Write(context.Background(), c.tenant, func(tx store.Tx) error { return tx.SaveCollection(context.Background(), &coll) }); err != nil {
		c.t.Fatal(err)
	}
}

func (c *collTest) collection(name string) intake.Collection {
	c.t.Helper()
	var coll intake.Collection
	err := c.s.Write(context.Background(), c.tenant, func(tx store.Tx) error {
		var err error
		coll, err = tx.FindCollection(context.Background(), name)
		return err
	})
	if err != nil {
		c.t.Fatalf("collection %s: %v", name, err)
	}
	return coll
}

// records lists a collection's records as "contact:field=value,…".
func (c *collTest) records(name string) []string {
	c.t.Helper()
	coll := c.collection(name)
	rs, err := c.s.ListRecords(context.Background(), c.tenant, store.RecordFilter{CollectionID: coll.ID, Limit: 1000})
	if err != nil {
		c.t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		var kv []string
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range r.Values {
				if !yield(k) {
					return
				}
			}
		}) {
			kv = append(kv, k+"="+r.Values[k])
		}
		out = append(out, contactEmail(c, r.ContactID)+":"+strings.Join(kv, ","))
	}
	return out
}

func contactEmail(c *collTest, id int64) string {
	if id == 0 {
		return "-"
	}
	ct, err := c.s.GetContact(context.Background(), c.tenant, id)
	if err != nil {
		c.t.Fatal(err)
	}
	return ct.Email
}

func counts(r importer.Result) [5]int {
	return [5]int{r.Created, r.Updated, r.Deleted, r.Skipped, r.Failed}
}

// copernica is the seed's second PHP example (003): keyFields Email and
// Order.OrderID, its rows mapped (Contactpersoon is name).
func copernica() []importer.Record {
	return []importer.Record{
		rec(0, "email", "support@copernica.com", "name", "Jeroen", "Order.OrderID", "00001", "Order.Status", "Completed"),
		rec(1, "email", "info@copernica.com", "name", "Danny", "Order.OrderID", "00001", "Order.Status", "Completed"),
	}
}

func TestCopernicaSubprofiles(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			c := newCollTest(t, b.Open(t))
			spec := c.spec(intake.ModeUpsert, "Email", "Order.OrderID")
			if !slices.Equal(spec.MatchFields, []string{"email", "Order.OrderID"}) {
				t.Fatalf("match fields %v", spec.MatchFields)
			}
			res, _ := c.run(spec, copernica()...)
			if counts(res) != [5]int{2, 0, 0, 0, 0} || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "Collection Order did not exist") {
				t.Fatalf("first run: %+v", res)
			}
			coll := c.collection("order")
			if coll.Name != "Order" || !coll.BelongsToContact || !slices.Equal(coll.KeyFields, []string{"OrderID"}) || len(coll.Fields) != 2 {
				t.Fatalf("created collection %+v", coll)
			}
			want := []string{"support@copernica.com:OrderID=00001,Status=Completed", "info@copernica.com:OrderID=00001,Status=Completed"}
			if got := c.records("Order"); !slices.Equal(got, want) {
				t.Fatalf("records %v", got)
			}
			// The same request again: the contacts and their orders are updated, nothing duplicated.
			spec = c.spec(intake.ModeUpsert, "Email", "Order.OrderID")
			res, _ = c.run(spec, copernica()...)
			if counts(res) != [5]int{0, 2, 0, 0, 0} || len(res.Warnings) != 0 {
				t.Fatalf("second run: %+v", res)
			}
			if got := c.records("Order"); !slices.Equal(got, want) {
				t.Fatalf("records after the second run %v", got)
			}
			if n := len(all(t, c.s, c.tenant)); n != 2 {
				t.Fatalf("%d contacts", n)
			}
			// A changed status updates the order; a new OrderID adds one.
			res, _ = c.run(spec, rec(0, "email", "info@copernica.com", "Order.OrderID", "00001", "Order.Status", "Shipped"),
				rec(1, "email", "info@copernica.com", "Order.OrderID", "00002", "Order.Status", "New"))
			if counts(res) != [5]int{0, 2, 0, 0, 0} {
				t.Fatalf("third run: %+v", res)
			}
			want = []string{"support@copernica.com:OrderID=00001,Status=Completed", "info@copernica.com:OrderID=00001,Status=Shipped",
				"info@copernica.com:OrderID=00002,Status=New"}
			if got := c.records("Order"); !slices.Equal(got, want) {
				t.Fatalf("records after the third run %v", got)
			}
			// deleteTarget subprofile: only the matching orders go; contacts stay.
			del := c.spec(intake.ModeDelete, "Email", "Order.OrderID")
			del.DeleteTarget = intake.DeleteSubprofile
			res, items := c.run(del, append(copernica(), rec(2, "email", "info@copernica.com", "Order.OrderID", "00009"),
				rec(3, "email", "nobody@copernica.com", "Order.OrderID", "00001"))...)
			if counts(res) != [5]int{0, 0, 2, 2, 0} {
				t.Fatalf("delete subprofile: %+v %+v", res, outcomes(items))
			}
			if items[2].Err().Code != intake.CodeNotFound || !strings.Contains(items[2].Err().Message, `Order record with OrderID "00009"`) {
				t.Fatalf("an order the contact does not have: %+v", items[2].Errs)
			}
			if got := c.records("Order"); !slices.Equal(got, []string{"info@copernica.com:OrderID=00002,Status=New"}) {
				t.Fatalf("records after delete %v", got)
			}
			if n := len(all(t, c.s, c.tenant)); n != 2 {
				t.Fatalf("delete subprofile deleted contacts: %d left", n)
			}
			// deleteTarget profile: the contact goes, its children with it.
			del.DeleteTarget = ""
			del.MatchFields = []string{"email"}
			res, _ = c.run(del, rec(0, "email", "info@copernica.com"))
			if res.Deleted != 1 || len(c.records("Order")) != 0 || len(all(t, c.s, c.tenant)) != 1 {
				t.Fatalf("delete profile: %+v %v", res, c.records("Order"))
			}
		})
	}
}

func TestChildRecords(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			s := b.Open(t)
			t.Run("one contact with two orders in one file: one contact, two orders", func(t *testing.T) {
				c := newCollTest(t, s)
				res, _ := c.run(c.spec(intake.ModeUpsert, "email", "Order.OrderID"),
					rec(0, "email", "ann@x.nl", "Order.OrderID", "1", "Order.Status", "new"),
					rec(1, "email", "ann@x.nl", "Order.OrderID", "2", "Order.Status", "paid"))
				if counts(res) != [5]int{1, 1, 0, 0, 0} || len(all(t, c.s, c.tenant)) != 1 {
					t.Fatalf("%+v", res)
				}
				if got := c.records("Order"); !slices.Equal(got, []string{"ann@x.nl:OrderID=1,Status=new", "ann@x.nl:OrderID=2,Status=paid"}) {
					t.Fatalf("records %v", got)
				}
			})
			t.Run("a defined collection checks types: a bad number fails the row, nothing is written", func(t *testing.T) {
				c := newCollTest(t, s)
				c.define(intake.Collection{Name: "Order", BelongsToContact: true, KeyFields: []string{"OrderID"},
					Fields: []intake.CollectionField{{Name: "OrderID", Type: intake.TypeText}, {Name: "Amount", Type: intake.TypeNumber}}})
				res, items := c.run(c.spec(intake.ModeUpsert, "email", "Order.OrderID"),
					rec(0, "email", "ann@x.nl", "Order.OrderID", "1", "Order.Amount", "12,50"),
					rec(1, "email", "bob@x.nl", "Order.OrderID", "2", "Order.Amount", "lots"))
				if counts(res) != [5]int{1, 0, 0, 0, 1} || len(res.Warnings) != 0 {
					t.Fatalf("%+v", res)
				}
				if e := items[1].Err(); e.Code != intake.CodeInvalidNumber || e.Field != "Order.Amount" || e.Value != "lots" {
					t.Fatalf("error %+v", e)
				}
				if got := c.records("Order"); !slices.Equal(got, []string{"ann@x.nl:Amount=12.5,OrderID=1"}) {
					t.Fatalf("records %v", got)
				}
				if n := len(all(t, c.s, c.tenant)); n != 1 {
					t.Fatalf("%d contacts: the failed row's contact was written", n)
				}
			})
			t.Run("a defined collection's key fields are the child keys", func(t *testing.T) {
				c := newCollTest(t, s)
				c.define(intake.Collection{Name: "Order", BelongsToContact: true, KeyFields: []string{"OrderID"},
					Fields: []intake.CollectionField{{Name: "OrderID", Type: intake.TypeText}, {Name: "Status", Type: intake.TypeText}}})
				reg, _ := c.eng.Registry(context.Background(), c.tenant)
				if _, err := reg.ParseMatchFields("email", "Order.Status"); err == nil {
					t.Fatal("Order.Status accepted as a child key of a collection keyed by OrderID")
				}
				// Without Order.OrderID in the match fields, the collection's key still finds the order.
				for range 2 {
					c.run(c.spec(intake.ModeUpsert, "email"), rec(0, "email", "ann@x.nl", "Order.OrderID", "7", "Order.Status", "new"))
				}
				if got := c.records("Order"); !slices.Equal(got, []string{"ann@x.nl:OrderID=7,Status=new"}) {
					t.Fatalf("records %v", got)
				}
			})
		})
	}
}

// charges is a Plannr charges file, its client column mapped to contact_email.
func charges() []importer.Record {
	return []importer.Record{
		rec(2, "contact_email", "Ann@X.nl", "charge_id", "C1", "amount", "100", "description", "Advice fee"),
		rec(3, "contact_email", "bob@x.nl", "charge_id", "C2", "amount", "250", "description", "Review"),
		rec(4, "contact_email", "carl@x.nl", "charge_id", "C3", "amount", "75", "description", "Unknown client"),
	}
}

func TestCollectionImport(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			s := b.Open(t)
			clients := func(c *collTest) {
				c.run(c.spec(intake.ModeUpsert), rec(0, "email", "ann@x.nl"), rec(1, "email", "bob@x.nl"))
			}
			t.Run("Plannr charges linked to clients by email; an unknown client fails contact_not_found", func(t *testing.T) {
				c := newCollTest(t, s)
				clients(c)
				spec := intake.DefaultSpec()
				spec.Resource, spec.MatchFields = intake.CollectionResource("charges"), []string{"charge_id"}
				res, items := c.run(spec, charges()...)
				if counts(res) != [5]int{2, 0, 0, 0, 1} || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "keyed by charge_id") {
					t.Fatalf("%+v %+v", res, outcomes(items))
				}
				if e := items[2].Err(); e.Code != intake.CodeContactNotFound || e.Value != "carl@x.nl" {
					t.Fatalf("unknown client: %+v", e)
				}
				want := []string{"ann@x.nl:amount=100,charge_id=C1,description=Advice fee", "bob@x.nl:amount=250,charge_id=C2,description=Review"}
				if got := c.records("charges"); !slices.Equal(got, want) {
					t.Fatalf("records %v", got)
				}
				if coll := c.collection("charges"); !coll.BelongsToContact || !slices.Equal(coll.KeyFields, []string{"charge_id"}) {
					t.Fatalf("collection %+v", coll)
				}
				res, _ = c.run(spec, charges()...)
				if counts(res) != [5]int{0, 2, 0, 0, 1} || len(c.records("charges")) != 2 {
					t.Fatalf("again: %+v", res)
				}
			})
			t.Run("every mode on a defined collection", func(t *testing.T) {
				c := newCollTest(t, s)
				c.define(intake.Collection{Name: "items", KeyFields: []string{"sku"},
					Fields: []intake.CollectionField{{Name: "sku", Type: intake.TypeText}, {Name: "qty", Type: intake.TypeNumber, Required: true}}})
				spec := func(m intake.Mode) intake.ImportSpec {
					sp := intake.DefaultSpec()
					sp.Resource, sp.Mode = intake.CollectionResource("items"), m
					return sp
				}
				for _, step := range []struct {
					mode  intake.Mode
					recs  []importer.Record
					want  [5]int
					after []string
				}{
					{intake.ModeValidate, []importer.Record{rec(0, "sku", "A", "qty", "1")}, [5]int{1, 0, 0, 0, 0}, nil},
					{intake.ModeCreate, []importer.Record{rec(0, "sku", "A", "qty", "1"), rec(1, "sku", "B", "qty", "x")}, [5]int{1, 0, 0, 0, 1}, []string{"-:qty=1,sku=A"}},
					{intake.ModeCreate, []importer.Record{rec(0, "sku", "A", "qty", "5")}, [5]int{0, 0, 0, 1, 0}, []string{"-:qty=1,sku=A"}},
					{intake.ModeUpdate, []importer.Record{rec(0, "sku", "A", "qty", "2"), rec(1, "sku", "B", "qty", "2")}, [5]int{0, 1, 0, 1, 0}, []string{"-:qty=2,sku=A"}},
					{intake.ModeIgnoreOrAdd, []importer.Record{rec(0, "sku", "A", "qty", "9"), rec(1, "sku", "B", "qty", "3")}, [5]int{1, 0, 0, 1, 0}, []string{"-:qty=2,sku=A", "-:qty=3,sku=B"}},
					{intake.ModeUpsert, []importer.Record{rec(0, "sku", "B", "qty", "4"), rec(1, "sku", "C")}, [5]int{0, 1, 0, 0, 1}, []string{"-:qty=2,sku=A", "-:qty=4,sku=B"}},
					{intake.ModeValidate, []importer.Record{rec(0, "sku", "B", "qty", "8"), rec(1, "sku", "D", "qty", "1")}, [5]int{1, 1, 0, 0, 0}, []string{"-:qty=2,sku=A", "-:qty=4,sku=B"}},
					{intake.ModeDelete, []importer.Record{rec(0, "sku", "A"), rec(1, "sku", "Z"), rec(2, "qty", "1")}, [5]int{0, 0, 1, 1, 1}, []string{"-:qty=4,sku=B"}},
				} {
					res, items := c.run(spec(step.mode), step.recs...)
					if counts(res) != step.want || !slices.Equal(c.records("items"), step.after) {
						t.Fatalf("%s: %v %+v, records %v", step.mode, counts(res), outcomes(items), c.records("items"))
					}
				}
			})
			t.Run("in-file duplicates and all-or-nothing", func(t *testing.T) {
				c := newCollTest(t, s)
				c.define(intake.Collection{Name: "items", KeyFields: []string{"sku"},
					Fields: []intake.CollectionField{{Name: "sku", Type: intake.TypeText}, {Name: "qty", Type: intake.TypeNumber}}})
				sp := intake.DefaultSpec()
				sp.Resource = intake.CollectionResource("items")
				res, items := c.run(sp, rec(0, "sku", "A", "qty", "1"), rec(1, "sku", "A", "qty", "2"), rec(2, "sku", "B", "qty", "3"))
				if counts(res) != [5]int{2, 0, 0, 1, 0} || items[0].Err().Code != intake.CodeDuplicateInFile {
					t.Fatalf("use_last: %+v", outcomes(items))
				}
				if got := c.records("items"); !slices.Equal(got, []string{"-:qty=2,sku=A", "-:qty=3,sku=B"}) {
					t.Fatalf("records %v", got)
				}
				sp.SkipOnError = false
				res, items = c.run(sp, rec(0, "sku", "C", "qty", "1"), rec(1, "sku", "A", "qty", "nine"))
				if !res.Rejected || items[0].Err().Code != intake.CodeNotWrittenBatch || items[1].Err().Code != intake.CodeInvalidNumber {
					t.Fatalf("all or nothing: %+v %+v", res, outcomes(items))
				}
				if got := c.records("items"); !slices.Equal(got, []string{"-:qty=2,sku=A", "-:qty=3,sku=B"}) {
					t.Fatalf("records after a rejected import %v", got)
				}
			})
			t.Run("a defined collection matches on its key fields only", func(t *testing.T) {
				c := newCollTest(t, s)
				c.define(intake.Collection{Name: "items", KeyFields: []string{"sku"}, Fields: []intake.CollectionField{{Name: "sku", Type: intake.TypeText}}})
				reg, _ := c.eng.Registry(context.Background(), c.tenant)
				if _, err := reg.ParseCollectionMatchFields("items", "qty"); intake.ErrorCode(err) != intake.EINVALID {
					t.Fatalf("another match field: %v", err)
				}
				if m, err := reg.ParseCollectionMatchFields("items", "email"); err != nil || !slices.Equal(m, []string{"sku"}) {
					t.Fatalf("the default: %v %v", m, err)
				}
			})
		})
	}
}
