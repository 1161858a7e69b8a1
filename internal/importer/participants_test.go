package importer_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/testdb"
)

func TestDecideParticipant(t *testing.T) {
	t.Parallel()
	type cell struct {
		outcome intake.Outcome
		code    string
	}
	want := map[intake.Mode][2]cell{ // [participant absent, exists]
		intake.ModeCreate:      {{intake.OutcomeCreated, ""}, {intake.OutcomeUpdated, ""}},
		intake.ModeUpsert:      {{intake.OutcomeCreated, ""}, {intake.OutcomeUpdated, ""}},
		intake.ModeIgnoreOrAdd: {{intake.OutcomeCreated, ""}, {intake.OutcomeSkipped, intake.CodeAlreadyExists}},
		intake.ModeUpdate:      {{intake.OutcomeSkipped, intake.CodeNotFound}, {intake.OutcomeUpdated, ""}},
		intake.ModeDelete:      {{intake.OutcomeSkipped, intake.CodeNotFound}, {intake.OutcomeDeleted, ""}},
		intake.ModeValidate:    {{intake.OutcomeCreated, ""}, {intake.OutcomeUpdated, ""}},
	}
	for _, mode := range intake.Modes {
		for i, exists := range []bool{false, true} {
			out, code := importer.DecideParticipant(mode, exists)
			if w := want[mode][i]; out != w.outcome || code != w.code {
				t.Errorf("%s, participant exists=%v: %s %q, want %s %q", mode, exists, out, code, w.outcome, w.code)
			}
		}
	}
}

// participantRun is one participants import of recs into event "conf".
type participantRun struct {
	t      *testing.T
	s      store.Store
	eng    *importer.Engine
	tenant int64
	event  intake.Event
}

func (r participantRun) run(mode intake.Mode, createContacts bool, recs ...map[string]string) *result {
	r.t.Helper()
	spec := opts(mode)
	spec.Resource, spec.EventKey, spec.CreateContacts = intake.ResourceParticipants, r.event.Key, createContacts
	in := make([]importer.Record, len(recs))
	for i, f := range recs {
		in[i] = importer.Record{Row: i, Fields: f}
	}
	res, err := importRecs(context.Background(), r.eng, r.tenant, spec, in)
	if err != nil {
		r.t.Fatal(err)
	}
	return res
}

// stored lists the event's participants as email → status.
func (r participantRun) stored() map[string]string {
	r.t.Helper()
	ps, err := r.s.ListParticipants(context.Background(), r.tenant, r.event.ID, store.ParticipantFilter{Limit: 100})
	if err != nil {
		r.t.Fatal(err)
	}
	out := map[string]string{}
	for _, p := range ps {
		out[p.Contact.Email] = p.Status
	}
	return out
}

// outcomes renders each item as "outcome[/code][+contact]".
func participantOutcomes(items []*importer.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = string(it.Outcome)
		if e := it.Err(); e != nil {
			out[i] += "/" + e.Code
		}
		if it.ContactCreated {
			out[i] += "+contact"
		}
	}
	return out
}

func TestParticipantImports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rows := []map[string]string{
		{"email": "ann@example.com", "status": "attended", "city": "Bergen"}, // an existing contact: never changed
		{"email": "Bob@Example.com", "first_name": "Bob"},                    // no contact yet
		{"first_name": "Nomail"},                                             // no match value
		{"email": "not-an-email"},                                            // invalid like a contact row
	}
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			s := b.Open(t)
			setup := func(t *testing.T) participantRun {
				r := participantRun{t: t, s: s, eng: &importer.Engine{Store: s}, tenant: newTenant(t, s), event: intake.Event{Key: "conf"}}
				if err := s.CreateEvent(ctx, r.tenant, &r.event); err != nil {
					t.Fatal(err)
				}
				ann := &intake.Contact{Email: "ann@example.com", City: "Oslo"}
				if err := s.Write(ctx, r.tenant, func(tx store.Tx) error { return tx.InsertContacts(ctx, []*intake.Contact{ann}) }); err != nil {
					t.Fatal(err)
				}
				return r
			}
			check := func(t *testing.T, res *result, created, updated, skipped, failed, contacts int, want ...string) {
				t.Helper()
				if res.Created != created || res.Updated != updated || res.Skipped != skipped || res.Failed != failed || res.ContactsCreated != contacts {
					t.Errorf("counts %+v, want created %d updated %d skipped %d failed %d contacts_created %d", res.Counts, created, updated, skipped, failed, contacts)
				}
				if got := participantOutcomes(res.Items); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("outcomes %v, want %v", got, want)
				}
			}

			t.Run("create_contacts true, twice: contacts created once, participants never duplicated", func(t *testing.T) {
				r := setup(t)
				res := r.run(intake.ModeCreate, true, rows...)
				check(t, res, 2, 0, 0, 2, 1, "created", "created+contact", "failed/missing_match_key", "failed/invalid_email")
				if res.Items[0].ID == 0 || res.Items[1].ID == 0 {
					t.Fatalf("participant ids %d %d", res.Items[0].ID, res.Items[1].ID)
				}
				res = r.run(intake.ModeCreate, true, rows...)
				check(t, res, 0, 2, 0, 2, 0, "updated", "updated", "failed/missing_match_key", "failed/invalid_email")
				if got := r.stored(); fmt.Sprint(got) != "map[ann@example.com:attended bob@example.com:registered]" {
					t.Fatalf("participants %v", got)
				}
				cs := all(t, s, r.tenant)
				if len(cs) != 2 || cs[0].City != "Oslo" || cs[1].FirstName != "Bob" {
					t.Fatalf("contacts %+v: ann must keep Oslo, bob is created once", cs)
				}
			})

			t.Run("create_contacts false, twice: unknown people fail with contact_not_found, nothing created", func(t *testing.T) {
				r := setup(t)
				for range 2 {
					res := r.run(intake.ModeCreate, false, rows...)
					if e := res.Items[1].Err(); e == nil || e.Field != "email" || e.Message != `No contact has email "bob@example.com", and create_contacts is false, so the row was not added to event "conf".` {
						t.Fatalf("bob's error %+v", e)
					}
				}
				if got := r.stored(); fmt.Sprint(got) != "map[ann@example.com:attended]" {
					t.Fatalf("participants %v", got)
				}
				if cs := all(t, s, r.tenant); len(cs) != 1 {
					t.Fatalf("contacts %+v", cs)
				}
			})

			t.Run("every mode on a participant that exists and one that does not", func(t *testing.T) {
				r := setup(t)
				r.run(intake.ModeCreate, true, map[string]string{"email": "ann@example.com"}, map[string]string{"email": "dora@example.com"})
				r.run(intake.ModeDelete, true, map[string]string{"email": "dora@example.com"}) // dora: a contact, no participant
				both := []map[string]string{{"email": "ann@example.com", "status": "cancelled"}, {"email": "dora@example.com", "status": "waitlist"}}
				check(t, r.run(intake.ModeUpdate, true, both...), 0, 1, 1, 0, 0, "updated", "skipped/not_found")
				check(t, r.run(intake.ModeIgnoreOrAdd, true, both...), 1, 0, 1, 0, 0, "skipped/already_exists", "created")
				if got := r.stored(); fmt.Sprint(got) != "map[ann@example.com:cancelled dora@example.com:waitlist]" {
					t.Fatalf("participants %v", got)
				}
				check(t, r.run(intake.ModeValidate, true, map[string]string{"email": "eve@example.com"}, both[0]), 1, 1, 0, 0, 1, "created+contact", "updated")
				check(t, r.run(intake.ModeDelete, true, both[0], map[string]string{"email": "eve@example.com"}), 0, 0, 1, 0, 0, "deleted", "skipped/not_found")
				if got := r.stored(); fmt.Sprint(got) != "map[dora@example.com:waitlist]" {
					t.Fatalf("participants %v", got)
				}
				if cs := all(t, s, r.tenant); len(cs) != 2 {
					t.Fatalf("delete removed a contact or validate wrote one: %+v", cs)
				}
			})

			t.Run("an empty status keeps the stored one unless ignore_empty_fields is false", func(t *testing.T) {
				r := setup(t)
				r.run(intake.ModeCreate, true, map[string]string{"email": "ann@example.com", "status": "vip"})
				r.run(intake.ModeUpsert, true, map[string]string{"email": "ann@example.com", "status": ""})
				if got := r.stored()["ann@example.com"]; got != "vip" {
					t.Fatalf("status %q", got)
				}
				spec := opts(intake.ModeUpsert)
				spec.Resource, spec.EventKey, spec.IgnoreEmptyFields = intake.ResourceParticipants, "conf", false
				if _, err := importRecs(ctx, r.eng, r.tenant, spec, []importer.Record{{Fields: map[string]string{"email": "ann@example.com", "status": ""}}}); err != nil {
					t.Fatal(err)
				}
				if got := r.stored()["ann@example.com"]; got != intake.ParticipantStatusDefault {
					t.Fatalf("status %q after clearing", got)
				}
			})

			t.Run("a status over 64 characters fails the row", func(t *testing.T) {
				r := setup(t)
				res := r.run(intake.ModeCreate, true, map[string]string{"email": "ann@example.com", "status": fmt.Sprintf("%065d", 0)})
				if e := res.Items[0].Err(); e == nil || e.Code != intake.CodeTooLong || e.Field != "status" {
					t.Fatalf("error %+v", e)
				}
			})

			t.Run("an unknown event stops the run", func(t *testing.T) {
				r := setup(t)
				spec := opts(intake.ModeCreate)
				spec.Resource, spec.EventKey = intake.ResourceParticipants, "nope"
				_, err := importRecs(ctx, r.eng, r.tenant, spec, []importer.Record{{Fields: map[string]string{"email": "ann@example.com"}}})
				if intake.ErrorCode(err) != intake.ENOTFOUND {
					t.Fatalf("err %v", err)
				}
			})
		})
	}
}
