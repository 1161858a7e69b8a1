package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// testIDsNeverReused checks that an id, once given, is never given again
// after its row is deleted, for every kind of row whose id clients hold: a
// client holding "contact 31", or a report saying it was removed, must
// never come to point at someone else. The newest row is the one deleted:
// that is the id SQLite without AUTOINCREMENT would hand out again.
func testIDsNeverReused(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, _ := setup(t, open)
	w := func(fn func(tx store.Tx) error) {
		t.Helper()
		write(t, s, a.ID, fn)
	}
	ann := &intake.Contact{Email: "ann@example.com"}
	insert(t, s, a.ID, ann)
	conf := &intake.Event{Key: "conf", Name: "Conference"}
	if err := s.CreateEvent(ctx, a.ID, conf); err != nil {
		t.Fatal(err)
	}
	order := &intake.Collection{Name: "Order", KeyFields: []string{"OrderID"}}
	w(func(tx store.Tx) error { return tx.SaveCollection(ctx, order) })

	kinds := append(rowKinds(t, s, a.ID, w, conf, order), definitionKinds(t, s, a.ID, w)...)
	for _, k := range kinds {
		first, newest := k.create(1), k.create(2)
		if first == 0 || newest <= first {
			t.Fatalf("%s ids %d, %d: want increasing", k.name, first, newest)
		}
		k.remove(newest)
		if next := k.create(3); next <= newest {
			t.Errorf("a new %s got id %d after %d was deleted: ids must never be reused", k.name, next, newest)
		}
	}
}

// idKind creates the nth row of a kind, returning its id, and deletes one.
type idKind struct {
	name   string
	create func(n int) int64
	remove func(id int64)
}

// rowKinds are the kinds of data rows: contacts, participants of conf,
// records of order, groups and locations.
func rowKinds(t *testing.T, s store.Store, tenant int64, w func(func(store.Tx) error), conf *intake.Event, order *intake.Collection) []idKind {
	ctx := context.Background()
	return []idKind{
		{"contact", func(n int) int64 {
			c := &intake.Contact{Email: fmt.Sprintf("c%d@example.com", n)}
			insert(t, s, tenant, c)
			return c.ID
		}, func(id int64) { w(func(tx store.Tx) error { return tx.DeleteContacts(ctx, []int64{id}) }) }},
		{"participant", func(n int) int64 {
			c := &intake.Contact{Email: fmt.Sprintf("p%d@example.com", n)}
			insert(t, s, tenant, c)
			p := &intake.Participant{EventID: conf.ID, ContactID: c.ID, Status: "registered"}
			w(func(tx store.Tx) error { return tx.InsertParticipants(ctx, []*intake.Participant{p}) })
			return p.ID
		}, func(id int64) { w(func(tx store.Tx) error { return tx.DeleteParticipants(ctx, []int64{id}) }) }},
		{"collection record", func(n int) int64 {
			r := &intake.CollectionRecord{CollectionID: order.ID, Key: fmt.Sprint(n), Values: map[string]string{"OrderID": fmt.Sprint(n)}}
			w(func(tx store.Tx) error { return tx.InsertRecords(ctx, []*intake.CollectionRecord{r}) })
			return r.ID
		}, func(id int64) {
			w(func(tx store.Tx) error { _, err := tx.DeleteRecords(ctx, []int64{id}); return err })
		}},
		{"group", func(n int) int64 {
			g := &intake.Group{Name: fmt.Sprintf("Group %d", n), Resource: intake.GroupOfContacts}
			w(func(tx store.Tx) error { return tx.InsertGroups(ctx, []*intake.Group{g}) })
			return g.ID
		}, func(id int64) {
			w(func(tx store.Tx) error { _, err := tx.DeleteGroups(ctx, []int64{id}); return err })
		}},
		{"location", func(n int) int64 {
			l := &intake.Location{Name: fmt.Sprintf("Hall %d", n)}
			w(func(tx store.Tx) error { return tx.InsertLocation(ctx, l) })
			return l.ID
		}, func(id int64) {
			w(func(tx store.Tx) error { _, err := tx.DeleteLocations(ctx, []int64{id}); return err })
		}},
	}
}

// definitionKinds are the kinds of rows that define others: events,
// collections and custom fields.
func definitionKinds(t *testing.T, s store.Store, tenant int64, w func(func(store.Tx) error)) []idKind {
	ctx := context.Background()
	return []idKind{
		{"event", func(n int) int64 {
			e := &intake.Event{Key: fmt.Sprintf("e%d", n)}
			if err := s.CreateEvent(ctx, tenant, e); err != nil {
				t.Fatal(err)
			}
			return e.ID
		}, func(id int64) {
			evs, err := s.ListEvents(ctx, tenant, id-1, 1)
			if err != nil || len(evs) != 1 {
				t.Fatalf("event %d: %+v %v", id, evs, err)
			}
			if err := s.DeleteEvent(ctx, tenant, evs[0].Key); err != nil {
				t.Fatal(err)
			}
		}},
		{"custom field", func(n int) int64 {
			f := &intake.CustomField{Name: fmt.Sprintf("f%d", n), Type: intake.TypeText}
			if err := saveField(s, tenant, f); err != nil {
				t.Fatal(err)
			}
			return f.ID
		}, func(id int64) { w(func(tx store.Tx) error { return tx.DeleteField(ctx, id) }) }},
		{"collection", func(n int) int64 {
			c := &intake.Collection{Name: fmt.Sprintf("Things%d", n)}
			w(func(tx store.Tx) error { return tx.SaveCollection(ctx, c) })
			return c.ID
		}, func(id int64) { w(func(tx store.Tx) error { return tx.DeleteCollection(ctx, id) }) }},
	}
}
