package importer

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// RecordInput is one record as the records API sends it.
type RecordInput struct {
	// ContactID is the contact the record belongs to; nil keeps it (a
	// patch) or none (a create).
	ContactID *int64
	// Values are field → raw value; in a patch an empty value clears a field.
	Values map[string]string
}

// SaveRecord writes one record of collection coll (the records API) by
// the import rules: the collection's field types, required fields, key
// and contact, in one transaction under the tenant's write lock. id 0
// creates a record, otherwise record id is patched. It returns the
// record's id.
//
// Errors: ENOTFOUND (collection, record); EINVALID with a field error
// per bad value (an unknown field, a type error, missing_required, a
// missing or unknown contact: contact_not_found); ECONFLICT when another
// record has the key (under the same contact).
func (e *Engine) SaveRecord(ctx context.Context, tenantID int64, coll string, id int64, in RecordInput) (int64, error) {
	cd, err := e.recordCollection(ctx, tenantID, coll)
	if err != nil {
		return 0, err
	}
	vals, empty, err := recordValues(cd, in.Values)
	if err != nil {
		return 0, err
	}
	var r intake.CollectionRecord
	err = e.Store.Write(ctx, tenantID, func(tx store.Tx) error {
		var err error
		r, err = saveRecord(ctx, tx, cd, id, in.ContactID, vals, empty)
		return err
	})
	return r.ID, err
}

// recordCollection is the defined collection coll with the tenant's
// registry and region (which normalise the record's contact fields).
func (e *Engine) recordCollection(ctx context.Context, tenantID int64, coll string) (*collDef, error) {
	reg, err := e.Registry(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	region, err := e.region(ctx, tenantID, "")
	if err != nil {
		return nil, err
	}
	cd := newCollDef(reg, coll, nil, newContacts(region, reg).norm, false)
	if !cd.defined {
		return nil, intake.Errorf(intake.ENOTFOUND, "Collection %q not found.", coll)
	}
	return cd, nil
}

// recordValues checks and converts the sent values by the collection's
// field types: vals to set, empty to clear, or EINVALID with an error per
// bad value (named values.FIELD).
func recordValues(cd *collDef, in map[string]string) (vals map[string]string, empty []string, err error) {
	fields := map[string]string{}
	var errs []intake.RowError
	for k, v := range in {
		f, ok := cd.def.FieldFor(k)
		if !ok {
			errs = append(errs, intake.RowError{Field: "values." + k, Code: intake.CodeInvalidValue,
				Message: fmt.Sprintf("%q is not a field of collection %s (its fields: %s).", k, cd.def.Name, fieldNames(cd.def))})
			continue
		}
		fields[f.Name] = Clean(v)
	}
	vals, empty, es := cd.values(fields)
	for _, e := range es {
		e.Field = "values." + e.Field
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		return nil, nil, rowErrors(intake.EINVALID, errs...)
	}
	return vals, empty, nil
}

// saveRecord creates (id 0) or patches record id in the write
// transaction, after checkRecord.
func saveRecord(ctx context.Context, tx store.Tx, cd *collDef, id int64, contactID *int64, vals map[string]string, empty []string) (intake.CollectionRecord, error) {
	stored, err := tx.FindCollection(ctx, cd.def.Name)
	if err != nil {
		return intake.CollectionRecord{}, err
	}
	r := intake.CollectionRecord{CollectionID: stored.ID, Values: vals}
	if id != 0 {
		found, err := tx.FindRecords(ctx, stored.ID, nil, []int64{id})
		if err != nil {
			return intake.CollectionRecord{}, err
		}
		if len(found) == 0 {
			return intake.CollectionRecord{}, intake.Errorf(intake.ENOTFOUND, "Record %d of collection %s not found.", id, cd.def.Name)
		}
		r = found[0]
		r.Values = mergeValues(r.Values, vals, empty, false)
	}
	if contactID != nil {
		r.ContactID = *contactID
	}
	if err := checkRecord(ctx, tx, cd, &r); err != nil {
		return r, err
	}
	if id == 0 {
		err = tx.InsertRecords(ctx, []*intake.CollectionRecord{&r})
	} else {
		err = tx.UpdateRecords(ctx, []*intake.CollectionRecord{&r})
	}
	return r, err
}

// checkRecord checks a record about to be written: its contact, its
// required fields and that its key is its own; it sets r.Key.
func checkRecord(ctx context.Context, tx store.Tx, cd *collDef, r *intake.CollectionRecord) error {
	switch {
	case cd.def.BelongsToContact && r.ContactID == 0:
		return rowErrors(intake.EINVALID, intake.RowError{Field: "contact_id", Code: intake.CodeRequired,
			Message: fmt.Sprintf("A %s record belongs to a contact: send contact_id.", cd.def.Name)})
	case !cd.def.BelongsToContact && r.ContactID != 0:
		return rowErrors(intake.EINVALID, intake.RowError{Field: "contact_id", Value: fmt.Sprint(r.ContactID), Code: intake.CodeInvalidValue,
			Message: fmt.Sprintf("Records of %s do not belong to contacts (belongs_to_contact is false).", cd.def.Name)})
	case r.ContactID != 0:
		found, err := tx.FindContacts(ctx, store.Lookup{IDs: []int64{r.ContactID}})
		if err != nil {
			return fmt.Errorf("find contact %d: %w", r.ContactID, err)
		}
		if len(found) == 0 {
			return rowErrors(intake.EINVALID, intake.RowError{Field: "contact_id", Value: fmt.Sprint(r.ContactID), Code: intake.CodeContactNotFound,
				Message: fmt.Sprintf("Contact %d not found.", r.ContactID)})
		}
	}
	if errs := cd.missingRequired(r.Values); errs != nil {
		for i := range errs {
			errs[i].Field = "values." + errs[i].Field
		}
		return rowErrors(intake.EINVALID, errs...)
	}
	r.Key = cd.key(r.Values)
	if r.Key == "" {
		return nil
	}
	same, err := tx.FindRecords(ctx, r.CollectionID, []store.RecordKey{{ContactID: r.ContactID, Key: r.Key}}, nil)
	if err != nil {
		return err
	}
	if len(same) > 0 && same[0].ID != r.ID {
		field := "values" // a content-keyed collection: the whole record is its key
		if len(cd.def.KeyFields) > 0 {
			field += "." + cd.def.KeyFields[0]
		}
		return rowErrors(intake.ECONFLICT, intake.RowError{Field: field, Value: strings.ReplaceAll(r.Key, "\x1f", ", "),
			Code: intake.CodeValueTaken, Message: fmt.Sprintf("Record %d already has %s.", same[0].ID, cd.describe(r.Values))})
	}
	return nil
}

func fieldNames(c intake.Collection) string {
	names := make([]string, len(c.Fields))
	for i, f := range c.Fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// DeleteRecord deletes record id of collection coll; ENOTFOUND if the
// tenant has no such record.
func (e *Engine) DeleteRecord(ctx context.Context, tenantID int64, coll string, id int64) error {
	return e.Store.Write(ctx, tenantID, func(tx store.Tx) error {
		stored, err := tx.FindCollection(ctx, coll)
		if err != nil {
			return err
		}
		found, err := tx.FindRecords(ctx, stored.ID, nil, []int64{id})
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return intake.Errorf(intake.ENOTFOUND, "Record %d of collection %s not found.", id, stored.Name)
		}
		_, err = tx.DeleteRecords(ctx, []int64{id})
		return err
	})
}

// SaveCollection defines a collection (id 0) or changes one through
// change, under the tenant's write lock. A collection's name stays; its
// key fields and whether it belongs to contacts change only while it has
// no records (their keys are stored by them). Errors: EINVALID,
// ECONFLICT (name taken; a key change with records), ENOTFOUND.
func (e *Engine) SaveCollection(ctx context.Context, tenantID int64, name string, c intake.Collection, change func(*intake.Collection)) (intake.Collection, error) {
	if change == nil {
		c.ID = 0
		if err := c.Validate(); err != nil {
			return c, err
		}
		err := e.Store.Write(ctx, tenantID, func(tx store.Tx) error { return tx.SaveCollection(ctx, &c) })
		return c, err
	}
	err := e.Store.Write(ctx, tenantID, func(tx store.Tx) error {
		var err error
		if c, err = tx.FindCollection(ctx, name); err != nil {
			return err
		}
		before := c
		before.KeyFields = slices.Clone(c.KeyFields)
		change(&c)
		c.Name = before.Name
		if err := c.Validate(); err != nil {
			return err
		}
		if !slices.Equal(before.KeyFields, c.KeyFields) || before.BelongsToContact != c.BelongsToContact {
			n, err := tx.CollectionSize(ctx, c.ID)
			if err != nil {
				return err
			}
			if n > 0 {
				return intake.Errorf(intake.ECONFLICT, "Collection %s has %d records: its key_fields and belongs_to_contact cannot change while it has records.", c.Name, n)
			}
		}
		return tx.SaveCollection(ctx, &c)
	})
	return c, err
}

// DeleteCollection deletes collection name with its records.
func (e *Engine) DeleteCollection(ctx context.Context, tenantID int64, name string) error {
	return e.Store.Write(ctx, tenantID, func(tx store.Tx) error {
		c, err := tx.FindCollection(ctx, name)
		if err != nil {
			return err
		}
		return tx.DeleteCollection(ctx, c.ID)
	})
}
