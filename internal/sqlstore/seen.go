package sqlstore

import (
	"context"
	"fmt"

	"github.com/intake/intake"
)

// MarkSeen implements store.Tx: one statement for the batch.
func (t *Tx) MarkSeen(ctx context.Context, importID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := t.Q.Exec(ctx, `INSERT INTO import_seen (import_id, contact_id)
		SELECT $1, v.value FROM (`+t.Dialect.Each("$2", "bigint")+`) v WHERE true ON CONFLICT DO NOTHING`,
		importID, t.Dialect.List(ids)); err != nil {
		return fmt.Errorf("mark %d contacts seen: %w", len(ids), err)
	}
	return nil
}

// UnseenContacts implements store.Tx.
func (t *Tx) UnseenContacts(ctx context.Context, importID int64, group string) ([]intake.Contact, error) {
	lower := t.Dialect.Lower
	rows, err := t.Q.Query(ctx, `SELECT c.id, coalesce(c.email, ''), coalesce(c.customer_number, ''), c.name
		FROM contacts c
		WHERE c.tenant_id = $1
		  AND NOT EXISTS (SELECT 1 FROM import_seen s WHERE s.import_id = $2 AND s.contact_id = c.id)
		  AND ($3 = '' OR EXISTS (SELECT 1 FROM contact_groups cg JOIN groups g ON g.id = cg.group_id
		       WHERE cg.contact_id = c.id AND g.tenant_id = $1 AND g.resource = 'contact' AND `+lower+`(g.name) = `+lower+`($3)))
		ORDER BY c.id`, t.TenantID, importID, group)
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

// ForgetSeen implements store.Tx.
func (t *Tx) ForgetSeen(ctx context.Context, importID int64) error {
	if _, err := t.Q.Exec(ctx, `DELETE FROM import_seen WHERE import_id = $1`, importID); err != nil {
		return fmt.Errorf("forget seen contacts: %w", err)
	}
	if _, err := t.Q.Exec(ctx, `DELETE FROM import_seen_records WHERE import_id = $1`, importID); err != nil {
		return fmt.Errorf("forget seen records: %w", err)
	}
	return nil
}
