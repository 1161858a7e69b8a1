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

// records is the Resource of a collection's records (resource
// collection:NAME): Plannr's charges, PackageX's items, any record type a
// tenant defines. A record is found by the collection's key fields (per
// contact when its records belong to contacts); a link column
// (contact_email, client_email, contact_id, client, …) names its contact,
// which must exist (contact_not_found). A collection that does not exist
// is created by the first chunk that writes, from the columns (text
// fields), keyed by the import's match fields, with a warning.
type records struct {
	coll    *collDef
	mapping map[string]string // the job's mapping: a new collection gets every mapped column
	*notes
}

// recordRow is a record row's normalised data.
type recordRow struct {
	vals  map[string]string
	empty []string
	link  link
	// linked says the row carries a link column (even empty): the
	// collection's records belong to contacts.
	linked bool
	key    string
}

func recordOf(it *Item) *recordRow { return it.Data.(*recordRow) }

func newRecords(reg *intake.Registry, spec *intake.ImportSpec, region string) *records {
	norm := newContacts(region, reg).norm
	cd := newCollDef(reg, mustCollection(spec.Resource), spec.MatchFields, norm, false)
	r := &records{coll: cd, mapping: spec.Mapping, notes: &notes{}}
	if !cd.defined && len(cd.def.KeyFields) == 0 {
		r.add(inferKey(&cd.def, spec.Mapping))
	}
	spec.MatchFields = slices.Clone(cd.def.KeyFields)
	return r
}

func mustCollection(resource string) string {
	name, _ := intake.ParseCollectionResource(resource)
	return name
}

// split parses a record's fields into its row: values, link and key.
func (r *records) split(rec Record) (*recordRow, []intake.RowError) {
	row := &recordRow{}
	fields := map[string]string{}
	for k, v := range rec.Fields {
		if !intake.IsLink(k) {
			fields[k] = v
		}
	}
	row.link, row.linked = linkOf(rec.Fields)
	var errs []intake.RowError
	row.vals, row.empty, errs = r.coll.values(fields)
	if row.link.value != "" {
		if re := row.link.normalize(); re != nil {
			errs = append(errs, *re)
		}
	}
	row.key = r.coll.key(row.vals)
	return row, errs
}

// belongs reports whether the collection's records belong to contacts:
// as defined, or for a new collection, when the rows carry a link column.
func (r *records) belongs(row *recordRow) bool {
	if r.coll.defined {
		return r.coll.def.BelongsToContact
	}
	return row.linked
}

func dedupKey(row *recordRow) string {
	if row.key == "" {
		return ""
	}
	return row.link.target + "\x1e" + row.link.value + "\x1e" + row.key
}

// linkOf is a row's contact link: its first non-empty link column in name
// order (so Key and Prepare agree), and whether it has a link column.
func linkOf(fields map[string]string) (l link, linked bool) {
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !intake.IsLink(k) {
			continue
		}
		linked = true
		if v := strings.TrimSpace(fields[k]); v != "" && l.value == "" {
			l = link{target: k, value: v}
		}
	}
	return l, linked
}

// Key implements Resource: the contact link and the key values. The
// duplicate scan runs it on every row, so it normalises only those, not
// the whole row as split does.
func (r *records) Key(_ *intake.ImportSpec, rec Record) string {
	if r.coll.def.ContentKey {
		row, errs := r.split(rec) // every value is the key
		if len(errs) > 0 {
			return ""
		}
		return dedupKey(row)
	}
	row := &recordRow{vals: map[string]string{}}
	row.link, _ = linkOf(rec.Fields)
	if row.link.value != "" {
		row.link.normalize()
	}
	for _, k := range r.coll.def.KeyFields {
		v := strings.TrimSpace(rec.Fields[k])
		if v == "" {
			return ""
		}
		out, re := r.coll.norm.value(r.coll.field(k), v)
		if re != nil {
			return ""
		}
		row.vals[k] = out
	}
	row.key = r.coll.key(row.vals)
	return dedupKey(row)
}

// Prepare implements Resource.
func (r *records) Prepare(spec *intake.ImportSpec, rec Record) *Item {
	row, errs := r.split(rec)
	it := &Item{Row: rec.Row, Fields: rec.Fields, Data: row, Key: dedupKey(row)}
	if len(errs) == 0 && r.belongs(row) && row.link.value == "" {
		errs = append(errs, intake.RowError{Field: intake.LinkContact, Code: intake.CodeRequired,
			Message: fmt.Sprintf("A %s record belongs to a contact: the row needs contact_email, contact_id or contact (client_email, client …).", r.coll.def.Name)})
	}
	if len(errs) == 0 && r.coll.def.ContentKey && spec.Mode == intake.ModeUpdate {
		errs = append(errs, intake.RowError{Code: intake.CodeMissingMatchKey,
			Message: fmt.Sprintf("Collection %s has no key fields (its records are identified by their whole content), so mode update cannot find the record a row changes. %s", r.coll.def.Name, setKeyHelp(r.coll.def.Name))})
	}
	if len(errs) == 0 && row.key == "" && (spec.Mode == intake.ModeUpdate || spec.Mode == intake.ModeDelete) {
		field := intake.LinkContact
		if len(r.coll.def.KeyFields) > 0 {
			field = r.coll.def.KeyFields[0]
		}
		errs = append(errs, intake.RowError{Field: field, Code: intake.CodeMissingMatchKey,
			Message: fmt.Sprintf("The row has no %s, which mode %s needs to find the %s record.", keyNames(r.coll.def.KeyFields), spec.Mode, r.coll.def.Name)})
	}
	if len(errs) > 0 {
		it.set(intake.OutcomeFailed, errs...)
	}
	return it
}

func keyNames(keys []string) string {
	if len(keys) == 0 {
		return "key fields (the collection has none)"
	}
	return strings.Join(keys, " + ")
}

// Optimistic implements Resource: records are always looked up.
func (r *records) Optimistic(*intake.ImportSpec) bool { return false }

// recordPlan is a decided chunk of records.
type recordPlan struct {
	r                *records
	found            int
	inserts, updates []*intake.CollectionRecord
	inserted         []*Item
	deletes          []int64
	fields           []string // every field the chunk's rows carry
	belongs          bool
}

func (p *recordPlan) Found() int { return p.found }

// Decide implements Resource: one lookup of the rows' contacts, one of
// their stored records, then the mode table per record.
func (r *records) Decide(ctx context.Context, tx store.Tx, spec *intake.ImportSpec, items []*Item, _ bool) (Plan, error) {
	plan := &recordPlan{r: r}
	live := slices.DeleteFunc(slices.Clone(items), func(it *Item) bool { return it.Outcome != "" })
	if len(live) == 0 {
		return plan, nil
	}
	var links []link
	for _, it := range live {
		if l := recordOf(it).link; l.value != "" {
			links = append(links, l)
		}
	}
	cl, err := findLinks(ctx, tx, links)
	if err != nil {
		return nil, err
	}
	stored, err := tx.FindCollection(ctx, r.coll.def.Name)
	if err != nil && intake.ErrorCode(err) != intake.ENOTFOUND {
		return nil, err
	}
	byKey := map[store.RecordKey]*intake.CollectionRecord{}
	var keys []store.RecordKey
	linked := make(map[*Item]int64, len(live))
	for _, it := range live {
		row := recordOf(it)
		if row.link.value != "" && r.belongs(row) {
			if linked[it] = cl.id(row.link); linked[it] == 0 {
				it.set(intake.OutcomeFailed, intake.RowError{Field: row.link.target, Value: row.link.value, Code: intake.CodeContactNotFound,
					Message: fmt.Sprintf("No contact has %s %q, so the %s record cannot be linked to it.", label(strings.TrimPrefix(row.link.target, "contact_")), row.link.value, r.coll.def.Name)})
				continue
			}
		}
		keys = append(keys, store.RecordKey{ContactID: linked[it], Key: row.key})
	}
	if stored.ID != 0 && len(keys) > 0 {
		found, err := tx.FindRecords(ctx, stored.ID, keys, nil)
		if err != nil {
			return nil, err
		}
		plan.found = len(found)
		for i := range found {
			byKey[store.RecordKey{ContactID: found[i].ContactID, Key: found[i].Key}] = &found[i]
		}
	}
	for _, it := range live {
		if it.Outcome == "" {
			plan.decide(spec, it, linked[it], byKey)
		}
	}
	return plan, nil
}

// decide sets one record's outcome and plans its write.
func (p *recordPlan) decide(spec *intake.ImportSpec, it *Item, contactID int64, byKey map[store.RecordKey]*intake.CollectionRecord) {
	row, c := recordOf(it), p.r.coll
	p.belongs = p.belongs || p.r.belongs(row)
	for name := range row.vals {
		p.fields = append(p.fields, name)
	}
	p.fields = append(p.fields, row.empty...)
	rk := store.RecordKey{ContactID: contactID, Key: row.key}
	var cur *intake.CollectionRecord
	if row.key != "" {
		cur = byKey[rk]
	}
	outcome, code := Decide(spec.Mode, cur != nil)
	if cur != nil {
		it.ID = cur.ID
	}
	switch outcome {
	case intake.OutcomeCreated:
		if errs := c.missingRequired(row.vals); errs != nil {
			it.set(intake.OutcomeFailed, errs...)
			return
		}
		nr := &intake.CollectionRecord{ContactID: contactID, Key: row.key, Values: row.vals}
		if row.key != "" {
			byKey[rk] = nr
		}
		p.inserts, p.inserted = append(p.inserts, nr), append(p.inserted, it)
	case intake.OutcomeUpdated:
		merged := mergeValues(cur.Values, row.vals, row.empty, spec.IgnoreEmptyFields)
		if errs := c.missingRequired(merged); errs != nil {
			it.set(intake.OutcomeFailed, errs...)
			return
		}
		if !maps.Equal(merged, cur.Values) {
			cur.Values = merged
			if cur.ID != 0 {
				p.updates = append(p.updates, cur)
			}
		}
	case intake.OutcomeDeleted:
		p.deletes = append(p.deletes, cur.ID)
		delete(byKey, rk)
	case intake.OutcomeSkipped:
		verb := "exists already; mode " + string(spec.Mode) + " does not change records"
		if code == intake.CodeNotFound {
			verb = "does not exist; mode " + string(spec.Mode) + " does not create records"
		}
		e := intake.RowError{Code: code, Message: fmt.Sprintf("A %s record with %s %s.", c.def.Name, c.describe(row.vals), verb)}
		if len(c.def.KeyFields) > 0 {
			e.Field, e.Value = c.def.KeyFields[0], row.vals[c.def.KeyFields[0]]
		}
		it.set(outcome, e)
		return
	}
	it.Outcome = outcome
}

// Write implements Plan: the collection (created on first use), then
// deletes, updates and inserts, each one batch.
func (p *recordPlan) Write(ctx context.Context, tx store.Tx) error {
	if len(p.inserts)+len(p.updates)+len(p.deletes) == 0 {
		return nil
	}
	fields := p.fields
	labels := map[string]string{}
	for h, f := range p.r.mapping {
		if f != "" && !intake.IsLink(f) {
			fields = append(fields, f)
			if h != f {
				labels[f] = h
			}
		}
	}
	slices.Sort(fields)
	coll, created, err := p.r.coll.ensure(ctx, tx, slices.Compact(fields), labels, p.belongs)
	if err != nil {
		return err
	}
	if created {
		p.r.add(createdNote(coll))
	}
	if len(p.deletes) > 0 {
		if _, err := tx.DeleteRecords(ctx, p.deletes); err != nil {
			return fmt.Errorf("delete %d records: %w", len(p.deletes), err)
		}
	}
	if err := tx.UpdateRecords(ctx, p.updates); err != nil {
		return fmt.Errorf("update %d records: %w", len(p.updates), err)
	}
	for _, nr := range p.inserts {
		nr.CollectionID = coll.ID
	}
	if err := tx.InsertRecords(ctx, p.inserts); err != nil {
		return fmt.Errorf("insert %d records: %w", len(p.inserts), err)
	}
	for i, it := range p.inserted {
		it.ID = p.inserts[i].ID
	}
	return nil
}

// markSeen stores the records a chunk matched or wrote (remove_missing).
func (r *records) markSeen(ctx context.Context, tx store.Tx, importID int64, items []*Item) error {
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		if it.ID != 0 {
			ids = append(ids, it.ID)
		}
	}
	return tx.MarkRecordsSeen(ctx, importID, ids)
}

// removeMissing deletes (validating: lists) the collection's records the
// job did not see.
func (r *records) removeMissing(ctx context.Context, tx store.Tx, importID int64, validate bool, lastRow int) ([]*Item, bool, error) {
	coll, err := tx.FindCollection(ctx, r.coll.def.Name)
	if intake.ErrorCode(err) == intake.ENOTFOUND {
		return nil, true, nil
	}
	if err != nil {
		return nil, true, err
	}
	gone, err := tx.UnseenRecords(ctx, importID, coll.ID, false)
	if err != nil {
		return nil, true, err
	}
	items, err := removeRecords(ctx, tx, r.coll, gone, validate, lastRow)
	if validate && len(items) > 0 {
		r.add(fmt.Sprintf("remove_missing would remove %d %s records that are not in the file.", len(items), r.coll.def.Name))
	}
	return items, true, err
}

// removeRecords deletes gone (unless validating) and returns them as
// removed items, numbered on from lastRow, for the report.
func removeRecords(ctx context.Context, tx store.Tx, c *collDef, gone []intake.CollectionRecord, validate bool, lastRow int) ([]*Item, error) {
	items := make([]*Item, len(gone))
	ids := make([]int64, len(gone))
	verb := "was removed"
	if validate {
		verb = "would be removed"
	}
	for i := range gone {
		rec := &gone[i]
		ids[i] = rec.ID
		e := intake.RowError{Code: intake.CodeRemoved, Value: strings.ReplaceAll(rec.Key, "\x1f", ", ")}
		if len(c.def.KeyFields) > 0 {
			e.Field = c.qualify(c.def.KeyFields[0])
		}
		of := ""
		if rec.ContactID != 0 {
			of = fmt.Sprintf(" of contact %d", rec.ContactID)
		}
		e.Message = fmt.Sprintf("%s record %d%s (%s) is not in the file and %s (remove_missing).", c.def.Name, rec.ID, of, e.Value, verb)
		it := &Item{Row: lastRow + 1 + i, ID: rec.ID, Data: rec}
		it.set(intake.OutcomeRemoved, e)
		items[i] = it
	}
	if !validate && len(ids) > 0 {
		if _, err := tx.DeleteRecords(ctx, ids); err != nil {
			return nil, fmt.Errorf("remove %d missing records: %w", len(ids), err)
		}
	}
	return items, nil
}

// The collection kind: the records of collection:NAME, keyed by the
// collection's key fields (or, for a new collection, the caller's).
func init() {
	register(&Kind{Name: strings.TrimSuffix(intake.CollectionPrefix, ":"), Param: true,
		vocabulary: func(reg *intake.Registry, coll string) vocabulary {
			f := func(s string) (string, bool) { return reg.CollectionTarget(coll, s) }
			return vocabulary{"a field of collection " + coll + " or a contact link (contact_email, contact_id, contact, contact_customer_number)", f, f}
		},
		match: func(reg *intake.Registry, coll string, given []string) ([]string, error) {
			return reg.ParseCollectionMatchFields(coll, given...)
		},
		newResource: func(spec *intake.ImportSpec, reg *intake.Registry, region, coll string, _ int64) (Resource, error) {
			keys, err := reg.ParseCollectionMatchFields(coll, spec.MatchFields...)
			if err != nil {
				return nil, err
			}
			spec.MatchFields = keys
			return newRecords(reg, spec, region), nil
		}})
}
