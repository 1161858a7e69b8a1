package importer

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// index is the batch's view of the stored contacts it touches, kept current
// as the batch decides, so later items see what earlier ones did.
type index struct {
	fields  []string
	byKey   map[string][]*intake.Contact
	byEmail map[string]*intake.Contact
	byCust  map[string]*intake.Contact
}

func newIndex(fields []string, existing []intake.Contact) *index {
	ix := &index{fields: fields, byKey: map[string][]*intake.Contact{},
		byEmail: map[string]*intake.Contact{}, byCust: map[string]*intake.Contact{}}
	for i := range existing {
		ix.add(&existing[i])
	}
	return ix
}

func (ix *index) add(c *intake.Contact) {
	if k := matchKey(c, ix.fields); k != "" {
		ix.byKey[k] = append(ix.byKey[k], c)
	}
	if c.Email != "" {
		ix.byEmail[c.Email] = c
	}
	if c.CustomerNumber != "" {
		ix.byCust[c.CustomerNumber] = c
	}
}

func (ix *index) remove(c *intake.Contact) {
	if k := matchKey(c, ix.fields); k != "" {
		ix.byKey[k] = slices.DeleteFunc(ix.byKey[k], func(o *intake.Contact) bool { return o == c })
	}
	if ix.byEmail[c.Email] == c {
		delete(ix.byEmail, c.Email)
	}
	if ix.byCust[c.CustomerNumber] == c {
		delete(ix.byCust, c.CustomerNumber)
	}
}

// taken returns a row error if c's email or customer number belongs to a
// stored contact other than self (nil for a new contact).
func (ix *index) taken(c, self *intake.Contact) *intake.RowError {
	if o := ix.byEmail[c.Email]; c.Email != "" && o != nil && o != self {
		return &intake.RowError{Field: intake.FieldEmail, Value: c.Email, Code: intake.CodeValueTaken,
			Message: fmt.Sprintf("The email %q already belongs to another contact (id %d).", c.Email, o.ID)}
	}
	if o := ix.byCust[c.CustomerNumber]; c.CustomerNumber != "" && o != nil && o != self {
		return &intake.RowError{Field: intake.FieldCustomerNumber, Value: c.CustomerNumber, Code: intake.CodeValueTaken,
			Message: fmt.Sprintf("The customer number %q already belongs to another contact (id %d).", c.CustomerNumber, o.ID)}
	}
	return nil
}

// lookupFor collects the key values the batch needs from the store: its match
// values, and every email and customer number, because those are unique and
// a new or changed value may collide with a contact matched by another key.
func lookupFor(fields []string, items []*Item) store.Lookup {
	var l store.Lookup
	for _, it := range items {
		c := &it.Contact
		if c.Email != "" {
			l.Emails = append(l.Emails, c.Email)
		}
		if c.CustomerNumber != "" {
			l.CustomerNumbers = append(l.CustomerNumbers, c.CustomerNumber)
		}
		for _, f := range fields {
			switch v := fieldValue(c, f); {
			case v == "":
			case f == intake.FieldPhone:
				l.Phones = append(l.Phones, v)
			case f == intake.FieldName:
				l.Names = append(l.Names, v)
			case strings.HasPrefix(f, intake.CustomPrefix):
				if l.Custom == nil {
					l.Custom = map[string][]string{}
				}
				name := strings.TrimPrefix(f, intake.CustomPrefix)
				l.Custom[name] = append(l.Custom[name], v)
			}
		}
	}
	return l
}

// Apply decides every undecided item of a batch against the stored contacts
// and, unless the mode is validate, writes the batch through tx. Items that
// are already decided (failed validation, in-file duplicates) are left alone.
func Apply(ctx context.Context, tx store.Tx, opts intake.Options, items []*Item) error {
	p, err := DecideBatch(ctx, tx, opts, items)
	if err != nil || opts.Mode == intake.ModeValidate {
		return err
	}
	return p.Write(ctx, tx)
}

// Plan is a decided batch: what to delete, update and insert.
type Plan struct {
	// Found is how many stored contacts the batch's lookup returned.
	Found int

	inserts, updates []*intake.Contact
	deletes          []int64
	inserted         []*Item
}

// DecideBatch sets the outcome of every undecided item against the stored
// contacts and returns the writes that carry it out, without writing.
// Updates that would change nothing are counted as updated but not planned.
func DecideBatch(ctx context.Context, tx store.Tx, opts intake.Options, items []*Item) (*Plan, error) {
	plan := &Plan{}
	live := slices.DeleteFunc(slices.Clone(items), func(it *Item) bool { return it.Outcome != "" })
	if len(live) == 0 {
		return plan, nil
	}
	existing, err := tx.FindContacts(ctx, lookupFor(opts.MatchFields, live))
	if err != nil {
		return nil, fmt.Errorf("find existing contacts: %w", err)
	}
	plan.Found = len(existing)
	plan.decide(opts, live, existing)
	return plan, nil
}

// Optimistic reports whether a batch may be decided with DecideAbsent:
// the mode creates absent records, and every match field is backed by a
// unique index (email, customer number), so a record that does exist makes
// the insert fail instead of silently duplicating it.
func Optimistic(opts intake.Options) bool {
	switch opts.Mode {
	case intake.ModeCreate, intake.ModeUpsert, intake.ModeIgnoreOrAdd:
	default:
		return false
	}
	for _, f := range opts.MatchFields {
		if f != intake.FieldEmail && f != intake.FieldCustomerNumber {
			return false
		}
	}
	return true
}

// DecideAbsent decides a batch as if none of its keys were stored, without
// a lookup: everything live is created. Callers write the plan inside a
// savepoint and, on an ECONFLICT, restore the items (Undo) and decide the
// batch again with DecideBatch. Only valid when Optimistic(opts).
func DecideAbsent(opts intake.Options, items []*Item) (*Plan, Undo) {
	undo := make(Undo, len(items))
	for i, it := range items {
		undo[i] = undoEntry{it, it.Outcome, it.Err}
	}
	plan := &Plan{}
	plan.decide(opts, slices.DeleteFunc(slices.Clone(items), func(it *Item) bool { return it.Outcome != "" }), nil)
	return plan, undo
}

// Undo restores the decisions of a batch to what they were.
type Undo []undoEntry

type undoEntry struct {
	it      *Item
	outcome intake.Outcome
	err     *intake.RowError
}

// Restore puts every item back as it was before the decision.
func (u Undo) Restore() {
	for _, e := range u {
		e.it.Outcome, e.it.Err = e.outcome, e.err
	}
}

// decide sets the outcome of every live item against existing contacts.
func (plan *Plan) decide(opts intake.Options, live []*Item, existing []intake.Contact) {
	ix := newIndex(opts.MatchFields, existing)
	fail := func(it *Item, re *intake.RowError) {
		re.Index = it.Index
		it.Outcome, it.Err = intake.OutcomeFailed, re
	}
	for _, it := range live {
		var matches []*intake.Contact
		if it.Key != "" {
			matches = ix.byKey[it.Key]
		}
		if len(matches) > 1 {
			fail(it, &intake.RowError{Field: opts.MatchFields[0], Code: "ambiguous_match",
				Message: fmt.Sprintf("%d contacts have %s; match on a unique field to choose one.", len(matches), describeKey(&it.Contact, opts.MatchFields))})
			continue
		}
		var cur *intake.Contact
		if len(matches) == 1 {
			cur = matches[0]
		}
		outcome, code := Decide(opts.Mode, cur != nil)
		switch outcome {
		case intake.OutcomeCreated:
			c := it.Contact
			if re := ix.taken(&c, nil); re != nil {
				fail(it, re)
				continue
			}
			ix.add(&c)
			plan.inserts = append(plan.inserts, &c)
			plan.inserted = append(plan.inserted, it)
		case intake.OutcomeUpdated:
			merged := merge(cur, it, opts.IgnoreEmptyFields)
			if re := ix.taken(&merged, cur); re != nil {
				fail(it, re)
				continue
			}
			it.Contact.ID = cur.ID
			if !merged.SameData(cur) {
				ix.remove(cur)
				*cur = merged
				ix.add(cur)
				plan.updates = append(plan.updates, cur)
			}
		case intake.OutcomeDeleted:
			it.Contact.ID = cur.ID
			ix.remove(cur)
			plan.deletes = append(plan.deletes, cur.ID)
		case intake.OutcomeSkipped:
			if cur != nil {
				it.Contact.ID = cur.ID
			}
			it.Err = &intake.RowError{Index: it.Index, Field: opts.MatchFields[0], Code: code,
				Message: skipMessage(code, opts.Mode, describeKey(&it.Contact, opts.MatchFields))}
		}
		it.Outcome = outcome
	}
}

// Write carries out the plan through tx: deletes, then updates, then
// inserts (so a value freed by one contact can be taken by another), each
// as one batch call. Inserted items get their new IDs.
func (p *Plan) Write(ctx context.Context, tx store.Tx) error {
	deletes, updates, inserts, inserted := p.deletes, p.updates, p.inserts, p.inserted
	if len(deletes) > 0 {
		if err := tx.DeleteContacts(ctx, deletes); err != nil {
			return fmt.Errorf("delete %d contacts: %w", len(deletes), err)
		}
	}
	if len(updates) > 0 {
		if err := tx.UpdateContacts(ctx, updates); err != nil {
			return fmt.Errorf("update %d contacts: %w", len(updates), err)
		}
	}
	if len(inserts) > 0 {
		if err := tx.InsertContacts(ctx, inserts); err != nil {
			return fmt.Errorf("insert %d contacts: %w", len(inserts), err)
		}
		for i, it := range inserted {
			it.Contact = *inserts[i]
		}
	}
	return nil
}

// merge applies an incoming record to a stored contact. Only fields the
// record carries are touched; an empty value clears the stored one unless
// ignoreEmpty (the default) keeps it.
func merge(cur *intake.Contact, it *Item, ignoreEmpty bool) intake.Contact {
	m := *cur
	m.Tags = slices.Clone(cur.Tags)
	m.Custom = maps.Clone(cur.Custom)
	m.Alternates = slices.Clone(cur.Alternates)
	in := &it.Contact
	set := func(field string, dst *string, v string) {
		if _, ok := it.Present[field]; !ok {
			return
		}
		if v != "" || !ignoreEmpty {
			*dst = v
		}
	}
	derivedName := cur.Name == strings.TrimSpace(cur.FirstName+" "+cur.LastName)
	set(intake.FieldEmail, &m.Email, in.Email)
	set(intake.FieldCustomerNumber, &m.CustomerNumber, in.CustomerNumber)
	set(intake.FieldFirstName, &m.FirstName, in.FirstName)
	set(intake.FieldLastName, &m.LastName, in.LastName)
	set(intake.FieldPhone, &m.Phone, in.Phone)
	set(intake.FieldCompany, &m.Company, in.Company)
	set(intake.FieldAddress, &m.Address, in.Address)
	set(intake.FieldCity, &m.City, in.City)
	set(intake.FieldPostalCode, &m.PostalCode, in.PostalCode)
	set(intake.FieldCountry, &m.Country, in.Country)
	set(intake.FieldNotes, &m.Notes, in.Notes)
	if strings.TrimSpace(it.Present[intake.FieldName]) != "" || (!ignoreEmpty && hasKey(it.Present, intake.FieldName)) {
		m.Name = strings.TrimSpace(it.Present[intake.FieldName])
	} else if derivedName {
		// The stored name was derived from first and last name: keep it so.
		m.Name = strings.TrimSpace(m.FirstName + " " + m.LastName)
	}
	if _, ok := it.Present[intake.FieldTags]; ok && (len(in.Tags) > 0 || !ignoreEmpty) {
		m.Tags = in.Tags
	}
	for k, v := range it.Present {
		name, ok := strings.CutPrefix(k, intake.CustomPrefix)
		if !ok {
			continue
		}
		switch nv := in.Custom[name]; {
		case nv != "":
			if m.Custom == nil {
				m.Custom = map[string]string{}
			}
			m.Custom[name] = nv
		case strings.TrimSpace(v) == "" && !ignoreEmpty:
			delete(m.Custom, name)
		}
	}
	for k := range it.Present {
		typ, kind, ok := intake.AlternateField(k)
		if !ok {
			continue
		}
		var nv []intake.Alternate
		for _, a := range in.Alternates {
			if a.Type == typ && a.Kind == kind {
				nv = append(nv, a)
			}
		}
		if len(nv) == 0 && ignoreEmpty {
			continue
		}
		m.Alternates = slices.DeleteFunc(m.Alternates, func(a intake.Alternate) bool { return a.Type == typ && a.Kind == kind })
		m.Alternates = append(m.Alternates, nv...)
	}
	slices.SortFunc(m.Alternates, func(a, b intake.Alternate) int {
		return strings.Compare(a.Type+"\x00"+a.Kind+"\x00"+a.Value, b.Type+"\x00"+b.Kind+"\x00"+b.Value)
	})
	if len(m.Custom) == 0 {
		m.Custom = nil
	}
	return m
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }
