// Package importer is Intake's import engine: it normalises records, applies
// the in-file duplicate policy, decides per mode what happens to each record
// and writes batches through a store.Tx. It knows no HTTP, no SQL and no file
// format: callers hand it records (field → value) and get outcomes back.
package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// Engine runs imports against a store.
type Engine struct {
	Store store.Store
	// Region is the default phone region (ISO alpha-2) for numbers written
	// without a country code. Default "NL".
	Region string
}

// Record is one input record: Intake field names (email, first_name,
// custom.member_id, alternate_phones_work, …) to raw values. A field that is
// present with an empty value means "this column was in the file and empty";
// an absent field means "the file says nothing about it".
type Record struct {
	Index  int // 0-based record index (API) or the row number in the file
	Fields map[string]string
}

// Item is a record on its way through the engine, and then its outcome.
type Item struct {
	Index   int
	Contact intake.Contact
	Present map[string]string // the record's fields, for merging
	Key     string            // composite match key; "" when a match value is missing
	Outcome intake.Outcome    // "" until decided
	Err     *intake.RowError  // why the record was skipped or failed
	Errs    []intake.RowError // all validation errors of a failed record
}

// Failed reports whether the item has been rejected.
func (it *Item) Failed() bool { return it.Outcome == intake.OutcomeFailed }

func (e *Engine) normalizer() normalizer {
	r := e.Region
	if r == "" {
		r = "NL"
	}
	return normalizer{region: strings.ToUpper(r)}
}

// Prepare normalises a record and computes its match key. A record that
// does not validate comes back failed, with every error it has.
func (e *Engine) Prepare(opts intake.Options, rec Record) *Item {
	for k, v := range rec.Fields {
		rec.Fields[k] = Clean(v)
	}
	c, errs := e.normalizer().build(rec.Fields)
	it := &Item{Index: rec.Index, Contact: c, Present: rec.Fields}
	it.Key = matchKey(&c, opts.MatchFields)
	if len(errs) == 0 && !c.Identified() && opts.Mode != intake.ModeDelete {
		errs = append(errs, intake.RowError{Code: intake.CodeMissingIdentity,
			Message: "The record has no email, customer number, phone or name, so it cannot identify a person."})
	}
	// Without a match value a record cannot be found: update and delete
	// reject it, the creating modes create it (as Copernica and HubSpot do).
	if len(errs) == 0 && it.Key == "" && (opts.Mode == intake.ModeUpdate || opts.Mode == intake.ModeDelete) {
		errs = append(errs, intake.RowError{Field: opts.MatchFields[0], Code: intake.CodeMissingMatchKey,
			Message: fmt.Sprintf("The record has no %s, which mode %s needs to find the contact.", joinFields(opts.MatchFields), opts.Mode)})
	}
	if len(errs) > 0 {
		for i := range errs {
			errs[i].Index = rec.Index
		}
		it.Outcome, it.Err, it.Errs = intake.OutcomeFailed, &errs[0], errs
	}
	return it
}

// Clean makes a value storable in both databases: NUL characters, which
// PostgreSQL text and jsonb refuse (a whole batch would fail on one), are
// dropped, and invalid UTF-8 becomes U+FFFD.
func Clean(v string) string {
	if strings.IndexByte(v, 0) >= 0 {
		v = strings.ReplaceAll(v, "\x00", "")
	}
	return strings.ToValidUTF8(v, "\uFFFD")
}

// MatchKey returns the normalised match key of a record without building
// the whole contact: the duplicate pre-scan of a file needs only this.
func (e *Engine) MatchKey(opts intake.Options, rec Record) string {
	var c intake.Contact
	n := e.normalizer()
	for _, f := range opts.MatchFields {
		v := strings.TrimSpace(rec.Fields[f])
		switch f {
		case intake.FieldEmail:
			c.Email = strings.ToLower(v)
		case intake.FieldCustomerNumber:
			c.CustomerNumber = v
		case intake.FieldPhone:
			if v != "" {
				c.Phone, _ = n.phone(v)
			}
		case intake.FieldName:
			c.Name = v
			if v == "" {
				c.Name = strings.TrimSpace(strings.TrimSpace(rec.Fields[intake.FieldFirstName]) + " " + strings.TrimSpace(rec.Fields[intake.FieldLastName]))
			}
		default:
			if name, ok := strings.CutPrefix(f, intake.CustomPrefix); ok && v != "" {
				if c.Custom == nil {
					c.Custom = map[string]string{}
				}
				c.Custom[name] = v
			}
		}
	}
	return matchKey(&c, opts.MatchFields)
}

// matchKey joins the contact's values of the match fields; "" if any is empty.
func matchKey(c *intake.Contact, fields []string) string {
	var b strings.Builder
	for i, f := range fields {
		v := fieldValue(c, f)
		if v == "" {
			return ""
		}
		if i > 0 {
			b.WriteByte(0x1f)
		}
		b.WriteString(v)
	}
	return b.String()
}

// fieldValue is a contact's value of a match field, in its compared form.
func fieldValue(c *intake.Contact, f string) string {
	switch f {
	case intake.FieldEmail:
		return c.Email
	case intake.FieldCustomerNumber:
		return c.CustomerNumber
	case intake.FieldPhone:
		return c.Phone
	case intake.FieldName:
		return strings.ToLower(c.Name)
	}
	if name, ok := strings.CutPrefix(f, intake.CustomPrefix); ok {
		return c.Custom[name]
	}
	return ""
}

// describeKey renders an item's match key for messages: `email "a@b.nl"`.
func describeKey(c *intake.Contact, fields []string) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		v := fieldValue(c, f)
		if f == intake.FieldName {
			v = c.Name
		}
		parts[i] = fmt.Sprintf("%s %q", label(f), v)
	}
	return strings.Join(parts, " and ")
}

// Result counts what an import did (or, in validate mode, would do).
type Result struct {
	Total   int
	Created int
	Updated int
	Deleted int
	Skipped int
	Failed  int
	Items   []*Item
}

// Count adds the outcomes of items to r.
func (r *Result) Count(items []*Item) {
	for _, it := range items {
		r.Total++
		switch it.Outcome {
		case intake.OutcomeCreated:
			r.Created++
		case intake.OutcomeUpdated:
			r.Updated++
		case intake.OutcomeDeleted:
			r.Deleted++
		case intake.OutcomeSkipped:
			r.Skipped++
		case intake.OutcomeFailed:
			r.Failed++
		}
	}
}

// ErrRejected is returned (wrapped in an EINVALID *intake.Error) when
// skip_on_error is false and at least one record failed: nothing was written.
var ErrRejected = errors.New("import rejected")

// Import runs a whole request's records in one transaction: the synchronous
// API. With SkipOnError false, one failed record rolls back everything and
// Import returns the result with an EINVALID error.
func (e *Engine) Import(ctx context.Context, tenantID int64, opts intake.Options, recs []Record) (*Result, error) {
	items := make([]*Item, len(recs))
	keys := make([]string, len(recs))
	dups := NewDuplicates()
	for i, rec := range recs {
		items[i] = e.Prepare(opts, rec)
		// As in a file job, the policy picks among records sharing a
		// match key before their other fields are judged.
		keys[i] = e.MatchKey(opts, rec)
		dups.Add(keys[i], rec.Index)
	}
	dups.Seal()
	for i, it := range items {
		if it.Failed() {
			continue
		}
		if out, re := dups.Verdict(opts.Duplicates, keys[i], it.Index, "record", opts.MatchFields); re != nil {
			it.Outcome, it.Err = out, re
		}
	}
	res := &Result{Items: items}
	rejected := func() bool { return !opts.SkipOnError && anyFailed(items) }
	if !rejected() {
		err := e.Store.Write(ctx, tenantID, func(tx store.Tx) error {
			if err := Apply(ctx, tx, opts, items); err != nil {
				return err
			}
			if rejected() {
				return ErrRejected
			}
			return nil
		})
		if err != nil && !errors.Is(err, ErrRejected) {
			return nil, fmt.Errorf("import %d records: %w", len(recs), err)
		}
	}
	if rejected() {
		for _, it := range items {
			if !it.Failed() {
				it.Outcome, it.Err = intake.OutcomeSkipped, &intake.RowError{Index: it.Index, Code: intake.CodeNotWrittenBatch,
					Message: "Not written: skip_on_error is false and another record failed."}
			}
		}
		res.Count(items)
		return res, &intake.Error{Code: intake.EINVALID, Message: fmt.Sprintf("%d of %d records are invalid and skip_on_error is false, so nothing was written.", countFailed(items), len(items))}
	}
	res.Count(items)
	return res, nil
}

func anyFailed(items []*Item) bool { return countFailed(items) > 0 }

func countFailed(items []*Item) int {
	n := 0
	for _, it := range items {
		if it.Failed() {
			n++
		}
	}
	return n
}
