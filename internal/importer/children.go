package importer

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// family is the Resource of contacts whose rows may carry child records
// (Copernica's subprofiles): columns Collection.Field fill a record of
// that collection under the row's contact. The contact is decided exactly
// as a contact import decides it (the row's outcome and the counts are
// the contact's); its children are then added, or updated when their key
// (the collection's key fields, or Collection.Field match fields for a
// collection that does not exist yet) finds one the contact has. A
// collection used for the first time is created from the columns (text
// fields), with a warning. With mode delete and delete_target subprofile
// only the children the rows' keys find are deleted, never a contact.
type family struct {
	*contacts
	// spec is the run's spec with the contact's own match fields only.
	spec  intake.ImportSpec
	reg   *intake.Registry
	keyed []*collDef // collections whose children are found by key, by name
	mu    sync.Mutex
	colls map[string]*collDef // by lower-cased name
	// subprofile: mode delete with delete_target subprofile.
	subprofile bool
	// removeChildren: remove_missing with child key fields removes the
	// file's contacts' children it did not contain, not contacts.
	removeChildren bool
	childKeys      map[string][]string // Collection.Field match fields, by collection
	importID       int64
	*notes
}

// childRow is one child record a contact row carries.
type childRow struct {
	coll  *collDef
	vals  map[string]string
	empty []string
	key   string
}

func newFamily(c *contacts, spec *intake.ImportSpec, reg *intake.Registry, importID int64) *family {
	f := &family{contacts: c, spec: *spec, reg: reg, colls: map[string]*collDef{}, importID: importID, notes: &notes{}}
	f.spec.MatchFields = intake.OwnMatchFields(spec.MatchFields)
	if len(f.spec.MatchFields) == 0 {
		f.spec.MatchFields = []string{intake.FieldEmail}
	}
	childKeys := intake.ChildKeys(spec.MatchFields)
	for name, keys := range childKeys {
		f.coll(name, keys)
	}
	for _, c := range reg.Collections() {
		if c.BelongsToContact && len(c.KeyFields) > 0 {
			f.coll(c.Name, nil)
		}
	}
	for _, cd := range f.colls {
		if len(cd.def.KeyFields) > 0 {
			f.keyed = append(f.keyed, cd)
		}
	}
	slices.SortFunc(f.keyed, func(a, b *collDef) int { return strings.Compare(a.def.Name, b.def.Name) })
	f.subprofile = spec.Mode == intake.ModeDelete && spec.DeleteTarget == intake.DeleteSubprofile
	f.removeChildren = spec.RemoveMissing && len(childKeys) > 0
	f.childKeys = childKeys
	return f
}

// coll returns the run's view of collection name (keys: its key fields
// if it does not exist yet). Prepare runs on the reader goroutine, hence
// the lock.
func (f *family) coll(name string, keys []string) *collDef {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := strings.ToLower(name)
	if cd, ok := f.colls[k]; ok {
		return cd
	}
	cd := newCollDef(f.reg, name, keys, f.norm, true)
	f.colls[k] = cd
	return cd
}

// childSuffix is the children's part of a row's key: each keyed
// collection's key values, in their stored form, when the row has them.
func (f *family) childSuffix(fields map[string]string) string {
	var b strings.Builder
	for _, cd := range f.keyed {
		parts := make([]string, 0, len(cd.def.KeyFields))
		for _, k := range cd.def.KeyFields {
			v := strings.TrimSpace(fields[cd.def.Name+"."+k])
			if v == "" {
				break
			}
			if out, re := cd.norm.value(cd.field(k), v); re == nil {
				v = out
			}
			parts = append(parts, v)
		}
		if len(parts) == len(cd.def.KeyFields) {
			b.WriteString("\x1e" + cd.def.Name + "\x1f" + strings.Join(parts, "\x1f"))
		}
	}
	return b.String()
}

// Key implements Resource: the contact's key, and the keys of its
// children, so rows of one contact with different children are not
// in-file duplicates.
func (f *family) Key(_ *intake.ImportSpec, rec Record) string {
	own := f.contacts.Key(&f.spec, rec)
	if own == "" || len(f.keyed) == 0 {
		return own
	}
	return own + f.childSuffix(rec.Fields)
}

// Prepare implements Resource: the contact as a contact import prepares
// it, then its children, checked by their collection's field types.
func (f *family) Prepare(_ *intake.ImportSpec, rec Record) *Item {
	it := f.contacts.Prepare(&f.spec, rec)
	groups := map[string]map[string]string{}
	for k, v := range rec.Fields {
		if coll, field, ok := intake.SplitChild(k); ok {
			if groups[coll] == nil {
				groups[coll] = map[string]string{}
			}
			groups[coll][field] = v
		}
	}
	if len(groups) == 0 && !f.subprofile {
		return it
	}
	var errs []intake.RowError
	for _, name := range slices.Sorted(maps.Keys(groups)) {
		cd := f.coll(name, nil)
		vals, empty, es := cd.values(groups[name])
		errs = append(errs, es...)
		if len(vals) == 0 && len(es) == 0 {
			continue // empty cells: no child in this collection
		}
		if f.spec.Mode != intake.ModeDelete {
			errs = append(errs, cd.missingRequired(vals)...)
		}
		it.children = append(it.children, childRow{coll: cd, vals: vals, empty: empty, key: cd.key(vals)})
	}
	if f.subprofile && len(errs) == 0 && !slices.ContainsFunc(it.children, func(c childRow) bool { return c.key != "" }) {
		errs = append(errs, intake.RowError{Code: intake.CodeMissingMatchKey,
			Message: "delete_target subprofile deletes child records found by their key: the row needs a value for every Collection.Field key (Order.OrderID)."})
	}
	if len(errs) > 0 {
		if it.Failed() {
			for i := range errs {
				errs[i].Row = it.Row
			}
			it.Errs = append(it.Errs, errs...)
		} else {
			it.set(intake.OutcomeFailed, errs...)
		}
	}
	if it.Key != "" && len(f.keyed) > 0 {
		it.ownKey, it.Key = it.Key, it.Key+f.childSuffix(rec.Fields)
	}
	return it
}

// swapKeys exchanges every item's Key and ownKey, so the contacts see
// their own keys while deciding.
func swapKeys(items []*Item) {
	for _, it := range items {
		if it.ownKey != "" {
			it.Key, it.ownKey = it.ownKey, it.Key
		}
	}
}

// Decide implements Resource: the contacts as a contact import decides
// them; their children are written after them (familyPlan).
func (f *family) Decide(ctx context.Context, tx store.Tx, _ *intake.ImportSpec, items []*Item, lookup bool) (Plan, error) {
	if f.subprofile {
		return f.decideDelete(ctx, tx, items)
	}
	swapKeys(items)
	plan, err := f.contacts.Decide(ctx, tx, &f.spec, items, lookup)
	swapKeys(items)
	if err != nil {
		return nil, err
	}
	kids := slices.DeleteFunc(slices.Clone(items), func(it *Item) bool { return len(it.children) == 0 })
	if len(kids) == 0 {
		return plan, nil
	}
	return &familyPlan{contactPlan: plan.(*contactPlan), f: f, items: kids}, nil
}

// familyPlan writes a chunk's contacts, then their children.
type familyPlan struct {
	*contactPlan
	f     *family
	items []*Item
}

// pendingChild is a child to write under a contact.
type pendingChild struct {
	child     childRow
	contactID int64
}

// Write implements Plan.
func (p *familyPlan) Write(ctx context.Context, tx store.Tx) error {
	if err := p.contactPlan.Write(ctx, tx); err != nil {
		return err
	}
	byColl := map[*collDef][]pendingChild{}
	for _, it := range p.items {
		c := p.targets[it]
		if c == nil || c.ID == 0 || it.Failed() || it.Outcome == intake.OutcomeDeleted {
			continue
		}
		for _, ch := range it.children {
			byColl[ch.coll] = append(byColl[ch.coll], pendingChild{child: ch, contactID: c.ID})
		}
	}
	colls := slices.SortedFunc(maps.Keys(byColl), func(a, b *collDef) int { return strings.Compare(a.def.Name, b.def.Name) })
	for _, cd := range colls {
		if err := p.writeChildren(ctx, tx, cd, byColl[cd]); err != nil {
			return fmt.Errorf("%s records: %w", cd.def.Name, err)
		}
	}
	return nil
}

// writeChildren adds or updates one collection's children ("update or
// add" by key; a child without a key is always added).
func (p *familyPlan) writeChildren(ctx context.Context, tx store.Tx, cd *collDef, list []pendingChild) error {
	coll, created, err := cd.ensure(ctx, tx, childFields(list), nil, true)
	if err != nil {
		return err
	}
	if created {
		p.f.add(createdNote(coll))
	}
	byKey, err := storedChildren(ctx, tx, coll.ID, list)
	if err != nil {
		return err
	}
	inserts, updates, all := p.mergeChildren(coll.ID, list, byKey)
	if err := tx.UpdateRecords(ctx, updates); err != nil {
		return err
	}
	if err := tx.InsertRecords(ctx, inserts); err != nil {
		return err
	}
	if !p.f.removeChildren {
		return nil
	}
	ids := make([]int64, len(all))
	for i, r := range all {
		ids[i] = r.ID
	}
	return tx.MarkRecordsSeen(ctx, p.f.importID, ids)
}

// childFields is every field the children set or clear, sorted, once each:
// the collection is widened to them before the write.
func childFields(list []pendingChild) []string {
	var fields []string
	for _, pc := range list {
		fields = append(fields, slices.Collect(maps.Keys(pc.child.vals))...)
		fields = append(fields, pc.child.empty...)
	}
	slices.Sort(fields)
	return slices.Compact(fields)
}

// storedChildren finds the stored records the children name, by contact
// and key.
func storedChildren(ctx context.Context, tx store.Tx, collID int64, list []pendingChild) (map[store.RecordKey]*intake.CollectionRecord, error) {
	var keys []store.RecordKey
	for _, pc := range list {
		keys = append(keys, store.RecordKey{ContactID: pc.contactID, Key: pc.child.key})
	}
	found, err := tx.FindRecords(ctx, collID, keys, nil)
	if err != nil {
		return nil, err
	}
	byKey := map[store.RecordKey]*intake.CollectionRecord{}
	for i := range found {
		byKey[store.RecordKey{ContactID: found[i].ContactID, Key: found[i].Key}] = &found[i]
	}
	return byKey, nil
}

// mergeChildren sorts the children into new records and changed stored
// ones; all is every record the chunk touched (for remove_missing). A key
// repeated in the chunk merges into the record its first row made.
func (p *familyPlan) mergeChildren(collID int64, list []pendingChild, byKey map[store.RecordKey]*intake.CollectionRecord) (inserts, updates, all []*intake.CollectionRecord) {
	for _, pc := range list {
		rk := store.RecordKey{ContactID: pc.contactID, Key: pc.child.key}
		cur := byKey[rk]
		if pc.child.key == "" || cur == nil {
			nr := &intake.CollectionRecord{CollectionID: collID, ContactID: pc.contactID, Key: pc.child.key, Values: pc.child.vals}
			if pc.child.key != "" {
				byKey[rk] = nr
			}
			inserts, all = append(inserts, nr), append(all, nr)
			continue
		}
		all = append(all, cur)
		merged := mergeValues(cur.Values, pc.child.vals, pc.child.empty, p.f.spec.IgnoreEmptyFields)
		if !maps.Equal(merged, cur.Values) {
			cur.Values = merged
			if cur.ID != 0 && !slices.Contains(updates, cur) {
				updates = append(updates, cur)
			}
		}
	}
	return inserts, updates, all
}

// decideDelete decides a delete_target subprofile chunk: each row's
// contact is found (never changed), then its children by key; the row is
// deleted when it deleted a child, skipped not_found otherwise.
func (f *family) decideDelete(ctx context.Context, tx store.Tx, items []*Item) (Plan, error) {
	plan := &deleteChildren{}
	live := slices.DeleteFunc(slices.Clone(items), func(it *Item) bool { return it.Outcome != "" })
	if len(live) == 0 {
		return plan, nil
	}
	uniques := f.norm.reg.UniqueCustom()
	existing, err := tx.FindContacts(ctx, lookupFor(f.spec.MatchFields, uniques, live))
	if err != nil {
		return nil, fmt.Errorf("find contacts: %w", err)
	}
	plan.found = len(existing)
	owner, keys := f.childOwners(newIndex(f.spec.MatchFields, uniques, existing), live)
	stored, err := storedChildKeys(ctx, tx, keys)
	if err != nil {
		return nil, err
	}
	for _, it := range live {
		if it.Outcome == "" {
			f.deleteChildrenOf(plan, it, owner[it], stored)
		}
	}
	return plan, nil
}

// childOwners finds each row's contact (a row with none is skipped
// not_found, one with several fails ambiguous_match) and the record keys
// of its children, by collection.
func (f *family) childOwners(ix *index, live []*Item) (map[*Item]int64, map[*collDef][]store.RecordKey) {
	owner := map[*Item]int64{}
	keys := map[*collDef][]store.RecordKey{}
	for _, it := range live {
		own := it.ownKey
		if own == "" {
			own = it.Key
		}
		in := contactOf(it)
		switch m := ix.byKey[own]; len(m) {
		case 0:
			it.set(intake.OutcomeSkipped, intake.RowError{Field: f.spec.MatchFields[0], Code: intake.CodeNotFound,
				Message: fmt.Sprintf("No contact with %s exists, so it has no child records to delete.", describeKey(in, f.spec.MatchFields))})
			continue
		case 1:
			owner[it] = m[0].ID
		default:
			it.set(intake.OutcomeFailed, intake.RowError{Field: f.spec.MatchFields[0], Code: intake.CodeAmbiguousMatch,
				Message: fmt.Sprintf("%d contacts have %s; match on a unique field to choose one.", len(m), describeKey(in, f.spec.MatchFields))})
			continue
		}
		for _, ch := range it.children {
			keys[ch.coll] = append(keys[ch.coll], store.RecordKey{ContactID: owner[it], Key: ch.key})
		}
	}
	return owner, keys
}

// storedChildKeys finds the stored records by key, per collection; a
// collection that does not exist has none.
func storedChildKeys(ctx context.Context, tx store.Tx, keys map[*collDef][]store.RecordKey) (map[*collDef]map[store.RecordKey]int64, error) {
	stored := map[*collDef]map[store.RecordKey]int64{}
	for cd, ks := range keys {
		coll, err := tx.FindCollection(ctx, cd.def.Name)
		if intake.ErrorCode(err) == intake.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		found, err := tx.FindRecords(ctx, coll.ID, ks, nil)
		if err != nil {
			return nil, err
		}
		stored[cd] = map[store.RecordKey]int64{}
		for _, r := range found {
			stored[cd][store.RecordKey{ContactID: r.ContactID, Key: r.Key}] = r.ID
		}
	}
	return stored, nil
}

// deleteChildrenOf plans deleting the row's stored children (each once,
// though rows repeat it); the row is deleted when it deleted one, skipped
// not_found naming what it missed otherwise.
func (f *family) deleteChildrenOf(plan *deleteChildren, it *Item, owner int64, stored map[*collDef]map[store.RecordKey]int64) {
	var missing []string
	for _, ch := range it.children {
		rk := store.RecordKey{ContactID: owner, Key: ch.key}
		if id := stored[ch.coll][rk]; id != 0 && ch.key != "" {
			plan.deletes = append(plan.deletes, id)
			delete(stored[ch.coll], rk)
			if it.ID == 0 {
				it.ID = id
			}
		} else if ch.key != "" {
			missing = append(missing, fmt.Sprintf("%s record with %s", ch.coll.def.Name, ch.coll.describe(ch.vals)))
		}
	}
	if it.ID != 0 {
		it.Outcome = intake.OutcomeDeleted
		return
	}
	it.set(intake.OutcomeSkipped, intake.RowError{Field: f.spec.MatchFields[0], Code: intake.CodeNotFound,
		Message: fmt.Sprintf("The contact with %s has no %s; nothing was deleted.", describeKey(contactOf(it), f.spec.MatchFields), strings.Join(missing, " or "))})
}

// deleteChildren is a decided delete_target subprofile chunk.
type deleteChildren struct {
	found   int
	deletes []int64
}

func (p *deleteChildren) Found() int { return p.found }

// Write implements Plan.
func (p *deleteChildren) Write(ctx context.Context, tx store.Tx) error {
	if len(p.deletes) == 0 {
		return nil
	}
	if _, err := tx.DeleteRecords(ctx, p.deletes); err != nil {
		return fmt.Errorf("delete %d child records: %w", len(p.deletes), err)
	}
	return nil
}

// removeMissing removes, when the match fields have child keys, the
// children of the file's contacts that the file did not contain (and
// never a contact). handled is false otherwise: contacts are removed.
func (f *family) removeMissing(ctx context.Context, tx store.Tx, importID int64, validate bool, lastRow int) ([]*Item, bool, error) {
	if !f.removeChildren {
		return nil, false, nil
	}
	if validate {
		f.add("remove_missing with child key fields is not previewed by mode validate: no child records were looked at.")
		return nil, true, nil
	}
	var out []*Item
	for _, name := range slices.Sorted(maps.Keys(f.childKeys)) {
		cd := f.coll(name, f.childKeys[name])
		coll, err := tx.FindCollection(ctx, cd.def.Name)
		if intake.ErrorCode(err) == intake.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, true, err
		}
		gone, err := tx.UnseenRecords(ctx, importID, coll.ID, true)
		if err != nil {
			return nil, true, err
		}
		items, err := removeRecords(ctx, tx, cd, gone, false, lastRow+len(out))
		if err != nil {
			return nil, true, err
		}
		out = append(out, items...)
	}
	return out, true, nil
}
