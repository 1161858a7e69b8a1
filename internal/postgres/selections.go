package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// Selections (store.Selections): a saved contact filter and its members,
// materialised by running the contact list's own filter (contactFilters).

const selectionCols = `id, tenant_id, name, filter, count, rebuilt_at, created_at`

func scanSelection(s pgx.Row) (intake.Selection, error) {
	var sel intake.Selection
	var filter string
	if err := s.Scan(&sel.ID, &sel.TenantID, &sel.Name, &filter, &sel.Count, &sel.RebuiltAt, &sel.CreatedAt); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return sel, intake.Errorf(intake.ENOTFOUND, "Selection not found.")
		}
		return sel, err
	}
	sel.CreatedAt = sel.CreatedAt.UTC()
	if sel.RebuiltAt != nil {
		at := sel.RebuiltAt.UTC()
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
	s.CreatedAt = db.timestamp()
	err = db.pool.QueryRow(ctx, `INSERT INTO selections (tenant_id, name, filter, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		s.TenantID, s.Name, string(filter), s.CreatedAt).Scan(&s.ID)
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
	rows, err := db.pool.Query(ctx, `SELECT `+selectionCols+` FROM selections WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`, tenantID, after, limit)
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
	return scanSelection(db.pool.QueryRow(ctx, `SELECT `+selectionCols+` FROM selections WHERE tenant_id = $1 AND id = $2`, tenantID, id))
}

// DeleteSelection implements store.Selections.
func (db *DB) DeleteSelection(ctx context.Context, tenantID, id int64) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM selections WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err != nil {
		return fmt.Errorf("delete selection %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Selection not found.")
	}
	_, err = db.pool.Exec(ctx, `DELETE FROM selection_members WHERE selection_id = $1`, id)
	return err
}

// SelectionContacts implements store.Selections.
func (db *DB) SelectionContacts(ctx context.Context, tenantID, id, after int64, limit int) ([]intake.Contact, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+contactCols+` FROM contacts WHERE tenant_id = $1 AND id > $2
		AND id IN (SELECT m.contact_id FROM selection_members m JOIN selections s ON s.id = m.selection_id WHERE s.id = $3 AND s.tenant_id = $1)
		ORDER BY id LIMIT $4`, tenantID, after, id, limit)
	if err != nil {
		return nil, fmt.Errorf("selection %d contacts: %w", id, err)
	}
	out, err := collectContacts(rows)
	if err != nil {
		return nil, fmt.Errorf("selection %d contacts: %w", id, err)
	}
	return out, nil
}

// RebuildSelection implements store.Selections.
func (db *DB) RebuildSelection(ctx context.Context, tenantID, id int64) (intake.Selection, error) {
	t, err := db.pool.Begin(ctx)
	if err != nil {
		return intake.Selection{}, fmt.Errorf("begin: %w", err)
	}
	defer t.Rollback(context.WithoutCancel(ctx))
	s, err := scanSelection(t.QueryRow(ctx, `SELECT `+selectionCols+` FROM selections WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, tenantID, id))
	if err != nil {
		return s, err
	}
	if err := rebuildSelection(ctx, t, &s, db.timestamp()); err != nil {
		return s, err
	}
	return s, t.Commit(ctx)
}

// rebuildSelections rebuilds every selection of a tenant in t.
func rebuildSelections(ctx context.Context, t pgx.Tx, tenantID int64, now time.Time) error {
	rows, err := t.Query(ctx, `SELECT `+selectionCols+` FROM selections WHERE tenant_id = $1 ORDER BY id`, tenantID)
	if err != nil {
		return fmt.Errorf("list selections: %w", err)
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (intake.Selection, error) { return scanSelection(r) })
	if err != nil {
		return fmt.Errorf("list selections: %w", err)
	}
	for i := range all {
		if err := rebuildSelection(ctx, t, &all[i], now); err != nil {
			return err
		}
	}
	return nil
}

// rebuildSelection replaces a selection's members with the contacts its
// filter finds now, and stores their count.
func rebuildSelection(ctx context.Context, t pgx.Tx, s *intake.Selection, now time.Time) error {
	f, err := store.SelectionFilter(s.Filter)
	if err != nil {
		return err
	}
	if _, err := t.Exec(ctx, `DELETE FROM selection_members WHERE selection_id = $1`, s.ID); err != nil {
		return fmt.Errorf("rebuild selection %d: %w", s.ID, err)
	}
	args := []any{s.TenantID, s.ID} // contactFilters takes $1 as the tenant
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	tag, err := t.Exec(ctx, `INSERT INTO selection_members (selection_id, contact_id)
		SELECT $2::bigint, id FROM contacts WHERE tenant_id = $1`+contactFilters(f, arg), args...)
	if err != nil {
		return fmt.Errorf("rebuild selection %d: %w", s.ID, err)
	}
	at := now.UTC().Truncate(time.Microsecond)
	s.Count, s.RebuiltAt = int(tag.RowsAffected()), &at
	_, err = t.Exec(ctx, `UPDATE selections SET count = $1, rebuilt_at = $2 WHERE id = $3`, s.Count, at, s.ID)
	return err
}

// UnseenInSelection implements store.SelectionTx.
func (t *tx) UnseenInSelection(ctx context.Context, importID int64, selection string) ([]intake.Contact, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `SELECT id FROM selections WHERE tenant_id = $1 AND lower(name) = lower($2)`, t.tenantID, selection).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, intake.Errorf(intake.ENOTFOUND, "There is no selection named %q.", selection)
	}
	if err != nil {
		return nil, fmt.Errorf("find selection %q: %w", selection, err)
	}
	rows, err := t.tx.Query(ctx, `SELECT c.id, coalesce(c.email, ''), coalesce(c.customer_number, ''), c.name
		FROM contacts c JOIN selection_members m ON m.contact_id = c.id AND m.selection_id = $3
		WHERE c.tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM import_seen s WHERE s.import_id = $2 AND s.contact_id = c.id)
		ORDER BY c.id`, t.tenantID, importID, id)
	if err != nil {
		return nil, fmt.Errorf("find unseen contacts: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (intake.Contact, error) {
		var c intake.Contact
		err := r.Scan(&c.ID, &c.Email, &c.CustomerNumber, &c.Name)
		return c, err
	})
}
