package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// membership is one kind of contact membership: its join table and how
// its names find (and create) their rows.
type membership struct {
	join, col, table, where, create string
}

var (
	contactGroups = membership{join: "contact_groups", col: "group_id", table: "groups", where: `AND t.resource = 'contact'`,
		create: `INSERT INTO groups (tenant_id, name, resource, created_at, updated_at)
			SELECT $1, n, 'contact', $2, $2 FROM unnest($3::text[]) n ON CONFLICT DO NOTHING`}
	contactLocations = membership{join: "contact_locations", col: "location_id", table: "locations", create: createLocations}
)

// createLocations creates the locations named in $3.
const createLocations = `INSERT INTO locations (tenant_id, name, created_at)
	SELECT $1, n, $2 FROM unnest($3::text[]) n WHERE n <> '' ON CONFLICT DO NOTHING`

// writeMemberships makes the memberships of a batch of contacts what their
// Groups and Locations say (see store.GroupTx): at most three statements
// per kind and batch, none when the batch has no memberships to write.
// The tenant's write lock (Write) keeps the created rows from racing.
func (t *tx) writeMemberships(ctx context.Context, cs []*intake.Contact, inserted bool) error {
	groups, locations := store.ContactMemberships(cs, inserted)
	for _, x := range []struct {
		k membership
		m store.Memberships
	}{{contactGroups, groups}, {contactLocations, locations}} {
		if len(x.m.Synced) == 0 {
			continue
		}
		p := x.m.Pairs
		if _, err := t.tx.Exec(ctx, x.k.create, t.TenantID, t.Now, p.Names); err != nil {
			return fmt.Errorf("create %s: %w", x.k.table, err)
		}
		want := `SELECT t.id AS ref, p.c AS contact_id FROM unnest($2::bigint[], $3::text[]) p(c, n)
			JOIN ` + x.k.table + ` t ON t.tenant_id = $1 ` + x.k.where + ` AND lower(t.name) = lower(p.n)
			JOIN contacts c ON c.id = p.c AND c.tenant_id = $1`
		if !inserted {
			if _, err := t.tx.Exec(ctx, `DELETE FROM `+x.k.join+` m WHERE m.contact_id = ANY($4)
				AND (m.`+x.k.col+`, m.contact_id) NOT IN (`+want+`)`, t.TenantID, p.IDs, p.Names, x.m.Synced); err != nil {
				return fmt.Errorf("clear %s: %w", x.k.join, err)
			}
		}
		if _, err := t.tx.Exec(ctx, `INSERT INTO `+x.k.join+` (`+x.k.col+`, contact_id) `+want+` ON CONFLICT DO NOTHING`,
			t.TenantID, p.IDs, p.Names); err != nil {
			return fmt.Errorf("write %s: %w", x.k.join, err)
		}
	}
	return nil
}

// InsertGroups implements store.GroupTx: ids reserved in one statement,
// the rows inserted in another.
func (t *tx) InsertGroups(ctx context.Context, gs []*intake.Group) error {
	if len(gs) == 0 {
		return nil
	}
	names, res := make([]string, len(gs)), make([]string, len(gs))
	for i, g := range gs {
		names[i], res[i] = g.Name, g.Resource
	}
	rows, err := t.tx.Query(ctx, `INSERT INTO groups (tenant_id, name, resource, created_at, updated_at)
		SELECT $1, n, r, $2, $2 FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS x(n, r, i) ORDER BY i RETURNING id`,
		t.TenantID, t.Now, names, res)
	if err != nil {
		return groupError(err, gs)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return groupError(err, gs)
	}
	if len(ids) != len(gs) {
		return fmt.Errorf("insert groups: %d ids for %d groups", len(ids), len(gs))
	}
	for i, g := range gs {
		g.ID, g.CreatedAt, g.UpdatedAt = ids[i], t.Now, t.Now
	}
	return t.UpdateGroups(ctx, gs, false)
}

// groupError names the group whose name is taken when the batch is one
// group (a create through the API), as SQLite does.
func groupError(err error, gs []*intake.Group) error {
	var pgErr *pgconn.PgError
	switch {
	case !errors.As(err, &pgErr) || pgErr.Code != "23505":
		return fmt.Errorf("insert groups: %w", err)
	case len(gs) == 1:
		return intake.Errorf(intake.ECONFLICT, "A %s group named %q already exists.", gs[0].Resource, gs[0].Name)
	}
	return intake.Errorf(intake.ECONFLICT, "A group with one of these names already exists.")
}

// UpdateGroups implements store.GroupTx: the groups' locations and their
// members, set-based (each statement takes the batch as arrays).
func (t *tx) UpdateGroups(ctx context.Context, gs []*intake.Group, replace bool) error {
	if len(gs) == 0 {
		return nil
	}
	m := store.CollectGroupMembers(gs)
	gids, cids := m.ContactPairs()
	matchLoc := `JOIN locations l ON l.tenant_id = $1 AND lower(l.name) = lower(p.n)`
	members := `SELECT g.id, l.id FROM unnest($2::bigint[], $3::text[]) p(g, n) JOIN groups g ON g.id = p.g AND g.tenant_id = $1 ` + matchLoc
	steps := []struct {
		what, sql string
		args      []any
		skip      bool
	}{
		{"create locations", createLocations, []any{t.TenantID, t.Now, append(m.LocatedAt.Names, m.Locations.Names...)}, false},
		{"set group locations", `UPDATE groups SET location_id = n.loc, updated_at = $4 FROM (SELECT p.g, l.id AS loc
			FROM unnest($2::bigint[], $3::text[]) p(g, n) LEFT ` + matchLoc + `) n
			WHERE groups.tenant_id = $1 AND groups.id = n.g AND groups.location_id IS DISTINCT FROM n.loc`,
			[]any{t.TenantID, m.LocatedAt.IDs, m.LocatedAt.Names, t.Now}, false},
		{"clear group members", `DELETE FROM contact_groups WHERE group_id = ANY($1) AND (group_id, contact_id) NOT IN
			(SELECT * FROM unnest($2::bigint[], $3::bigint[]))`, []any{m.Groups, gids, cids}, !replace},
		{"clear group members", `DELETE FROM group_locations WHERE group_id = ANY($4) AND (group_id, location_id) NOT IN (` + members + `)`,
			[]any{t.TenantID, m.Locations.IDs, m.Locations.Names, m.Groups}, !replace},
		{"add group members", `INSERT INTO contact_groups (group_id, contact_id) SELECT g.id, c.id FROM unnest($2::bigint[], $3::bigint[]) p(g, c)
			JOIN groups g ON g.id = p.g AND g.tenant_id = $1 JOIN contacts c ON c.id = p.c AND c.tenant_id = $1 ON CONFLICT DO NOTHING`,
			[]any{t.TenantID, gids, cids}, len(gids) == 0},
		{"add group members", `INSERT INTO group_locations (group_id, location_id) ` + members + ` ON CONFLICT DO NOTHING`,
			[]any{t.TenantID, m.Locations.IDs, m.Locations.Names}, len(m.Locations.IDs) == 0},
	}
	for _, s := range steps {
		if s.skip {
			continue
		}
		if _, err := t.tx.Exec(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
	}
	return nil
}
