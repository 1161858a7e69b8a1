package importer

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// participants is the Resource for an event's participants (Plandocket,
// spec.EventKey). A row is a contact's fields plus status: it finds its
// contact by the match fields and creates it when there is none (unless
// spec.CreateContacts is false: then the row fails with contact_not_found).
// Contacts that exist are never changed by a participant import: a key with
// the participants scope alone may run one. The mode applies to the
// participant (DecideParticipant); an item's Data is the row's contact and
// its ID the participant's.
type participants struct {
	contacts *contacts
}

func newParticipants(region string, reg *intake.Registry) *participants {
	return &participants{contacts: newContacts(region, reg)}
}

// statusField is the participant's own field, from the registry of them.
var statusField = intake.ParticipantFields[0]

// DecideParticipant is the mode table of participants. It is the contacts'
// table (Decide) except that create, like upsert, updates a participant
// that exists: "add these people to the event" twice must neither fail nor
// duplicate anyone, so a second create sets the status again.
func DecideParticipant(mode intake.Mode, exists bool) (intake.Outcome, string) {
	if mode == intake.ModeCreate {
		mode = intake.ModeUpsert
	}
	return Decide(mode, exists)
}

// Key implements Resource: the contact's match key.
func (r *participants) Key(spec *intake.ImportSpec, rec Record) string {
	return r.contacts.Key(spec, rec)
}

// Prepare implements Resource: the row's contact, normalised and checked as
// a contact import checks it, and its status. A row without a match value
// fails in every mode: it could find no contact, and creating one would
// add a new contact each time the file is imported again.
func (r *participants) Prepare(spec *intake.ImportSpec, rec Record) *Item {
	c, errs := r.contacts.norm.build(rec.Fields)
	it := &Item{Row: rec.Row, Fields: rec.Fields, Data: &c, Key: itemKey(&c, spec.MatchFields)}
	if st := strings.TrimSpace(rec.Fields[intake.FieldStatus]); st != "" {
		if _, re := r.contacts.norm.value(statusField, st); re != nil {
			errs = append(errs, *re)
		}
	}
	if len(errs) == 0 && it.Key == "" {
		errs = append(errs, intake.RowError{Field: spec.MatchFields[0], Code: intake.CodeMissingMatchKey,
			Message: fmt.Sprintf("The row has no %s, which a participant needs to find its contact.", joinFields(spec.MatchFields))})
	}
	if len(errs) > 0 {
		it.set(intake.OutcomeFailed, errs...)
	}
	return it
}

// Optimistic implements Resource: participants are always looked up, as
// the mode depends on whether the contact already takes part.
func (r *participants) Optimistic(*intake.ImportSpec) bool { return false }

// Decide implements Resource: one lookup of the chunk's contacts, one of
// their participants in the event, then every item against both.
func (r *participants) Decide(ctx context.Context, tx store.Tx, spec *intake.ImportSpec, items []*Item, _ bool) (Plan, error) {
	live := slices.DeleteFunc(slices.Clone(items), func(it *Item) bool { return it.Outcome != "" })
	if len(live) == 0 {
		return &participantPlan{}, nil
	}
	ev, err := tx.EventByKey(ctx, spec.EventKey)
	if err != nil {
		return nil, fmt.Errorf("participants of event %q: %w", spec.EventKey, err)
	}
	existing, err := tx.FindContacts(ctx, lookupFor(spec.MatchFields, r.contacts.norm.reg.UniqueCustom(), live))
	if err != nil {
		return nil, fmt.Errorf("find participants' contacts: %w", err)
	}
	ix := newIndex(spec.MatchFields, r.contacts.norm.reg.UniqueCustom(), existing)
	ids := make([]int64, len(existing))
	for i, c := range existing {
		ids[i] = c.ID
	}
	found, err := tx.FindParticipants(ctx, ev.ID, ids)
	if err != nil {
		return nil, fmt.Errorf("find participants of event %q: %w", spec.EventKey, err)
	}
	plan := &participantPlan{spec: spec, event: ev, ix: ix, reg: r.contacts.norm.reg, byContact: make(map[int64]*intake.Participant, len(found)),
		found: len(existing) + len(found)}
	for i := range found {
		plan.byContact[found[i].ContactID] = &found[i]
	}
	for _, it := range live {
		plan.decide(it)
	}
	return plan, nil
}

// participantPlan is a decided chunk of participants: the contacts to
// create, then the participants to delete, update and insert.
type participantPlan struct {
	spec      *intake.ImportSpec
	event     intake.Event
	ix        *index
	reg       *intake.Registry // the tenant's fields: a unique custom one identifies a contact
	byContact map[int64]*intake.Participant
	found     int

	contacts         []*intake.Contact
	inserts, updates []*intake.Participant
	deletes          []int64
	inserted         []*Item
}

func (p *participantPlan) Found() int { return p.found }

// decide sets one item's outcome and plans its writes.
func (p *participantPlan) decide(it *Item) {
	spec, in := p.spec, contactOf(it)
	matches := p.ix.byKey[it.Key]
	if len(matches) > 1 {
		it.set(intake.OutcomeFailed, intake.RowError{Field: spec.MatchFields[0], Code: intake.CodeAmbiguousMatch,
			Message: fmt.Sprintf("%d contacts have %s; match on a unique field to choose one.", len(matches), describeKey(in, spec.MatchFields))})
		return
	}
	var cur *intake.Contact
	var part *intake.Participant
	if len(matches) == 1 {
		cur = matches[0]
		in.ID, part = cur.ID, p.byContact[cur.ID]
	}
	outcome, code := DecideParticipant(spec.Mode, part != nil)
	status := strings.TrimSpace(it.Fields[intake.FieldStatus])
	switch outcome {
	case intake.OutcomeCreated:
		if cur == nil && !p.createContact(it) {
			return
		}
		if status == "" {
			status = intake.ParticipantStatusDefault
		}
		np := &intake.Participant{EventID: p.event.ID, ContactID: in.ID, Status: status, Contact: in}
		if cur != nil {
			p.byContact[cur.ID] = np
		}
		p.inserts, p.inserted = append(p.inserts, np), append(p.inserted, it)
	case intake.OutcomeUpdated:
		it.ID = part.ID
		_, present := it.Fields[intake.FieldStatus]
		if status == "" && present && !spec.IgnoreEmptyFields {
			status = intake.ParticipantStatusDefault
		}
		if status != "" && status != part.Status {
			part.Status = status
			p.updates = append(p.updates, part)
		}
	case intake.OutcomeDeleted:
		it.ID = part.ID
		p.deletes = append(p.deletes, part.ID)
		delete(p.byContact, cur.ID)
	default:
		if part != nil {
			it.ID = part.ID
		}
		it.set(outcome, intake.RowError{Field: spec.MatchFields[0], Code: code,
			Message: p.skipMessage(code, describeKey(in, spec.MatchFields))})
		return
	}
	it.Outcome = outcome
}

// createContact plans the contact of a row that found none, with the
// checks a contact import makes; false when the row fails instead.
func (p *participantPlan) createContact(it *Item) bool {
	in := contactOf(it)
	switch {
	case !p.spec.CreateContacts:
		it.set(intake.OutcomeFailed, intake.RowError{Field: p.spec.MatchFields[0], Code: intake.CodeContactNotFound,
			Message: fmt.Sprintf("No contact has %s, and create_contacts is false, so the row was not added to event %q.",
				describeKey(in, p.spec.MatchFields), p.event.Key)})
		return false
	case !identified(p.reg, in):
		it.set(intake.OutcomeFailed, missingIdentity())
		return false
	}
	if re := p.ix.taken(in, nil); re != nil {
		it.set(intake.OutcomeFailed, *re)
		return false
	}
	p.ix.add(in)
	p.contacts = append(p.contacts, in)
	it.ContactCreated = true
	return true
}

// skipMessage is the sentence of a skipped participant row.
func (p *participantPlan) skipMessage(code, key string) string {
	switch code {
	case intake.CodeAlreadyExists:
		return fmt.Sprintf("The contact with %s already takes part in event %q; mode %s does not change participants.", key, p.event.Key, p.spec.Mode)
	case intake.CodeNotFound:
		return fmt.Sprintf("No contact with %s takes part in event %q; mode %s does not add participants.", key, p.event.Key, p.spec.Mode)
	}
	return "Skipped."
}

// Write implements Plan: new contacts first (the participants need their
// ids), then deletes, updates and inserts of participants, each one batch.
func (p *participantPlan) Write(ctx context.Context, tx store.Tx) error {
	if len(p.contacts) > 0 {
		if err := tx.InsertContacts(ctx, p.contacts); err != nil {
			return fmt.Errorf("insert %d contacts of participants: %w", len(p.contacts), err)
		}
	}
	if len(p.deletes) > 0 {
		if err := tx.DeleteParticipants(ctx, p.deletes); err != nil {
			return fmt.Errorf("delete %d participants: %w", len(p.deletes), err)
		}
	}
	if len(p.updates) > 0 {
		if err := tx.UpdateParticipants(ctx, p.updates); err != nil {
			return fmt.Errorf("update %d participants: %w", len(p.updates), err)
		}
	}
	if len(p.inserts) == 0 {
		return nil
	}
	for _, np := range p.inserts {
		np.ContactID = np.Contact.ID
	}
	if err := tx.InsertParticipants(ctx, p.inserts); err != nil {
		return fmt.Errorf("insert %d participants: %w", len(p.inserts), err)
	}
	for i, it := range p.inserted {
		it.ID = p.inserts[i].ID
	}
	return nil
}

// The participants kind: an event's participants (spec.EventKey), a
// contact's fields plus status per row; it needs the participants scope,
// and the contacts scope too when rows may create their contacts.
func init() {
	register(&Kind{Name: intake.ResourceParticipants, Aliases: []string{"participant"}, Scope: intake.ScopeParticipants,
		CreatesContacts: true, NeedsEvent: true, vocabulary: participantVocabulary,
		newResource: func(spec *intake.ImportSpec, reg *intake.Registry, region, _ string, _ int64) (Resource, error) {
			if strings.TrimSpace(spec.EventKey) == "" {
				return nil, intake.Invalid("A participants import needs event_key.",
					intake.FieldError{Field: "event_key", Message: "A participants import needs event_key."})
			}
			return newParticipants(region, reg), nil
		}})
}

// participantVocabulary maps a column to the participant's own fields
// (status) first, then to a contact's.
func participantVocabulary(reg *intake.Registry, _ string) vocabulary {
	own := func(fallback func(string) (string, bool)) func(string) (string, bool) {
		return func(s string) (string, bool) {
			if f, ok := intake.SuggestIn(intake.ParticipantFields, s); ok {
				return f, true
			}
			return fallback(s)
		}
	}
	return vocabulary{"a participant field (status) or a contact field (use email, first_name, …, custom.NAME)",
		own(reg.Target), own(reg.Suggest)}
}
