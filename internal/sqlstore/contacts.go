package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// Column kinds of a contact's data columns.
const (
	KindText = "text"    // a scalar field of the registry; NULL when empty if Unique
	KindJSON = "json"    // JSON text (SQLite TEXT, PostgreSQL jsonb)
	KindBool = "boolean" // SQLite INTEGER 0/1, PostgreSQL boolean
)

// Column is one contact column an import writes.
type Column struct {
	Name, Kind string
	// Unique: an empty value is stored as NULL, so the unique index
	// ignores it (store.ContactUniqueFields).
	Unique bool
	value  func(c *intake.Contact) any
	// field is the registry's field of a KindText column.
	field *intake.Field
}

// ContactColumns are the columns an import writes, in ContactValues'
// order: every scalar field of the contact registry (intake.ContactFields,
// its column named as the field), then the list and map fields as JSON.
// Adding a scalar field to the registry adds its column here, to every
// SELECT, INSERT, UPDATE and the PostgreSQL COPY and staging table; only
// the migrations name it again.
var ContactColumns = contactColumns()

func contactColumns() []Column {
	var cols []Column
	for i := range intake.ContactFields {
		f := &intake.ContactFields[i]
		if f.Column(&intake.Contact{}) == nil {
			continue
		}
		cols = append(cols, Column{Name: f.Name, Kind: KindText, Unique: f.Unique, field: f, value: func(c *intake.Contact) any {
			v := *f.Column(c)
			if f.Unique && v == "" {
				return nil
			}
			return v
		}})
	}
	json := func(name string, enc func(c *intake.Contact) string) Column {
		return Column{Name: name, Kind: KindJSON, value: func(c *intake.Contact) any { return enc(c) }}
	}
	return append(cols,
		json("tags", func(c *intake.Contact) string { t, _, _ := store.EncodeJSONColumns(c); return t }),
		json("custom", func(c *intake.Contact) string { _, cu, _ := store.EncodeJSONColumns(c); return cu }),
		json("alternates", func(c *intake.Contact) string { _, _, a := store.EncodeJSONColumns(c); return a }),
		json("alternate_names", store.EncodeAlternateNames),
		Column{Name: "is_primary", Kind: KindBool, value: func(c *intake.Contact) any { return c.IsPrimary }})
}

// ContactColumnNames are ContactColumns' names.
func ContactColumnNames() []string {
	names := make([]string, len(ContactColumns))
	for i, c := range ContactColumns {
		names[i] = c.Name
	}
	return names
}

// ContactValues is c's row for ContactColumns.
func ContactValues(c *intake.Contact) []any {
	tags, custom, alts := store.EncodeJSONColumns(c)
	vs := make([]any, len(ContactColumns))
	for i, col := range ContactColumns {
		switch col.Name { // encode the three JSON columns once, not once each
		case "tags":
			vs[i] = tags
		case "custom":
			vs[i] = custom
		case "alternates":
			vs[i] = alts
		default:
			vs[i] = col.value(c)
		}
	}
	return vs
}

// ContactSelect is what every contact SELECT returns, in ScanContact's
// order: id, the data columns, the timestamps, and the names of the
// contact's groups and locations as JSON arrays.
func (d *Dialect) ContactSelect() string {
	var b strings.Builder
	b.WriteString("id")
	for _, c := range ContactColumns {
		if c.Unique {
			b.WriteString(", coalesce(" + c.Name + ", '')")
		} else {
			b.WriteString(", " + c.Name)
		}
	}
	b.WriteString(", created_at, updated_at, ")
	b.WriteString(d.JSONArray("g.name", `FROM contact_groups cg JOIN groups g ON g.id = cg.group_id WHERE cg.contact_id = contacts.id`))
	b.WriteString(", ")
	b.WriteString(d.JSONArray("l.name", `FROM contact_locations cl JOIN locations l ON l.id = cl.location_id WHERE cl.contact_id = contacts.id`))
	return b.String()
}

func (db *DB) contactCols() string { return db.Dialect.ContactSelect() }

// ScanContact reads a row of ContactSelect.
func ScanContact(s Row) (intake.Contact, error) { return scanContact(s) }

func scanContact(s Row) (intake.Contact, error) {
	var c intake.Contact
	var tags, custom, alts, altNames, groups, locations string
	dest := make([]any, 0, len(ContactColumns)+5)
	dest = append(dest, &c.ID)
	for _, col := range ContactColumns {
		switch col.Name {
		case "tags":
			dest = append(dest, &tags)
		case "custom":
			dest = append(dest, &custom)
		case "alternates":
			dest = append(dest, &alts)
		case "alternate_names":
			dest = append(dest, &altNames)
		case "is_primary":
			dest = append(dest, &c.IsPrimary)
		default:
			dest = append(dest, col.field.Column(&c))
		}
	}
	dest = append(dest, Time(&c.CreatedAt), Time(&c.UpdatedAt), &groups, &locations)
	if err := s.Scan(dest...); err != nil {
		return c, err
	}
	if err := store.DecodeNames(&c, altNames, groups, locations); err != nil {
		return c, fmt.Errorf("contact %d: %w", c.ID, err)
	}
	if err := store.DecodeJSONColumns(&c, tags, custom, alts); err != nil {
		return c, fmt.Errorf("contact %d: %w", c.ID, err)
	}
	return c, nil
}

// GetContact implements store.Store.
func (db *DB) GetContact(ctx context.Context, tenantID, id int64) (intake.Contact, error) {
	c, err := scanContact(db.Reader.QueryRow(ctx,
		`SELECT `+db.contactCols()+` FROM contacts WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, intake.Errorf(intake.ENOTFOUND, "Contact %d not found.", id)
	}
	if err != nil {
		return c, fmt.Errorf("get contact %d: %w", id, err)
	}
	c.Events, err = contactEvents(ctx, db.Reader, tenantID, id)
	return c, err
}

// QueryContacts runs a SELECT of ContactSelect and scans its rows.
func QueryContacts(ctx context.Context, q Querier, query string, args ...any) ([]intake.Contact, error) {
	rows, err := q.Query(ctx, query, args...)
	return collect(rows, err, scanContact)
}

// DeleteIDs deletes the transaction tenant's rows of table with these ids
// and returns how many it deleted.
func (t *Tx) DeleteIDs(ctx context.Context, table string, ids []int64) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	n, err := t.Q.Exec(ctx, `DELETE FROM `+table+` WHERE tenant_id = $1 AND `+t.Dialect.In("id", "$2"), t.TenantID, t.Dialect.List(ids))
	if err != nil {
		return 0, fmt.Errorf("delete %s: %w", table, err)
	}
	return n, nil
}

// DeleteContacts implements store.Tx.
func (t *Tx) DeleteContacts(ctx context.Context, ids []int64) error {
	_, err := t.DeleteIDs(ctx, "contacts", ids)
	return err
}
