package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// querier is what reading custom fields needs: the pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func listFields(ctx context.Context, q querier, tenantID int64) ([]intake.CustomField, error) {
	rows, err := q.Query(ctx, `SELECT id, name, label, type, required, is_unique, options, created_at, updated_at
		FROM custom_fields WHERE tenant_id = $1 ORDER BY name`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list custom fields: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (intake.CustomField, error) {
		var f intake.CustomField
		var typ string
		err := row.Scan(&f.ID, &f.Name, &f.Label, &typ, &f.Required, &f.Unique, &f.Options, &f.CreatedAt, &f.UpdatedAt)
		f.Type, f.CreatedAt, f.UpdatedAt = intake.FieldType(typ), f.CreatedAt.UTC(), f.UpdatedAt.UTC()
		if len(f.Options) == 0 {
			f.Options = nil
		}
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("list custom fields: %w", err)
	}
	return out, nil
}

// ListFields implements store.Store.
func (db *DB) ListFields(ctx context.Context, tenantID int64) ([]intake.CustomField, error) {
	return listFields(ctx, db.pool, tenantID)
}

// ListFields implements store.Tx.
func (t *tx) ListFields(ctx context.Context) ([]intake.CustomField, error) {
	return listFields(ctx, t.tx, t.TenantID)
}

// SaveField implements store.Tx. A failed statement aborts the
// transaction (see tx), so a name taken is an error the caller returns.
func (t *tx) SaveField(ctx context.Context, f *intake.CustomField) error {
	options := append([]string{}, f.Options...)
	if f.ID == 0 {
		err := t.tx.QueryRow(ctx, `INSERT INTO custom_fields (tenant_id, name, label, type, required, is_unique, options,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			t.TenantID, f.Name, f.Label, string(f.Type), f.Required, f.Unique, options, t.Now).Scan(&f.ID)
		if err != nil {
			return fieldConflict(err, f.Name)
		}
		f.CreatedAt, f.UpdatedAt = t.Now, t.Now
		return nil
	}
	tag, err := t.tx.Exec(ctx, `UPDATE custom_fields SET name = $3, label = $4, type = $5, required = $6, is_unique = $7,
		options = $8, updated_at = $9 WHERE tenant_id = $1 AND id = $2`,
		t.TenantID, f.ID, f.Name, f.Label, string(f.Type), f.Required, f.Unique, options, t.Now)
	if err != nil {
		return fieldConflict(err, f.Name)
	}
	if tag.RowsAffected() == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Custom field %q not found.", f.Name)
	}
	f.UpdatedAt = t.Now
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
	tag, err := t.tx.Exec(ctx, `DELETE FROM custom_fields WHERE tenant_id = $1 AND id = $2`, t.TenantID, id)
	if err != nil {
		return fmt.Errorf("delete custom field %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Custom field %d not found.", id)
	}
	return nil
}

// DuplicateCustomValue implements store.Tx.
func (t *tx) DuplicateCustomValue(ctx context.Context, name string) (string, bool, error) {
	var v string
	err := t.tx.QueryRow(ctx, `SELECT custom->>$2::text AS v FROM contacts
		WHERE tenant_id = $1 AND custom->>$2::text <> '' GROUP BY v HAVING count(*) > 1 ORDER BY v LIMIT 1`,
		t.TenantID, name).Scan(&v)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("find duplicate values of %q: %w", name, err)
	}
	return v, true, nil
}

// contactFilters appends the WHERE conditions of a ContactFilter after
// tenant ($1) and cursor, numbering its arguments with arg. Memberships are
// EXISTS subqueries on the join tables (each starts from the contact's id,
// so they use the join tables' contact indexes); names compare ignoring
// case as the unique indexes do.
func contactFilters(f store.ContactFilter, arg func(any) string) string {
	var b strings.Builder
	cond := func(sql string) { b.WriteString(" AND " + sql) }
	if f.Email != "" {
		cond(`email = ` + arg(strings.ToLower(strings.TrimSpace(f.Email))))
	}
	if f.CustomerNumber != "" {
		cond(`customer_number = ` + arg(f.CustomerNumber))
	}
	if f.ExternalID != "" {
		cond(`external_id = ` + arg(f.ExternalID))
	}
	if f.Tag != "" {
		cond(`tags @> jsonb_build_array(` + arg(f.Tag) + `::text)`)
	}
	if !f.UpdatedSince.IsZero() {
		cond(`updated_at >= ` + arg(f.UpdatedSince))
	}
	if f.Q != "" {
		p := arg(store.LikePrefix(f.Q))
		cond(`(lower(name) LIKE ` + p + ` OR lower(first_name) LIKE ` + p + ` OR lower(last_name) LIKE ` + p +
			` OR email LIKE ` + p + `)`)
	}
	if f.Group != "" {
		cond(`EXISTS (SELECT 1 FROM contact_groups cg JOIN groups g ON g.id = cg.group_id WHERE cg.contact_id = contacts.id
			AND g.tenant_id = $1 AND g.resource = ` + arg(intake.GroupOfContacts) + ` AND lower(g.name) = lower(` + arg(f.Group) + `))`)
	}
	if f.Location != "" {
		cond(`EXISTS (SELECT 1 FROM contact_locations cl JOIN locations l ON l.id = cl.location_id WHERE cl.contact_id = contacts.id
			AND l.tenant_id = $1 AND lower(l.name) = lower(` + arg(f.Location) + `))`)
	}
	if f.Event != "" {
		cond(`EXISTS (SELECT 1 FROM participants p JOIN events e ON e.id = p.event_id WHERE p.contact_id = contacts.id
			AND e.tenant_id = $1 AND e.key = ` + arg(f.Event) + `)`)
	}
	for _, name := range slices.Sorted(maps.Keys(f.Custom)) {
		cond(`custom->>` + arg(name) + `::text = ` + arg(f.Custom[name]))
	}
	return b.String()
}
