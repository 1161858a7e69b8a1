package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

func listFields(ctx context.Context, q Querier, d *Dialect, tenantID int64) ([]intake.CustomField, error) {
	rows, err := q.Query(ctx, `SELECT id, name, label, type, required, is_unique, options, created_at, updated_at
		FROM custom_fields WHERE tenant_id = $1 ORDER BY name`, tenantID)
	out, err := collect(rows, err, func(r Row) (intake.CustomField, error) {
		var f intake.CustomField
		var typ string
		err := r.Scan(&f.ID, &f.Name, &f.Label, &typ, &f.Required, &f.Unique, d.ScanStrings(&f.Options),
			Time(&f.CreatedAt), Time(&f.UpdatedAt))
		f.Type = intake.FieldType(typ)
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
	return listFields(ctx, db.Reader, db.Dialect, tenantID)
}

// ListFields implements store.Tx.
func (t *Tx) ListFields(ctx context.Context) ([]intake.CustomField, error) {
	return listFields(ctx, t.Q, t.Dialect, t.TenantID)
}

// SaveField implements store.Tx. On PostgreSQL a failed statement aborts
// the transaction, so a name taken is an error the caller returns.
func (t *Tx) SaveField(ctx context.Context, f *intake.CustomField) error {
	options := t.Dialect.Strings(append([]string{}, f.Options...))
	if f.ID == 0 {
		err := t.Q.QueryRow(ctx, `INSERT INTO custom_fields (tenant_id, name, label, type, required, is_unique, options,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			t.TenantID, f.Name, f.Label, string(f.Type), f.Required, f.Unique, options, t.now()).Scan(&f.ID)
		if err != nil {
			return t.fieldConflict(err, f.Name)
		}
		f.CreatedAt, f.UpdatedAt = t.Now, t.Now
		return nil
	}
	n, err := t.Q.Exec(ctx, `UPDATE custom_fields SET name = $3, label = $4, type = $5, required = $6, is_unique = $7,
		options = $8, updated_at = $9 WHERE tenant_id = $1 AND id = $2`,
		t.TenantID, f.ID, f.Name, f.Label, string(f.Type), f.Required, f.Unique, options, t.now())
	if err != nil {
		return t.fieldConflict(err, f.Name)
	}
	if n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Custom field %q not found.", f.Name)
	}
	f.UpdatedAt = t.Now
	return nil
}

func (t *Tx) fieldConflict(err error, name string) error {
	if t.Dialect.IsUniqueViolation(err) {
		return intake.Errorf(intake.ECONFLICT, "A custom field named %q exists already.", name)
	}
	return fmt.Errorf("save custom field %q: %w", name, err)
}

// DeleteField implements store.Tx.
func (t *Tx) DeleteField(ctx context.Context, id int64) error {
	n, err := t.Q.Exec(ctx, `DELETE FROM custom_fields WHERE tenant_id = $1 AND id = $2`, t.TenantID, id)
	if err != nil {
		return fmt.Errorf("delete custom field %d: %w", id, err)
	}
	if n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Custom field %d not found.", id)
	}
	return nil
}

// DuplicateCustomValue implements store.Tx.
func (t *Tx) DuplicateCustomValue(ctx context.Context, name string) (string, bool, error) {
	var v string
	err := t.Q.QueryRow(ctx, `SELECT v FROM (SELECT `+t.Dialect.JSONField("custom", "$1")+` AS v FROM contacts WHERE tenant_id = $2) d
		WHERE v IS NOT NULL AND v <> '' GROUP BY v HAVING count(*) > 1 ORDER BY v LIMIT 1`,
		t.Dialect.JSONKey(name), t.TenantID).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("find duplicate values of %q: %w", name, err)
	}
	return v, true, nil
}

// ListContacts implements store.Store. A negative limit means no limit.
func (db *DB) ListContacts(ctx context.Context, tenantID int64, f store.ContactFilter) ([]intake.Contact, error) {
	args := []any{tenantID, f.After}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	q := `SELECT ` + db.contactCols() + ` FROM contacts WHERE tenant_id = $1 AND id > $2` + db.Dialect.contactFilters(f, arg)
	limit := int64(f.Limit)
	if limit < 0 {
		limit = math.MaxInt64
	}
	out, err := QueryContacts(ctx, db.Reader, q+` ORDER BY id LIMIT `+arg(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	return out, nil
}

// contactFilters appends the WHERE conditions of a ContactFilter after
// tenant ($1) and cursor, numbering its arguments with arg. Memberships are
// EXISTS subqueries on the join tables (each starts from the contact's id,
// so they use the join tables' contact indexes); names compare ignoring
// case as the unique indexes do.
func (d *Dialect) contactFilters(f store.ContactFilter, arg func(any) string) string {
	var b strings.Builder
	cond := func(sql string) { b.WriteString(" AND " + sql) }
	lower := func(expr string) string { return d.Lower + "(" + expr + ")" }
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
		cond(d.HasTag(arg(f.Tag)))
	}
	if !f.UpdatedSince.IsZero() {
		cond(`updated_at >= ` + arg(d.Time(f.UpdatedSince)))
	}
	if f.Q != "" {
		p := arg(store.LikePrefix(f.Q))
		like := ` LIKE ` + p + ` ESCAPE '\'`
		cond(`(` + lower("name") + like + ` OR ` + lower("first_name") + like + ` OR ` + lower("last_name") + like +
			` OR email` + like + `)`)
	}
	if f.Group != "" {
		cond(`EXISTS (SELECT 1 FROM contact_groups cg JOIN groups g ON g.id = cg.group_id WHERE cg.contact_id = contacts.id
			AND g.tenant_id = $1 AND g.resource = ` + arg(intake.GroupOfContacts) + ` AND ` + lower("g.name") + ` = ` + lower(arg(f.Group)) + `)`)
	}
	if f.Location != "" {
		cond(`EXISTS (SELECT 1 FROM contact_locations cl JOIN locations l ON l.id = cl.location_id WHERE cl.contact_id = contacts.id
			AND l.tenant_id = $1 AND ` + lower("l.name") + ` = ` + lower(arg(f.Location)) + `)`)
	}
	if f.Event != "" {
		cond(`EXISTS (SELECT 1 FROM participants p JOIN events e ON e.id = p.event_id WHERE p.contact_id = contacts.id
			AND e.tenant_id = $1 AND e.key = ` + arg(f.Event) + `)`)
	}
	for _, name := range slices.Sorted(maps.Keys(f.Custom)) {
		cond(d.JSONField("custom", arg(d.JSONKey(name))) + ` = ` + arg(f.Custom[name]))
	}
	return b.String()
}
