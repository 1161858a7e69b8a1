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

// groupCols is what every group SELECT returns, in scanGroup's order.
const groupCols = `g.id, g.name, g.resource, coalesce(l.name, ''), g.created_at, g.updated_at,
	CASE g.resource WHEN 'location' THEN (SELECT count(*) FROM group_locations WHERE group_id = g.id)
		ELSE (SELECT count(*) FROM contact_groups WHERE group_id = g.id) END
	FROM groups g LEFT JOIN locations l ON l.id = g.location_id`

func queryGroups(ctx context.Context, q querier, query string, args ...any) ([]intake.Group, error) {
	rows, err := q.Query(ctx, `SELECT `+groupCols+` `+query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (intake.Group, error) {
		var g intake.Group
		err := r.Scan(&g.ID, &g.Name, &g.Resource, &g.Location, &g.CreatedAt, &g.UpdatedAt, &g.Size)
		g.CreatedAt, g.UpdatedAt = g.CreatedAt.UTC(), g.UpdatedAt.UTC()
		return g, err
	})
}

// ListGroups implements store.GroupReader.
func (db *DB) ListGroups(ctx context.Context, tenantID int64, f store.GroupFilter) ([]intake.Group, error) {
	gs, err := queryGroups(ctx, db.pool, `WHERE g.tenant_id = $1 AND g.id > $2 AND ($3 = '' OR g.resource = $3) ORDER BY g.id LIMIT $4`,
		tenantID, f.After, f.Resource, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	return gs, nil
}

// GetGroup implements store.GroupReader.
func (db *DB) GetGroup(ctx context.Context, tenantID, id int64) (intake.Group, error) {
	gs, err := queryGroups(ctx, db.pool, `WHERE g.tenant_id = $1 AND g.id = $2`, tenantID, id)
	if err != nil {
		return intake.Group{}, fmt.Errorf("get group %d: %w", id, err)
	}
	if len(gs) == 0 {
		return intake.Group{}, intake.Errorf(intake.ENOTFOUND, "Group %d not found.", id)
	}
	g := gs[0]
	q := `SELECT c.id, c.name, coalesce(c.email, '') FROM contact_groups m JOIN contacts c ON c.id = m.contact_id WHERE m.group_id = $1`
	if g.Resource == intake.GroupOfLocations {
		q = `SELECT l.id, l.name, '' FROM group_locations m JOIN locations l ON l.id = m.location_id WHERE m.group_id = $1`
	}
	rows, err := db.pool.Query(ctx, q, id)
	if err != nil {
		return g, fmt.Errorf("get group %d members: %w", id, err)
	}
	g.Members, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (intake.GroupMember, error) {
		var m intake.GroupMember
		err := r.Scan(&m.ID, &m.Name, &m.Email)
		return m, err
	})
	if err != nil {
		return g, fmt.Errorf("get group %d members: %w", id, err)
	}
	store.SortMembers(g.Members)
	return g, nil
}

// ListLocations implements store.GroupReader.
func (db *DB) ListLocations(ctx context.Context, tenantID, after int64, limit int) ([]intake.Location, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, name, created_at FROM locations WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
		tenantID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list locations: %w", err)
	}
	ls, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (intake.Location, error) {
		var l intake.Location
		err := r.Scan(&l.ID, &l.Name, &l.CreatedAt)
		l.CreatedAt = l.CreatedAt.UTC()
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("list locations: %w", err)
	}
	return ls, nil
}

// FindGroups implements store.GroupTx.
func (t *tx) FindGroups(ctx context.Context, keys []store.GroupKey) ([]intake.Group, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	res, names := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		res[i], names[i] = k.Resource, k.Name
	}
	gs, err := queryGroups(ctx, t.tx, `WHERE g.tenant_id = $1 AND (g.resource, lower(g.name)) IN
		(SELECT r, lower(n) FROM unnest($2::text[], $3::text[]) k(r, n))`, t.TenantID, res, names)
	if err != nil {
		return nil, fmt.Errorf("find groups: %w", err)
	}
	return gs, nil
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

// DeleteGroups implements store.GroupTx.
func (t *tx) DeleteGroups(ctx context.Context, ids []int64) (int64, error) {
	return t.deleteIDs(ctx, "groups", ids)
}

// DeleteLocations implements store.GroupTx.
func (t *tx) DeleteLocations(ctx context.Context, ids []int64) (int64, error) {
	return t.deleteIDs(ctx, "locations", ids)
}

// deleteIDs deletes the tenant's rows of table with these ids, in one
// statement: contacts, participants, groups and locations all go through it.
func (t *tx) deleteIDs(ctx context.Context, table string, ids []int64) (int64, error) {
	tag, err := t.tx.Exec(ctx, `DELETE FROM `+table+` WHERE tenant_id = $1 AND id = ANY($2)`, t.TenantID, ids)
	if err != nil {
		return 0, fmt.Errorf("delete %s: %w", table, err)
	}
	return tag.RowsAffected(), nil
}

// InsertLocation implements store.GroupTx.
func (t *tx) InsertLocation(ctx context.Context, l *intake.Location) error {
	err := t.tx.QueryRow(ctx, `INSERT INTO locations (tenant_id, name, created_at) VALUES ($1, $2, $3) RETURNING id`,
		t.TenantID, l.Name, t.Now).Scan(&l.ID)
	if isUniqueViolation(err) {
		return intake.Errorf(intake.ECONFLICT, "A location named %q already exists.", l.Name)
	}
	if err != nil {
		return fmt.Errorf("insert location: %w", err)
	}
	l.CreatedAt = t.Now
	return nil
}
