package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// testEvents checks events: a taken key is a conflict, starts_at
// round-trips, lists page by id, and no tenant sees another's.
func testEvents(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, b := setup(t, open)
	starts := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
	e1 := &intake.Event{Key: "conf-2026", Name: "Conference", StartsAt: &starts}
	if err := s.CreateEvent(ctx, a.ID, e1); err != nil || e1.ID == 0 || e1.CreatedAt.IsZero() {
		t.Fatalf("create: %v %+v", err, e1)
	}
	if err := s.CreateEvent(ctx, a.ID, &intake.Event{Key: "conf-2026"}); intake.ErrorCode(err) != intake.ECONFLICT {
		t.Fatalf("a taken key: %v, want conflict", err)
	}
	if err := s.CreateEvent(ctx, b.ID, &intake.Event{Key: "conf-2026"}); err != nil {
		t.Fatalf("another tenant may use the same key: %v", err)
	}
	e2 := &intake.Event{Key: "dinner"}
	if err := s.CreateEvent(ctx, a.ID, e2); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetEvent(ctx, a.ID, "conf-2026")
	if err != nil || got.ID != e1.ID || got.Name != "Conference" || got.StartsAt == nil || !got.StartsAt.Equal(starts) {
		t.Fatalf("get: %+v %v", got, err)
	}
	if got, err := s.GetEvent(ctx, a.ID, "dinner"); err != nil || got.StartsAt != nil {
		t.Fatalf("an event without starts_at: %+v %v", got, err)
	}
	page, err := s.ListEvents(ctx, a.ID, 0, 1)
	if err != nil || len(page) != 1 || page[0].Key != "conf-2026" {
		t.Fatalf("first page: %+v %v", page, err)
	}
	page, err = s.ListEvents(ctx, a.ID, page[0].ID, 10)
	if err != nil || len(page) != 1 || page[0].Key != "dinner" {
		t.Fatalf("second page: %+v %v", page, err)
	}
	if list, _ := s.ListEvents(ctx, b.ID, 0, 10); len(list) != 1 || list[0].ID == e1.ID {
		t.Fatalf("globex lists %+v", list)
	}
	if err := s.DeleteEvent(ctx, b.ID, "dinner"); intake.ErrorCode(err) != intake.ENOTFOUND {
		t.Fatalf("globex deletes acme's event: %v", err)
	}
	if err := s.DeleteEvent(ctx, a.ID, "dinner"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetEvent(ctx, a.ID, "dinner"); intake.ErrorCode(err) != intake.ENOTFOUND {
		t.Fatalf("deleted event: %v", err)
	}
}

// testParticipants checks the participant batch methods, the unique
// participant per event and contact, the list with contacts, GetContact's
// events, and that deleting an event keeps the contacts.
func testParticipants(t *testing.T, open opener) {
	f := newParticipantsFixture(t, open)
	f.checkWrites(t)
	f.checkTenancy(t)
	f.checkReads(t)
}

// participantsFixture is testParticipants' tenant a with events conf and
// dinner, contacts ann and cas (and bob), and participants ps: ann and bob at
// conf, ann at dinner.
type participantsFixture struct {
	s        store.Store
	a, b     intake.Tenant
	ann, cas *intake.Contact
	conf     *intake.Event
	ps       []*intake.Participant
}

func newParticipantsFixture(t *testing.T, open opener) *participantsFixture {
	ctx := context.Background()
	s, a, b := setup(t, open)
	ann, bob, cas := &intake.Contact{Email: "ann@example.com", Name: "Ann"}, &intake.Contact{Email: "bob@example.com"}, &intake.Contact{Name: "Cas"}
	insert(t, s, a.ID, ann, bob, cas)
	conf, dinner := &intake.Event{Key: "conf", Name: "Conference"}, &intake.Event{Key: "dinner", Name: "Dinner"}
	for _, e := range []*intake.Event{conf, dinner} {
		if err := s.CreateEvent(ctx, a.ID, e); err != nil {
			t.Fatal(err)
		}
	}
	write := func(tenant int64, fn func(tx store.Tx) error) error { return s.Write(ctx, tenant, fn) }
	ps := []*intake.Participant{{EventID: conf.ID, ContactID: ann.ID, Status: "registered"},
		{EventID: conf.ID, ContactID: bob.ID, Status: "attended"}, {EventID: dinner.ID, ContactID: ann.ID, Status: "invited"}}
	if err := write(a.ID, func(tx store.Tx) error { return tx.InsertParticipants(ctx, ps) }); err != nil {
		t.Fatal(err)
	}
	if ps[0].ID == 0 || ps[1].ID == 0 || ps[2].ID == 0 || ps[0].ID == ps[1].ID || ps[0].CreatedAt.IsZero() {
		t.Fatalf("ids not set: %+v %+v %+v", ps[0], ps[1], ps[2])
	}
	return &participantsFixture{s: s, a: a, b: b, ann: ann, cas: cas, conf: conf, ps: ps}
}

func (f *participantsFixture) write(tenant int64, fn func(tx store.Tx) error) error {
	return f.s.Write(context.Background(), tenant, fn)
}

// checkWrites: one participant per event and contact; find by event and
// contact, update, delete.
func (f *participantsFixture) checkWrites(t *testing.T) {
	ctx := context.Background()
	a, conf, ann, cas, ps, write := f.a, f.conf, f.ann, f.cas, f.ps, f.write
	// One participant per event and contact, however it is asked for.
	err := write(a.ID, func(tx store.Tx) error {
		return tx.InsertParticipants(ctx, []*intake.Participant{{EventID: conf.ID, ContactID: ann.ID, Status: "again"}})
	})
	if intake.ErrorCode(err) != intake.ECONFLICT {
		t.Fatalf("a second participant for one contact: %v, want conflict", err)
	}
	err = write(a.ID, func(tx store.Tx) error {
		ev, err := tx.EventByKey(ctx, "conf")
		if err != nil || ev.ID != conf.ID {
			t.Errorf("EventByKey: %+v %v", ev, err)
		}
		found, err := tx.FindParticipants(ctx, conf.ID, []int64{ann.ID, cas.ID})
		if err != nil || len(found) != 1 || found[0].ID != ps[0].ID || found[0].Status != "registered" {
			t.Errorf("find: %+v %v", found, err)
		}
		ps[0].Status = "cancelled"
		if err := tx.UpdateParticipants(ctx, []*intake.Participant{ps[0]}); err != nil {
			return err
		}
		return tx.DeleteParticipants(ctx, []int64{ps[1].ID})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkTenancy: another tenant finds neither the event nor its
// participants, and deletes none of them.
func (f *participantsFixture) checkTenancy(t *testing.T) {
	ctx := context.Background()
	conf, ann, ps := f.conf, f.ann, f.ps
	err := f.write(f.b.ID, func(tx store.Tx) error {
		if _, err := tx.EventByKey(ctx, "conf"); intake.ErrorCode(err) != intake.ENOTFOUND {
			t.Errorf("globex finds acme's event: %v", err)
		}
		if found, _ := tx.FindParticipants(ctx, conf.ID, []int64{ann.ID}); len(found) != 0 {
			t.Errorf("globex finds acme's participants: %+v", found)
		}
		return tx.DeleteParticipants(ctx, []int64{ps[0].ID})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkReads: the list with contacts and its status filter, the
// contact's events, and deleting an event keeping its contacts.
func (f *participantsFixture) checkReads(t *testing.T) {
	ctx := context.Background()
	s, a, b, conf, ann := f.s, f.a, f.b, f.conf, f.ann
	list, err := s.ListParticipants(ctx, a.ID, conf.ID, store.ParticipantFilter{Limit: 10})
	if err != nil || len(list) != 1 || list[0].Status != "cancelled" || list[0].Contact == nil || list[0].Contact.Email != "ann@example.com" {
		t.Fatalf("list after update and delete: %+v %v", list, err)
	}
	if list, _ := s.ListParticipants(ctx, a.ID, conf.ID, store.ParticipantFilter{Limit: 10, Status: "registered"}); len(list) != 0 {
		t.Fatalf("status filter: %+v", list)
	}
	if list, _ := s.ListParticipants(ctx, b.ID, conf.ID, store.ParticipantFilter{Limit: 10}); len(list) != 0 {
		t.Fatalf("globex lists acme's participants: %+v", list)
	}
	c, err := s.GetContact(ctx, a.ID, ann.ID)
	want := []intake.ContactEvent{{Key: "conf", Name: "Conference", Status: "cancelled"}, {Key: "dinner", Name: "Dinner", Status: "invited"}}
	if err != nil || !slices.Equal(c.Events, want) {
		t.Fatalf("ann's events %+v, want %+v (%v)", c.Events, want, err)
	}
	if err := s.DeleteEvent(ctx, a.ID, "dinner"); err != nil {
		t.Fatal(err)
	}
	c, err = s.GetContact(ctx, a.ID, ann.ID)
	if err != nil || len(c.Events) != 1 || c.Events[0].Key != "conf" {
		t.Fatalf("after deleting dinner, ann is %+v %v", c.Events, err)
	}
}

// testParticipantPaging checks that participants page by id.
func testParticipantPaging(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, _ := setup(t, open)
	e := &intake.Event{Key: "big"}
	if err := s.CreateEvent(ctx, a.ID, e); err != nil {
		t.Fatal(err)
	}
	var cs []*intake.Contact
	var ps []*intake.Participant
	for i := range 5 {
		cs = append(cs, &intake.Contact{Name: string(rune('A' + i))})
	}
	insert(t, s, a.ID, cs...)
	for _, c := range cs {
		ps = append(ps, &intake.Participant{EventID: e.ID, ContactID: c.ID, Status: "registered"})
	}
	if err := s.Write(ctx, a.ID, func(tx store.Tx) error { return tx.InsertParticipants(ctx, ps) }); err != nil {
		t.Fatal(err)
	}
	var names []string
	after := int64(0)
	for range 4 {
		page, err := s.ListParticipants(ctx, a.ID, e.ID, store.ParticipantFilter{After: after, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page {
			names = append(names, p.Contact.Name)
			after = p.ID
		}
	}
	if !slices.Equal(names, []string{"A", "B", "C", "D", "E"}) {
		t.Fatalf("paged %v", names)
	}
}
