package importer

import (
	"context"
	"fmt"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// remove_missing (Copernica's removeMissing): after the last row of a file,
// the tenant's contacts the file did not match or create are deleted. What
// a job has seen is stored with each chunk (store.Tx.MarkSeen), so a
// resumed job still knows it, and the removal runs in the transaction of
// the last chunk: it commits with the job's final checkpoint or not at all,
// so a job that fails, is cancelled or is rejected (skip_on_error false)
// removes nothing, and a resumed job never removes twice.

// checkRemoveMissing says whether spec's remove_missing can run.
func checkRemoveMissing(spec *intake.ImportSpec, opt Options) error {
	if !spec.RemoveMissing {
		return nil
	}
	switch {
	case opt.ImportID == 0:
		return intake.Errorf(intake.EINVALID, "remove_missing needs a file import job.")
	case spec.Resource != "" && spec.Resource != intake.ResourceContacts && !isCollection(spec.Resource):
		return intake.Errorf(intake.EINVALID, "remove_missing removes contacts or a collection's records: it cannot be used with resource %s.", spec.Resource)
	case spec.Mode == intake.ModeDelete:
		return intake.Errorf(intake.EINVALID, "remove_missing cannot be combined with mode delete.")
	}
	return nil
}

// markSeen stores the contacts a chunk matched or created. A record that
// failed or was skipped as an in-file duplicate still names its contact
// (the resource sets the item's ID when its key matched exactly one), so a
// bad cell never gets a contact removed.
func (p *pass) markSeen(ctx context.Context, tx store.Tx, items []*Item) error {
	if !p.spec.RemoveMissing {
		return nil
	}
	if r, ok := p.res.(*records); ok {
		return r.markSeen(ctx, tx, p.importID, items)
	}
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		if it.ID != 0 {
			ids = append(ids, it.ID)
		}
	}
	return tx.MarkSeen(ctx, p.importID, ids)
}

// removeMissing runs after the last chunk, in its transaction: it deletes
// (validating: only lists) the contacts the job has not seen and returns
// them as items with outcome removed, numbered on from the file's last
// row, for the report. counts are the job's counts including the last
// chunk. If every row failed (a wrong mapping, say) nothing is removed and
// a warning says why: a file that matched nothing is more likely broken
// than meant to empty the address book.
func (p *pass) removeMissing(ctx context.Context, tx store.Tx, lastRow int, counts Counts) ([]*Item, error) {
	if !p.spec.RemoveMissing {
		return nil, nil
	}
	if counts.Failed == counts.Rows {
		p.warnings = append(p.warnings, fmt.Sprintf("remove_missing was not applied: all %d %ss failed, so nothing in the file identifies the contacts to keep.", counts.Rows, p.noun))
		return nil, tx.ForgetSeen(ctx, p.importID)
	}
	validate := p.spec.Mode == intake.ModeValidate
	if r, ok := p.res.(missingRemover); ok {
		items, handled, err := r.removeMissing(ctx, tx, p.importID, validate, lastRow)
		if err != nil || handled {
			if err == nil {
				err = tx.ForgetSeen(ctx, p.importID)
			}
			return items, err
		}
	}
	gone, err := p.unseen(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := tx.ForgetSeen(ctx, p.importID); err != nil {
		return nil, err
	}
	items := make([]*Item, len(gone))
	ids := make([]int64, len(gone))
	for i := range gone {
		c := &gone[i]
		ids[i] = c.ID
		it := &Item{Row: lastRow + 1 + i, ID: c.ID, Data: c}
		it.set(intake.OutcomeRemoved, removedError(c, validate))
		items[i] = it
	}
	if validate {
		if len(gone) > 0 {
			p.warnings = append(p.warnings, fmt.Sprintf("remove_missing would remove %d contacts that are not in the file.", len(gone)))
		}
		return items, nil
	}
	if len(ids) > 0 {
		if err := tx.DeleteContacts(ctx, ids); err != nil {
			return nil, fmt.Errorf("remove %d missing contacts: %w", len(ids), err)
		}
	}
	return items, nil
}

// missingRemover is a resource that removes what a file did not contain
// itself (records, a contact's children); handled false leaves it to the
// contacts' removal.
type missingRemover interface {
	removeMissing(ctx context.Context, tx store.Tx, importID int64, validate bool, lastRow int) ([]*Item, bool, error)
}

func isCollection(resource string) bool {
	_, ok := intake.ParseCollectionResource(resource)
	return ok
}

// removedError is a removed contact's line in the report.
func removedError(c *intake.Contact, validate bool) intake.RowError {
	e := intake.RowError{Code: intake.CodeRemoved}
	switch {
	case c.Email != "":
		e.Field, e.Value = intake.FieldEmail, c.Email
	case c.CustomerNumber != "":
		e.Field, e.Value = intake.FieldCustomerNumber, c.CustomerNumber
	default:
		e.Field, e.Value = intake.FieldName, c.Name
	}
	verb := "was removed"
	if validate {
		verb = "would be removed"
	}
	e.Message = fmt.Sprintf("Contact %d (%s) is not in the file and %s (remove_missing).", c.ID, e.Value, verb)
	return e
}
