package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// Selections (store.Selections): a saved contact filter and its members,
// materialised by running the contact list's own filter (contactFilters),
// so a selection holds exactly who GET /contacts with that filter lists.

const selectionCols = `id, tenant_id, name, filter, count, rebuilt_at, created_at`

func scanSelection(r Row) (intake.Selection, error) {
	var sel intake.Selection
	var filter string
	if err := r.Scan(&sel.ID, &sel.TenantID, &sel.Name, &filter, &sel.Count, NullTime(&sel.RebuiltAt), Time(&sel.CreatedAt)); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return sel, intake.Errorf(intake.ENOTFOUND, "Selection not found.")
		}
		return sel, err
	}
	return sel, json.Unmarshal([]byte(filter), &sel.Filter)
}

// CreateSelection implements store.Selections.
func (db *DB) CreateSelection(ctx context.Context, s *intake.Selection) error {
	filter, err := json.Marshal(s.Filter)
	if err != nil {
		return fmt.Errorf("create selection: %w", err)
	}
	s.CreatedAt = db.Clock()
	err = db.Writer.QueryRow(ctx, `INSERT INTO selections (tenant_id, name, filter, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		s.TenantID, s.Name, string(filter), db.Dialect.Time(s.CreatedAt)).Scan(&s.ID)
	if err != nil && db.Dialect.IsUniqueViolation(err) {
		return intake.Errorf(intake.ECONFLICT, "A selection named %q exists already.", s.Name)
	}
	if err != nil {
		return fmt.Errorf("create selection: %w", err)
	}
	return nil
}

// ListSelections implements store.Selections.
func (db *DB) ListSelections(ctx context.Context, tenantID, after int64, limit int) ([]intake.Selection, error) {
	rows, err := db.Reader.Query(ctx, `SELECT `+selectionCols+` FROM selections WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`, tenantID, after, limit)
	out, err := collect(rows, err, scanSelection)
	if err != nil {
		return nil, fmt.Errorf("list selections: %w", err)
	}
	return out, nil
}

// GetSelection implements store.Selections.
func (db *DB) GetSelection(ctx context.Context, tenantID, id int64) (intake.Selection, error) {
	return scanSelection(db.Reader.QueryRow(ctx, `SELECT `+selectionCols+` FROM selections WHERE tenant_id = $1 AND id = $2`, tenantID, id))
}

// DeleteSelection implements store.Selections.
func (db *DB) DeleteSelection(ctx context.Context, tenantID, id int64) error {
	return db.InTx(ctx, func(q Querier) error {
		n, err := q.Exec(ctx, `DELETE FROM selections WHERE tenant_id = $1 AND id = $2`, tenantID, id)
		if err != nil {
			return fmt.Errorf("delete selection %d: %w", id, err)
		}
		if n == 0 {
			return intake.Errorf(intake.ENOTFOUND, "Selection not found.")
		}
		_, err = q.Exec(ctx, `DELETE FROM selection_members WHERE selection_id = $1`, id)
		return err
	})
}

// SelectionContacts implements store.Selections.
func (db *DB) SelectionContacts(ctx context.Context, tenantID, id, after int64, limit int) ([]intake.Contact, error) {
	out, err := QueryContacts(ctx, db.Reader, `SELECT `+db.contactCols()+` FROM contacts WHERE tenant_id = $1 AND id > $2
		AND id IN (SELECT m.contact_id FROM selection_members m JOIN selections s ON s.id = m.selection_id WHERE s.id = $3 AND s.tenant_id = $1)
		ORDER BY id LIMIT $4`, tenantID, after, id, limit)
	if err != nil {
		return nil, fmt.Errorf("selection %d contacts: %w", id, err)
	}
	return out, nil
}

// RebuildSelection implements store.Selections.
func (db *DB) RebuildSelection(ctx context.Context, tenantID, id int64) (intake.Selection, error) {
	var s intake.Selection
	err := db.InTx(ctx, func(q Querier) error {
		var err error
		s, err = scanSelection(q.QueryRow(ctx, `SELECT `+selectionCols+` FROM selections WHERE tenant_id = $1 AND id = $2`+db.Dialect.ForUpdate, tenantID, id))
		if err != nil {
			return err
		}
		return db.Dialect.rebuildSelection(ctx, q, &s, db.Clock())
	})
	return s, err
}

// RebuildSelections implements store.FollowupTx: every selection of the
// transaction's tenant, in the transaction.
func (t *Tx) RebuildSelections(ctx context.Context) error {
	rows, err := t.Q.Query(ctx, `SELECT `+selectionCols+` FROM selections WHERE tenant_id = $1 ORDER BY id`, t.TenantID)
	all, err := collect(rows, err, scanSelection)
	if err != nil {
		return fmt.Errorf("list selections: %w", err)
	}
	for i := range all {
		if err := t.Dialect.rebuildSelection(ctx, t.Q, &all[i], t.Now); err != nil {
			return err
		}
	}
	return nil
}

// rebuildSelection replaces a selection's members with the contacts its
// filter finds now, and stores their count.
func (d *Dialect) rebuildSelection(ctx context.Context, q Querier, s *intake.Selection, now time.Time) error {
	f, err := store.SelectionFilter(s.Filter)
	if err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `DELETE FROM selection_members WHERE selection_id = $1`, s.ID); err != nil {
		return fmt.Errorf("rebuild selection %d: %w", s.ID, err)
	}
	args := []any{s.TenantID, s.ID} // contactFilters takes $1 as the tenant
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	n, err := q.Exec(ctx, `INSERT INTO selection_members (selection_id, contact_id)
		SELECT CAST($2 AS bigint), id FROM contacts WHERE tenant_id = $1`+d.contactFilters(f, arg), args...)
	if err != nil {
		return fmt.Errorf("rebuild selection %d: %w", s.ID, err)
	}
	at := now
	s.Count, s.RebuiltAt = int(n), &at
	_, err = q.Exec(ctx, `UPDATE selections SET count = $1, rebuilt_at = $2 WHERE id = $3`, s.Count, d.Time(at), s.ID)
	return err
}

// UnseenInSelection implements store.SelectionTx.
func (t *Tx) UnseenInSelection(ctx context.Context, importID int64, selection string) ([]intake.Contact, error) {
	var id int64
	lower := t.Dialect.Lower
	err := t.Q.QueryRow(ctx, `SELECT id FROM selections WHERE tenant_id = $1 AND `+lower+`(name) = `+lower+`($2)`, t.TenantID, selection).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, intake.Errorf(intake.ENOTFOUND, "There is no selection named %q.", selection)
	}
	if err != nil {
		return nil, fmt.Errorf("find selection %q: %w", selection, err)
	}
	rows, err := t.Q.Query(ctx, `SELECT c.id, coalesce(c.email, ''), coalesce(c.customer_number, ''), c.name
		FROM contacts c JOIN selection_members m ON m.contact_id = c.id AND m.selection_id = $3
		WHERE c.tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM import_seen s WHERE s.import_id = $2 AND s.contact_id = c.id)
		ORDER BY c.id`, t.TenantID, importID, id)
	out, err := collect(rows, err, func(r Row) (intake.Contact, error) {
		var c intake.Contact
		err := r.Scan(&c.ID, &c.Email, &c.CustomerNumber, &c.Name)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("find unseen contacts: %w", err)
	}
	return out, nil
}
