package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// Bounds of one change-set row: a row of a wide file with long values
// must not make the stored change set larger than the file.
const (
	maxFieldChanges = 100
	maxChangeValue  = 500
)

// changeSet is a chunk's change list: per item its outcome and, for a
// created or updated record, each field's before → after, read off the
// images the chunk recorded. An update that changed nothing is unchanged.
// A contact's child records (and, deleting it, its participants) add their
// fields under "Collection record KEY.field".
func changeSet(kind string, items []*Item, rows []store.UndoRow) []store.Change {
	byID := map[int64]store.UndoRow{}
	children := map[int64][]store.UndoRow{}
	for _, r := range rows {
		switch {
		case r.Kind == kind:
			byID[r.RowID] = r
		case kind == store.UndoContact && r.Kind == store.UndoRecord:
			if owner := ownerOf(r); owner != 0 {
				children[owner] = append(children[owner], r)
			}
		}
	}
	out := make([]store.Change, 0, len(items))
	for _, it := range items {
		c := store.Change{Row: it.Row, Outcome: string(it.Outcome), RecordID: it.ID}
		if len(it.Partial) > 0 && (it.Outcome == intake.OutcomeCreated || it.Outcome == intake.OutcomeUpdated) {
			c.Outcome = string(intake.OutcomePartial)
		}
		if it.Outcome == intake.OutcomeCreated || it.Outcome == intake.OutcomeUpdated {
			if r, ok := byID[it.ID]; ok {
				c.Changes = diff("", r.Before, r.After)
			}
			for _, r := range children[it.ID] {
				c.Changes = append(c.Changes, diff(childPrefix(r), r.Before, r.After)...)
			}
			if it.Outcome == intake.OutcomeUpdated && len(c.Changes) == 0 {
				c.Outcome = "unchanged"
			}
		}
		c.Changes = bound(c.Changes)
		if it.Outcome == intake.OutcomeCreated {
			c.RecordID = 0 // a preview's ids are rolled back
		}
		out = append(out, c)
	}
	return out
}

// ownerOf is the contact a record image belongs to.
func ownerOf(r store.UndoRow) int64 {
	img := r.After
	if img == nil {
		img = r.Before
	}
	var v struct {
		ContactID int64 `json:"contact_id"`
	}
	json.Unmarshal(img, &v)
	return v.ContactID
}

func childPrefix(r store.UndoRow) string {
	img := r.After
	if img == nil {
		img = r.Before
	}
	var v struct {
		Key string `json:"record_key"`
	}
	json.Unmarshal(img, &v)
	return "record " + v.Key + "."
}

// skipped are image keys that are bookkeeping, not the record's data.
var skipped = map[string]bool{"created_at": true, "updated_at": true, "contact_id": true, "collection_id": true, "event_id": true, "record_key": true}

// spread are image keys whose objects are compared key by key: custom
// fields, a record's data.
var spread = map[string]string{"custom": intake.CustomPrefix, "data": ""}

// Diff lists the fields whose values differ between two images of a
// record, as a change set shows them (see diff).
func Diff(before, after json.RawMessage) []store.FieldChange { return diff("", before, after) }

// DiffBounded is Diff within a change-set row's bounds (at most 100
// fields, values cut at 500 characters), never nil.
func DiffBounded(before, after json.RawMessage) []store.FieldChange {
	return bound(diff("", before, after))
}

// diff lists the fields whose values differ between two images (nil: the
// record did not exist), in field order, each key of an object field
// (custom) on its own.
func diff(prefix string, before, after json.RawMessage) []store.FieldChange {
	b, a := decodeImage(before), decodeImage(after)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	var out []store.FieldChange
	for _, k := range sortedKeys(keys) {
		if skipped[k] {
			continue
		}
		if p, ok := spread[k]; ok {
			bo, _ := b[k].(map[string]any)
			ao, _ := a[k].(map[string]any)
			out = append(out, diffObjects(prefix+p, bo, ao)...)
			continue
		}
		if !sameValue(b[k], a[k]) {
			out = append(out, store.FieldChange{Field: prefix + k, Before: b[k], After: a[k]})
		}
	}
	return out
}

func diffObjects(prefix string, b, a map[string]any) []store.FieldChange {
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	var out []store.FieldChange
	for _, k := range sortedKeys(keys) {
		if !sameValue(b[k], a[k]) {
			out = append(out, store.FieldChange{Field: prefix + k, Before: b[k], After: a[k]})
		}
	}
	return out
}

// sameValue compares image values; absent, null, "" and an empty list are
// all "no value".
func sameValue(x, y any) bool {
	if empty(x) && empty(y) {
		return true
	}
	return reflect.DeepEqual(x, y)
}

func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// decodeImage reads an image; JSON columns a store keeps as text (SQLite
// json() keeps them as JSON already) are objects and lists here.
func decodeImage(img json.RawMessage) map[string]any {
	if img == nil {
		return nil
	}
	var m map[string]any
	json.Unmarshal(img, &m)
	return m
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// bound caps a row's changes and long values.
func bound(cs []store.FieldChange) []store.FieldChange {
	if len(cs) > maxFieldChanges {
		cs = cs[:maxFieldChanges]
	}
	for i := range cs {
		cs[i].Before, cs[i].After = clip(cs[i].Before), clip(cs[i].After)
	}
	if cs == nil {
		cs = []store.FieldChange{}
	}
	return cs
}

func clip(v any) any {
	if s, ok := v.(string); ok && len(s) > maxChangeValue {
		return strings.ToValidUTF8(s[:maxChangeValue], "") + "…"
	}
	return v
}

// attachChanges sets the written items' Changes from the chunk's images,
// for the record events of a run with follow-ups: an update's changed
// fields (its child records' too), a creation's values, a deletion's last
// values, each as before → after.
func (p *pass) attachChanges(ctx context.Context, rec store.Recorder, items []*Item, seq int) error {
	if !p.changes {
		return nil
	}
	rows, err := rec.ChunkRows(ctx, p.importID, seq)
	if err != nil {
		return err
	}
	byID := map[int64]store.UndoRow{}
	for _, r := range rows {
		if r.Kind == p.kind() {
			byID[r.RowID] = r
		}
	}
	cs := changeSet(p.kind(), items, rows)
	for i, it := range items {
		switch it.Outcome {
		case intake.OutcomeCreated, intake.OutcomeUpdated:
			it.Changes = cs[i].Changes
		case intake.OutcomeDeleted, intake.OutcomeRemoved:
			if r, ok := byID[it.ID]; ok {
				it.Changes = bound(diff("", r.Before, nil))
			}
		}
	}
	return nil
}

// maxMovedWarnings bounds the warnings of a started preview.
const maxMovedWarnings = 50

// compareWithPreview checks a started preview's chunk against the change
// set its preview stored: a row whose outcome or changes differ was
// decided again on data that moved since, and a warning names it.
func (p *pass) compareWithPreview(ctx context.Context, rec store.Recorder, items []*Item, seq int) error {
	if !p.previewed || len(items) == 0 {
		return nil
	}
	rows, err := rec.ChunkRows(ctx, p.importID, seq)
	if err != nil {
		return err
	}
	first, last := items[0].Row, items[len(items)-1].Row
	previewed, err := rec.PreviewChanges(ctx, p.importID, first, last)
	if err != nil {
		return err
	}
	was := map[int]store.Change{}
	for _, c := range previewed {
		was[c.Row] = c
	}
	for _, now := range changeSet(p.kind(), items, rows) {
		before, ok := was[now.Row]
		if ok && before.Outcome == now.Outcome && sameChanges(before.Changes, now.Changes) {
			continue
		}
		p.moved++
		if p.moved <= maxMovedWarnings {
			p.warnings = append(p.warnings, fmt.Sprintf("Row %d differs from the preview (the data changed since): previewed %s, now %s.",
				now.Row, orNone(before.Outcome), now.Outcome))
		}
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

// sameChanges compares change lists as JSON: stored ones were decoded from it.
func sameChanges(a, b []store.FieldChange) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	var x, y any
	json.Unmarshal(ja, &x)
	json.Unmarshal(jb, &y)
	return reflect.DeepEqual(x, y) || (len(a) == 0 && len(b) == 0)
}
