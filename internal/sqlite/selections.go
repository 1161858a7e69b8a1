package sqlite

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
// materialised by running the contact list's own filter (contactFilters).

const selectionCols = `id, tenant_id, name, filter, count, rebuilt_at, created_at`

func scanSelection(s scanner) (intake.Selection, error) {
	var sel intake.Selection
	var filter string
	var rebuilt sql.NullInt64
	var created int64
	if err := s.Scan(&sel.ID, &sel.TenantID, &sel.Name, &filter, &sel.Count, &rebuilt, &created); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return sel, intake.Errorf(intake.ENOTFOUND, "Selection not found.")
		}
		return sel, err
	}
	sel.CreatedAt = fromMicros(created)
	if rebuilt.Valid {
		at := fromMicros(rebuilt.Int64)
		sel.RebuiltAt = &at
	}
	return sel, json.Unmarshal([]byte(filter), &sel.Filter)
}

// CreateSelection implements store.Selections.
func (db *DB) CreateSelection(ctx context.Context, s *intake.Selection) error {
	filter, err := json.Marshal(s.Filter)
	if err != nil {
		return fmt.Errorf("create selection: %w", err)
	}
	s.CreatedAt = fromMicros(micros(db.now()))
	err = db.write.QueryRowContext(ctx, `INSERT INTO selections (tenant_id, name, filter, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		s.TenantID, s.Name, string(filter), micros(s.CreatedAt)).Scan(&s.ID)
	if isUniqueViolation(err) {
		return intake.Errorf(intake.ECONFLICT, "A selection named %q exists already.", s.Name)
	}
	if err != nil {
		return fmt.Errorf("create selection: %w", err)
	}
	return nil
}

// ListSelections implements store.Selections.
func (db *DB) ListSelections(ctx context.Context, tenantID, after int64, limit int) ([]intake.Selection, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+selectionCols+` FROM selections WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?`, tenantID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list selections: %w", err)
	}
	defer rows.Close()
	var out []intake.Selection
	for rows.Next() {
		s, err := scanSelection(rows)
		if err != nil {
			return nil, fmt.Errorf("list selections: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// GetSelection implements store.Selections.
func (db *DB) GetSelection(ctx context.Context, tenantID, id int64) (intake.Selection, error) {
	return scanSelection(db.read.QueryRowContext(ctx, `SELECT `+selectionCols+` FROM selections WHERE tenant_id = ? AND id = ?`, tenantID, id))
}

// DeleteSelection implements store.Selections.
func (db *DB) DeleteSelection(ctx context.Context, tenantID, id int64) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM selections WHERE tenant_id = ? AND id = ?`, tenantID, id)
	if err != nil {
		return fmt.Errorf("delete selection %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Selection not found.")
	}
	_, err = db.write.ExecContext(ctx, `DELETE FROM selection_members WHERE selection_id = ?`, id)
	return err
}

// SelectionContacts implements store.Selections.
func (db *DB) SelectionContacts(ctx context.Context, tenantID, id, after int64, limit int) ([]intake.Contact, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+contactCols+` FROM contacts WHERE tenant_id = ? AND id > ?
		AND id IN (SELECT m.contact_id FROM selection_members m JOIN selections s ON s.id = m.selection_id WHERE s.id = ? AND s.tenant_id = ?)
		ORDER BY id LIMIT ?`, tenantID, after, id, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("selection %d contacts: %w", id, err)
	}
	defer rows.Close()
	var out []intake.Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, fmt.Errorf("selection %d contacts: %w", id, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RebuildSelection implements store.Selections.
func (db *DB) RebuildSelection(ctx context.Context, tenantID, id int64) (intake.Selection, error) {
	t, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return intake.Selection{}, fmt.Errorf("begin: %w", err)
	}
	defer t.Rollback()
	s, err := scanSelection(t.QueryRowContext(ctx, `SELECT `+selectionCols+` FROM selections WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if err != nil {
		return s, err
	}
	if err := rebuildSelection(ctx, t, &s, db.now().UTC()); err != nil {
		return s, err
	}
	return s, t.Commit()
}

// rebuildSelections rebuilds every selection of a tenant in t.
func rebuildSelections(ctx context.Context, t *sql.Tx, tenantID int64, now time.Time) error {
	rows, err := t.QueryContext(ctx, `SELECT `+selectionCols+` FROM selections WHERE tenant_id = ? ORDER BY id`, tenantID)
	if err != nil {
		return fmt.Errorf("list selections: %w", err)
	}
	var all []intake.Selection
	for rows.Next() {
		s, err := scanSelection(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("list selections: %w", err)
		}
		all = append(all, s)
	}
	rows.Close()
	for i := range all {
		if err := rebuildSelection(ctx, t, &all[i], now); err != nil {
			return err
		}
	}
	return rows.Err()
}

// rebuildSelection replaces a selection's members with the contacts its
// filter finds now, and stores their count.
func rebuildSelection(ctx context.Context, t *sql.Tx, s *intake.Selection, now time.Time) error {
	f, err := store.SelectionFilter(s.Filter)
	if err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `DELETE FROM selection_members WHERE selection_id = ?`, s.ID); err != nil {
		return fmt.Errorf("rebuild selection %d: %w", s.ID, err)
	}
	conds, extra := contactFilters(s.TenantID, f)
	res, err := t.ExecContext(ctx, `INSERT INTO selection_members (selection_id, contact_id)
		SELECT ?, id FROM contacts WHERE tenant_id = ?`+conds, append([]any{s.ID, s.TenantID}, extra...)...)
	if err != nil {
		return fmt.Errorf("rebuild selection %d: %w", s.ID, err)
	}
	n, _ := res.RowsAffected()
	at := fromMicros(micros(now))
	s.Count, s.RebuiltAt = int(n), &at
	_, err = t.ExecContext(ctx, `UPDATE selections SET count = ?, rebuilt_at = ? WHERE id = ?`, n, micros(at), s.ID)
	return err
}

// UnseenInSelection implements store.SelectionTx.
func (t *tx) UnseenInSelection(ctx context.Context, importID int64, selection string) ([]intake.Contact, error) {
	var id int64
	err := t.tx.QueryRowContext(ctx, `SELECT id FROM selections WHERE tenant_id = ? AND intake_lower(name) = intake_lower(?)`, t.tenantID, selection).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, intake.Errorf(intake.ENOTFOUND, "There is no selection named %q.", selection)
	}
	if err != nil {
		return nil, fmt.Errorf("find selection %q: %w", selection, err)
	}
	rows, err := t.tx.QueryContext(ctx, `SELECT c.id, coalesce(c.email, ''), coalesce(c.customer_number, ''), c.name
		FROM contacts c JOIN selection_members m ON m.contact_id = c.id AND m.selection_id = ?3
		WHERE c.tenant_id = ?1 AND NOT EXISTS (SELECT 1 FROM import_seen s WHERE s.import_id = ?2 AND s.contact_id = c.id)
		ORDER BY c.id`, t.tenantID, importID, id)
	if err != nil {
		return nil, fmt.Errorf("find unseen contacts: %w", err)
	}
	defer rows.Close()
	var out []intake.Contact
	for rows.Next() {
		var c intake.Contact
		if err := rows.Scan(&c.ID, &c.Email, &c.CustomerNumber, &c.Name); err != nil {
			return nil, fmt.Errorf("find unseen contacts: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
