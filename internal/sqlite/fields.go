package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// querier is what reading custom fields needs: the read pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func listFields(ctx context.Context, q querier, tenantID int64) ([]intake.CustomField, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, label, type, required, is_unique, options, created_at, updated_at
		FROM custom_fields WHERE tenant_id = ? ORDER BY name`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list custom fields: %w", err)
	}
	defer rows.Close()
	var out []intake.CustomField
	for rows.Next() {
		var f intake.CustomField
		var typ, options string
		var created, updated int64
		if err := rows.Scan(&f.ID, &f.Name, &f.Label, &typ, &f.Required, &f.Unique, &options, &created, &updated); err != nil {
			return nil, fmt.Errorf("list custom fields: %w", err)
		}
		f.Type, f.CreatedAt, f.UpdatedAt = intake.FieldType(typ), fromMicros(created), fromMicros(updated)
		if err := json.Unmarshal([]byte(options), &f.Options); err != nil {
			return nil, fmt.Errorf("custom field %q: decode options: %w", f.Name, err)
		}
		if len(f.Options) == 0 {
			f.Options = nil
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// ListFields implements store.Store.
func (db *DB) ListFields(ctx context.Context, tenantID int64) ([]intake.CustomField, error) {
	return listFields(ctx, db.read, tenantID)
}

// ListFields implements store.Tx.
func (t *tx) ListFields(ctx context.Context) ([]intake.CustomField, error) {
	return listFields(ctx, t.tx, t.TenantID)
}

// SaveField implements store.Tx.
func (t *tx) SaveField(ctx context.Context, f *intake.CustomField) error {
	options := jsonList(append([]string{}, f.Options...))
	now := micros(t.Now)
	if f.ID == 0 {
		err := t.tx.QueryRowContext(ctx, `INSERT INTO custom_fields (tenant_id, name, label, type, required, is_unique, options,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			t.TenantID, f.Name, f.Label, string(f.Type), f.Required, f.Unique, options, now, now).Scan(&f.ID)
		if err != nil {
			return fieldConflict(err, f.Name)
		}
		f.CreatedAt, f.UpdatedAt = fromMicros(now), fromMicros(now)
		return nil
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE custom_fields SET name = ?, label = ?, type = ?, required = ?, is_unique = ?,
		options = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
		f.Name, f.Label, string(f.Type), f.Required, f.Unique, options, now, t.TenantID, f.ID)
	if err != nil {
		return fieldConflict(err, f.Name)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Custom field %q not found.", f.Name)
	}
	f.UpdatedAt = fromMicros(now)
	return nil
}

func fieldConflict(err error, name string) error {
	if isUniqueViolation(err) {
		return intake.Errorf(intake.ECONFLICT, "A custom field named %q exists already.", name)
	}
	return fmt.Errorf("save custom field %q: %w", name, err)
}

// DeleteField implements store.Tx.
func (t *tx) DeleteField(ctx context.Context, id int64) error {
	res, err := t.tx.ExecContext(ctx, `DELETE FROM custom_fields WHERE tenant_id = ? AND id = ?`, t.TenantID, id)
	if err != nil {
		return fmt.Errorf("delete custom field %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Custom field %d not found.", id)
	}
	return nil
}

// DuplicateCustomValue implements store.Tx.
func (t *tx) DuplicateCustomValue(ctx context.Context, name string) (string, bool, error) {
	var v string
	err := t.tx.QueryRowContext(ctx, `SELECT v FROM (SELECT json_extract(custom, ?) AS v FROM contacts WHERE tenant_id = ?)
		WHERE v IS NOT NULL AND v <> '' GROUP BY v HAVING count(*) > 1 ORDER BY v LIMIT 1`,
		jsonPath(name), t.TenantID).Scan(&v)
	switch {
	case err == sql.ErrNoRows:
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("find duplicate values of %q: %w", name, err)
	}
	return v, true, nil
}

// contactFilters is the WHERE conditions of a ContactFilter after tenant
// and cursor, with their arguments. Memberships are EXISTS subqueries on
// the join tables (each starts from the contact's id, so they use the
// join tables' contact indexes); names compare ignoring case as the
// unique indexes do.
func contactFilters(tenantID int64, f store.ContactFilter) (string, []any) {
	var b strings.Builder
	var args []any
	cond := func(sql string, vs ...any) {
		b.WriteString(" AND " + sql)
		args = append(args, vs...)
	}
	if f.Email != "" {
		cond(`email = ?`, strings.ToLower(strings.TrimSpace(f.Email)))
	}
	if f.CustomerNumber != "" {
		cond(`customer_number = ?`, f.CustomerNumber)
	}
	if f.ExternalID != "" {
		cond(`external_id = ?`, f.ExternalID)
	}
	if f.Tag != "" {
		cond(`EXISTS (SELECT 1 FROM json_each(contacts.tags) WHERE value = ?)`, f.Tag)
	}
	if !f.UpdatedSince.IsZero() {
		cond(`updated_at >= ?`, micros(f.UpdatedSince))
	}
	if f.Q != "" {
		p := store.LikePrefix(f.Q)
		cond(`(intake_lower(name) LIKE ? ESCAPE '\' OR intake_lower(first_name) LIKE ? ESCAPE '\'
			OR intake_lower(last_name) LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\')`, p, p, p, p)
	}
	if f.Group != "" {
		cond(`EXISTS (SELECT 1 FROM contact_groups cg JOIN groups g ON g.id = cg.group_id WHERE cg.contact_id = contacts.id
			AND g.tenant_id = ? AND g.resource = ? AND intake_lower(g.name) = intake_lower(?))`, tenantID, intake.GroupOfContacts, f.Group)
	}
	if f.Location != "" {
		cond(`EXISTS (SELECT 1 FROM contact_locations cl JOIN locations l ON l.id = cl.location_id WHERE cl.contact_id = contacts.id
			AND l.tenant_id = ? AND intake_lower(l.name) = intake_lower(?))`, tenantID, f.Location)
	}
	if f.Event != "" {
		cond(`EXISTS (SELECT 1 FROM participants p JOIN events e ON e.id = p.event_id WHERE p.contact_id = contacts.id
			AND e.tenant_id = ? AND e.key = ?)`, tenantID, f.Event)
	}
	for _, name := range slices.Sorted(maps.Keys(f.Custom)) {
		cond(`json_extract(custom, ?) = ?`, jsonPath(name), f.Custom[name])
	}
	return b.String(), args
}
