package directory

import (
	"context"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// Registry returns the tenant's field registry: the built-in fields and
// the tenant's custom fields. Dialects resolve names with it.
func (s *Service) Registry(ctx context.Context, tenantID int64) (*intake.Registry, error) {
	return s.Engine.Registry(ctx, tenantID)
}

// CreateField defines a custom field. Errors: EINVALID (the definition),
// ECONFLICT (the name is taken, or the field is unique and contacts
// already share a value of that name).
func (s *Service) CreateField(ctx context.Context, tenantID int64, f intake.CustomField) (intake.CustomField, error) {
	f.ID = 0
	if err := f.Validate(); err != nil {
		return f, err
	}
	err := s.Store.Write(ctx, tenantID, func(tx store.Tx) error {
		if err := uniqueNow(ctx, tx, &f); err != nil {
			return err
		}
		return tx.SaveField(ctx, &f)
	})
	return f, err
}

// UpdateField changes the definition of custom field name with change.
// Its name stays; stored values are neither checked against a new type
// nor converted (imports and the contact API check what they write).
// Errors: ENOTFOUND, EINVALID, ECONFLICT (made unique while contacts share
// a value; the message names it).
func (s *Service) UpdateField(ctx context.Context, tenantID int64, name string, change func(*intake.CustomField)) (intake.CustomField, error) {
	var f intake.CustomField
	err := s.Store.Write(ctx, tenantID, func(tx store.Tx) error {
		var err error
		if f, err = fieldNamed(ctx, tx, name); err != nil {
			return err
		}
		change(&f)
		f.Name = name
		if err := f.Validate(); err != nil {
			return err
		}
		if err := uniqueNow(ctx, tx, &f); err != nil {
			return err
		}
		return tx.SaveField(ctx, &f)
	})
	return f, err
}

// DeleteField removes the definition of custom field name. Contacts keep
// their values of it, as untyped custom values (defining it again brings
// its rules back). ENOTFOUND if there is no such field.
func (s *Service) DeleteField(ctx context.Context, tenantID int64, name string) error {
	return s.Store.Write(ctx, tenantID, func(tx store.Tx) error {
		f, err := fieldNamed(ctx, tx, name)
		if err != nil {
			return err
		}
		return tx.DeleteField(ctx, f.ID)
	})
}

func fieldNamed(ctx context.Context, tx store.Tx, name string) (intake.CustomField, error) {
	fields, err := tx.ListFields(ctx)
	if err != nil {
		return intake.CustomField{}, err
	}
	for _, f := range fields {
		if f.Name == name {
			return f, nil
		}
	}
	return intake.CustomField{}, intake.Errorf(intake.ENOTFOUND, "Custom field %q not found.", name)
}

// uniqueNow refuses a unique field whose stored values collide. It runs
// under the tenant's write lock, so no import can add a collision between
// the check and the definition's commit.
func uniqueNow(ctx context.Context, tx store.Tx, f *intake.CustomField) error {
	if !f.Unique {
		return nil
	}
	v, dup, err := tx.DuplicateCustomValue(ctx, f.Name)
	if err != nil || !dup {
		return err
	}
	msg := "Custom field " + f.Name + " cannot be unique: more than one contact has the value \"" + v + "\"."
	return &intake.Error{Code: intake.ECONFLICT, Message: msg,
		Fields: []intake.FieldError{{Field: "unique", Value: v, Code: intake.CodeValueTaken, Message: msg}}}
}
