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

// contacts is the Resource for contacts.
type contacts struct {
	norm normalizer
}

func newContacts(region string, reg *intake.Registry) *contacts {
	if region == "" {
		region = DefaultRegion
	}
	region = strings.ToUpper(region)
	return &contacts{norm: normalizer{region: region, reg: reg, monthFirst: region == "US"}}
}

func contactOf(it *Item) *intake.Contact { return it.Data.(*intake.Contact) }

// Key implements Resource: the match fields' values in their compared form
// (emails lower-cased, phones in E.164, names and custom values trimmed),
// without validating or building the rest of the contact: the duplicate
// scan of a file runs it on every row.
func (r *contacts) Key(spec *intake.ImportSpec, rec Record) string {
	var c intake.Contact
	fields := splitMultiValues(rec.Fields)
	for _, name := range spec.MatchFields {
		f, ok := r.norm.reg.Lookup(name)
		v := strings.TrimSpace(fields[name])
		switch {
		case !ok || v == "":
		case f.Custom:
			if c.Custom == nil {
				c.Custom = map[string]string{}
			}
			// Typed values compare in their stored form (a number 007 is 7).
			c.Custom[strings.TrimPrefix(name, intake.CustomPrefix)], _ = r.norm.value(f, v)
		case f.Type == intake.TypeEmail:
			c.Email = strings.ToLower(v)
		case f.Type == intake.TypePhone:
			c.Phone, _ = r.norm.forRow(fields).phone(v)
		case f.Column(&c) != nil:
			*f.Column(&c), _ = r.norm.value(f, v)
		}
	}
	if slices.Contains(spec.MatchFields, intake.FieldName) && c.Name == "" {
		c.Name = derivedName(rec.Fields)
	}
	if k := matchKey(&c, spec.MatchFields); k != "" {
		return k
	}
	if f, ok := r.norm.reg.Lookup(intake.FieldExternalID); ok {
		if v := strings.TrimSpace(fields[f.Name]); v != "" {
			c.ExternalID, _ = r.norm.value(f, v)
		}
	}
	if k := itemKey(&c, spec.MatchFields); k != "" || !spec.NameIdentity {
		return k
	}
	return nameKey(&intake.Contact{Name: r.recordName(fields)})
}

// Prepare implements Resource.
func (r *contacts) Prepare(spec *intake.ImportSpec, rec Record) *Item {
	c, errs := r.norm.build(rec.Fields)
	errs, partial := r.fieldLevel(spec, &c, errs)
	// The built contact holds every match value in its compared form, as
	// Key computes it, so the key is read off it instead of parsed again.
	// Merging reads which fields the record carries from Fields: a value
	// split off a multi-value cell is carried, a partial field is not (it
	// must not clear the stored value).
	fields := splitMultiValues(rec.Fields)
	if len(partial) > 0 {
		fields = maps.Clone(fields)
		for _, e := range partial {
			delete(fields, e.Field)
		}
	}
	it := &Item{Row: rec.Row, Fields: fields, Data: &c, Key: itemKey(&c, spec.MatchFields)}
	if it.Key == "" && spec.NameIdentity {
		it.Key = nameKey(&c)
	}
	if len(errs) == 0 && !identified(r.norm.reg, &c) && spec.Mode != intake.ModeDelete {
		errs = append(errs, missingIdentity())
	}
	// A dialect that limits the name (PackageX: 1–255) requires one.
	if max := spec.Limits[intake.FieldName]; len(errs) == 0 && max > 0 && c.Name == "" && spec.Mode != intake.ModeDelete {
		errs = append(errs, intake.RowError{Field: intake.FieldName, Code: intake.CodeRequired,
			Message: fmt.Sprintf("The name is required (1–%d characters).", max)})
	}
	// Without a match value a record cannot be found: update and delete
	// reject it, the creating modes create it (as Copernica and HubSpot do).
	if len(errs) == 0 && it.Key == "" && (spec.Mode == intake.ModeUpdate || spec.Mode == intake.ModeDelete) {
		errs = append(errs, intake.RowError{Field: spec.MatchFields[0], Code: intake.CodeMissingMatchKey,
			Message: fmt.Sprintf("The record has no %s, which mode %s needs to find the contact.", joinFields(spec.MatchFields), spec.Mode)})
	}
	if len(errs) > 0 {
		it.set(intake.OutcomeFailed, append(errs, partial...)...)
		return it
	}
	for i := range partial {
		partial[i].Row, partial[i].Outcome = rec.Row, intake.OutcomePartial
	}
	it.Partial = partial
	return it
}

// fieldLevel splits a row's errors into those that fail the row and those
// that only leave their field unset, clearing those fields on c: with
// spec.InvalidFields skip_field and skip_on_error, a bad value in a field
// that is neither a match field nor required (HubSpot's "partial"). A row
// whose identity or match value is bad still fails.
func (r *contacts) fieldLevel(spec *intake.ImportSpec, c *intake.Contact, errs []intake.RowError) (fatal, partial []intake.RowError) {
	if len(errs) == 0 || spec.InvalidFields != intake.InvalidFieldsSkipField || !spec.SkipOnError || spec.Mode == intake.ModeDelete {
		return errs, nil
	}
	for _, e := range errs {
		f, ok := r.norm.reg.Lookup(e.Field)
		if !ok || e.Field == "" || slices.Contains(spec.MatchFields, e.Field) || slices.Contains(spec.Required, e.Field) ||
			f.Required || e.Code == intake.CodeMissingRequired || (e.Field == intake.FieldName && spec.Limits[intake.FieldName] > 0) {
			fatal = append(fatal, e)
			continue
		}
		clearField(f, c)
		partial = append(partial, e)
	}
	return fatal, partial
}

// clearField unsets f on c: the value build kept for messages (an invalid
// primary email) or a list it set before finding it too long.
func clearField(f intake.Field, c *intake.Contact) {
	switch {
	case f.Custom:
		delete(c.Custom, strings.TrimPrefix(f.Name, intake.CustomPrefix))
	case f.List(c) != nil:
		*f.List(c) = nil
	case f.Column(c) != nil:
		*f.Column(c) = ""
	}
}

// identified reports whether c identifies a person: by email, customer
// number, external id, phone or name, or by the value of a unique custom field (which
// identifies a contact as a customer number does).
func identified(reg *intake.Registry, c *intake.Contact) bool {
	if c.Identified() {
		return true
	}
	for _, name := range reg.UniqueCustom() {
		if c.Custom[name] != "" {
			return true
		}
	}
	return false
}

// missingIdentity is the error of a contact that has nothing to identify a person by.
func missingIdentity() intake.RowError {
	return intake.RowError{Code: intake.CodeMissingIdentity,
		Message: "The record has no email, customer number, external id, phone, name or unique custom field, so it cannot identify a person."}
}

// Optimistic implements Resource: the mode creates absent records, and
// every match field is unique per tenant in the store contract, so a
// record that does exist makes the insert fail instead of duplicating it.
// A unique custom field is enforced only by the lookup (the stores have no
// index on it), so a tenant that has one is never optimistic.
func (r *contacts) Optimistic(spec *intake.ImportSpec) bool {
	if spec.RemoveMissing {
		return false // every record's contact must be known, failed ones too
	}
	if spec.NameIdentity {
		return false // a name is not unique in the stores: only the lookup finds it
	}
	if len(r.norm.reg.UniqueCustom()) > 0 {
		return false
	}
	switch spec.Mode {
	case intake.ModeCreate, intake.ModeUpsert, intake.ModeIgnoreOrAdd:
	default:
		return false
	}
	for _, f := range spec.MatchFields {
		if !slices.Contains(store.ContactUniqueFields, f) {
			return false
		}
	}
	return true
}

// lookupFor collects the key values a chunk needs from the store: its match
// values, and every value of a unique field (uniques are the unique custom
// fields), because a new or changed value may collide with a contact
// matched by another key.
func lookupFor(fields, uniques []string, items []*Item) store.Lookup {
	var l store.Lookup
	for _, it := range items {
		c := contactOf(it)
		for _, name := range uniques {
			if v := c.Custom[name]; v != "" && !slices.Contains(fields, intake.CustomPrefix+name) {
				if l.Custom == nil {
					l.Custom = map[string][]string{}
				}
				l.Custom[name] = append(l.Custom[name], v)
			}
		}
		if c.Email != "" {
			l.Emails = append(l.Emails, c.Email)
		}
		if c.CustomerNumber != "" {
			l.CustomerNumbers = append(l.CustomerNumbers, c.CustomerNumber)
		}
		if c.ExternalID != "" {
			l.ExternalIDs = append(l.ExternalIDs, c.ExternalID)
		}
		if isNameKey(it.Key) {
			l.Names = append(l.Names, strings.ToLower(c.Name))
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

// contactPlan is a decided chunk of contacts: what to delete, update and insert.
type contactPlan struct {
	reg *intake.Registry
	// targets is the contact each decided item found or creates: after
	// Write every one has its ID (child records need it).
	targets          map[*Item]*intake.Contact
	found            int
	inserts, updates []*intake.Contact
	deletes          []int64
	inserted         []*Item
}

func (p *contactPlan) Found() int { return p.found }

// Decide implements Resource. Updates that would change nothing are counted
// as updated but not planned.
func (r *contacts) Decide(ctx context.Context, tx store.Tx, spec *intake.ImportSpec, items []*Item, lookup bool) (Plan, error) {
	plan := &contactPlan{reg: r.norm.reg, targets: map[*Item]*intake.Contact{}}
	live := slices.DeleteFunc(slices.Clone(items), func(it *Item) bool { return it.Outcome != "" })
	// remove_missing must not remove the contact of a record that failed
	// or was skipped as an in-file duplicate: those are looked up too.
	var keep []*Item
	if spec.RemoveMissing {
		keep = slices.DeleteFunc(slices.Clone(items), func(it *Item) bool { return it.Outcome == "" || it.Key == "" || it.Data == nil })
	}
	if len(live)+len(keep) == 0 {
		return plan, nil
	}
	var existing []intake.Contact
	if lookup {
		var err error
		if existing, err = tx.FindContacts(ctx, lookupFor(spec.MatchFields, r.norm.reg.UniqueCustom(), append(slices.Clip(live), keep...))); err != nil {
			return nil, fmt.Errorf("find existing contacts: %w", err)
		}
	}
	plan.found = len(existing)
	ix := plan.decide(spec, live, existing)
	for _, it := range keep {
		if m := ix.byKey[it.Key]; len(m) == 1 {
			it.ID = m[0].ID
		}
	}
	return plan, nil
}

// decide sets the outcome of every live item against existing contacts.
func (plan *contactPlan) decide(spec *intake.ImportSpec, live []*Item, existing []intake.Contact) *index {
	ix := newIndexFor(spec, plan.reg.UniqueCustom(), existing)
	for _, it := range live {
		plan.decideRow(spec, ix, it)
	}
	return ix
}

// decideRow sets one item's outcome from its matches and the mode (the
// decision table is Decide's); the index follows every planned change so
// later rows of the chunk see it.
func (plan *contactPlan) decideRow(spec *intake.ImportSpec, ix *index, it *Item) {
	in := contactOf(it)
	var matches []*intake.Contact
	if it.Key != "" {
		matches = ix.byKey[it.Key]
	}
	if len(matches) > 1 {
		it.set(intake.OutcomeFailed, ambiguous(spec, in, matches))
		return
	}
	var cur *intake.Contact
	if len(matches) == 1 {
		cur = matches[0]
	}
	outcome, code := Decide(spec.Mode, cur != nil)
	switch outcome {
	case intake.OutcomeCreated:
		if !plan.planCreate(ix, it, in) {
			return
		}
	case intake.OutcomeUpdated:
		if !plan.planUpdate(spec, ix, it, in, cur) {
			return
		}
	case intake.OutcomeDeleted:
		it.ID, in.ID = cur.ID, cur.ID
		ix.remove(cur)
		plan.deletes = append(plan.deletes, cur.ID)
	case intake.OutcomeSkipped:
		if cur != nil {
			it.ID, in.ID = cur.ID, cur.ID
			plan.targets[it] = cur
		}
		it.set(outcome, intake.RowError{Field: spec.MatchFields[0], Code: code,
			Message: skipMessage(code, spec.Mode, describeKey(in, spec.MatchFields))})
		return
	}
	it.Outcome = outcome
}

// planCreate plans inserting the row's contact; false when the row failed
// (a required field missing, a unique value taken).
func (plan *contactPlan) planCreate(ix *index, it *Item, in *intake.Contact) bool {
	c := *in
	if errs := missingRequired(plan.reg, &c, nil); errs != nil {
		it.set(intake.OutcomeFailed, errs...)
		return false
	}
	if re := ix.taken(&c, nil); re != nil {
		it.set(intake.OutcomeFailed, *re)
		return false
	}
	ix.add(&c)
	plan.targets[it] = &c
	plan.inserts = append(plan.inserts, &c)
	plan.inserted = append(plan.inserted, it)
	return true
}

// planUpdate plans merging the row into cur (written only when the data
// changed); false when the row failed (a required field missing, a unique
// value taken).
func (plan *contactPlan) planUpdate(spec *intake.ImportSpec, ix *index, it *Item, in, cur *intake.Contact) bool {
	merged := merge(cur, it, spec.IgnoreEmptyFields)
	if errs := missingRequired(plan.reg, &merged, it.Fields); errs != nil {
		it.set(intake.OutcomeFailed, errs...)
		return false
	}
	if re := ix.taken(&merged, cur); re != nil {
		it.set(intake.OutcomeFailed, *re)
		return false
	}
	it.ID, in.ID = cur.ID, cur.ID
	plan.targets[it] = cur
	if !merged.SameData(cur) {
		ix.remove(cur)
		*cur = merged
		ix.add(cur)
		plan.updates = append(plan.updates, cur)
	}
	return true
}

// Write implements Plan: deletes, then updates, then inserts (so a value
// freed by one contact can be taken by another), each as one batch call.
// Inserted items get their new IDs.
func (p *contactPlan) Write(ctx context.Context, tx store.Tx) error {
	if len(p.deletes) > 0 {
		if err := tx.DeleteContacts(ctx, p.deletes); err != nil {
			return fmt.Errorf("delete %d contacts: %w", len(p.deletes), err)
		}
	}
	if len(p.updates) > 0 {
		if err := tx.UpdateContacts(ctx, p.updates); err != nil {
			return fmt.Errorf("update %d contacts: %w", len(p.updates), err)
		}
	}
	if len(p.inserts) > 0 {
		if err := tx.InsertContacts(ctx, p.inserts); err != nil {
			return fmt.Errorf("insert %d contacts: %w", len(p.inserts), err)
		}
		for i, it := range p.inserted {
			c := *p.inserts[i]
			it.Data, it.ID = &c, c.ID
		}
	}
	return nil
}

// The contacts kind: the default resource, a contact per row (with the
// child records its dotted columns carry), keyed by the caller's match
// fields.
func init() {
	register(&Kind{Name: intake.ResourceContacts, Aliases: []string{"contact", "clients", "client", "profiles"},
		vocabulary: func(reg *intake.Registry, _ string) vocabulary {
			return vocabulary{"a contact field (use email, first_name, …, custom.NAME; GET /api/v1/fields lists them)",
				reg.Target, reg.Suggest}
		},
		newResource: func(spec *intake.ImportSpec, reg *intake.Registry, region, _ string, importID int64) (Resource, error) {
			r := newContacts(region, reg)
			r.norm.limits = spec.Limits
			return newFamily(r, spec, reg, importID), nil
		}})
}
