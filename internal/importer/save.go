package importer

import (
	"context"
	"fmt"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// SaveContact writes one contact (the contact API) by the import rules and
// nothing else: the tenant's registry and the same normaliser, merge,
// required-field check and unique index as an import, in one Store.Write
// transaction under the tenant's write lock. fields are Intake field names
// to raw values, as a record's. id 0 creates a contact; otherwise contact
// id is patched: only the fields carried change, and an empty value clears
// one. It returns the contact's id.
//
// Errors: EINVALID with a field error (field, value, row error code and
// message) per bad value, missing_identity or missing_required; ECONFLICT
// with the field when a unique value (email, customer number, a unique
// custom field) belongs to another contact; ENOTFOUND when id is not the
// tenant's.
func (e *Engine) SaveContact(ctx context.Context, tenantID, id int64, fields map[string]string) (int64, error) {
	reg, err := e.Registry(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	region, err := e.region(ctx, tenantID, "")
	if err != nil {
		return 0, err
	}
	r := newContacts(region, reg)
	rec := Record{Fields: fields}
	clean(&rec)
	c, errs := r.norm.build(rec.Fields)
	if len(errs) > 0 {
		return 0, rowErrors(intake.EINVALID, errs...)
	}
	it := &Item{Fields: rec.Fields, Data: &c}
	err = e.Store.Write(ctx, tenantID, func(tx store.Tx) error {
		uniques := reg.UniqueCustom()
		l := lookupFor(nil, uniques, []*Item{it})
		if id != 0 {
			l.IDs = []int64{id}
		}
		existing, err := tx.FindContacts(ctx, l)
		if err != nil {
			return fmt.Errorf("find contacts: %w", err)
		}
		ix := newIndex(nil, uniques, existing)
		if id == 0 {
			return create(ctx, tx, reg, ix, &c)
		}
		for i := range existing {
			if existing[i].ID == id {
				return patch(ctx, tx, reg, ix, &existing[i], it)
			}
		}
		return intake.Errorf(intake.ENOTFOUND, "Contact %d not found.", id)
	})
	return c.ID, err
}

// create checks and inserts a new contact, setting its ID.
func create(ctx context.Context, tx store.Tx, reg *intake.Registry, ix *index, c *intake.Contact) error {
	if !identified(reg, c) {
		return rowErrors(intake.EINVALID, missingIdentity())
	}
	if errs := missingRequired(reg, c, nil); errs != nil {
		return rowErrors(intake.EINVALID, errs...)
	}
	if re := ix.taken(c, nil); re != nil {
		return rowErrors(intake.ECONFLICT, *re)
	}
	return tx.InsertContacts(ctx, []*intake.Contact{c})
}

// patch merges it into cur as an import that clears empty values would,
// checks the result and writes it if anything changed. cur's ID is the
// item's contact's then.
func patch(ctx context.Context, tx store.Tx, reg *intake.Registry, ix *index, cur *intake.Contact, it *Item) error {
	merged := merge(cur, it, false)
	contactOf(it).ID = cur.ID
	if !identified(reg, &merged) {
		return rowErrors(intake.EINVALID, missingIdentity())
	}
	if errs := missingRequired(reg, &merged, it.Fields); errs != nil {
		return rowErrors(intake.EINVALID, errs...)
	}
	if re := ix.taken(&merged, cur); re != nil {
		return rowErrors(intake.ECONFLICT, *re)
	}
	if merged.SameData(cur) {
		return nil
	}
	return tx.UpdateContacts(ctx, []*intake.Contact{&merged})
}

// DeleteContact deletes the tenant's contact id; ENOTFOUND if there is none.
func (e *Engine) DeleteContact(ctx context.Context, tenantID, id int64) error {
	return e.Store.Write(ctx, tenantID, func(tx store.Tx) error {
		found, err := tx.FindContacts(ctx, store.Lookup{IDs: []int64{id}})
		if err != nil {
			return fmt.Errorf("find contact %d: %w", id, err)
		}
		if len(found) == 0 {
			return intake.Errorf(intake.ENOTFOUND, "Contact %d not found.", id)
		}
		return tx.DeleteContacts(ctx, []int64{id})
	})
}

// rowErrors is an application error of code carrying row errors as field
// errors, so a request's values get the codes and sentences an import's
// rows get. Its message is the first error's.
func rowErrors(code string, errs ...intake.RowError) error {
	fields := make([]intake.FieldError, len(errs))
	for i, e := range errs {
		fields[i] = intake.FieldError{Field: e.Field, Value: e.Value, Code: e.Code, Message: e.Message}
	}
	return &intake.Error{Code: code, Message: errs[0].Message, Fields: fields}
}
