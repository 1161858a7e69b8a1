package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// groupCols is what every group SELECT returns, in scanGroup's order.
const groupCols = `g.id, g.name, g.resource, coalesce(l.name, ''), g.created_at, g.updated_at,
	CASE g.resource WHEN 'location' THEN (SELECT count(*) FROM group_locations WHERE group_id = g.id)
		ELSE (SELECT count(*) FROM contact_groups WHERE group_id = g.id) END
	FROM groups g LEFT JOIN locations l ON l.id = g.location_id`

func queryGroups(ctx context.Context, q Querier, where string, args ...any) ([]intake.Group, error) {
	rows, err := q.Query(ctx, `SELECT `+groupCols+` `+where, args...)
	return collect(rows, err, func(s Row) (intake.Group, error) {
		var g intake.Group
		err := s.Scan(&g.ID, &g.Name, &g.Resource, &g.Location, Time(&g.CreatedAt), Time(&g.UpdatedAt), &g.Size)
		return g, err
	})
}

// ListGroups implements store.GroupReader.
func (db *DB) ListGroups(ctx context.Context, tenantID int64, f store.GroupFilter) ([]intake.Group, error) {
	gs, err := queryGroups(ctx, db.Reader, `WHERE g.tenant_id = $1 AND g.id > $2 AND ($3 = '' OR g.resource = $3)
		ORDER BY g.id LIMIT $4`, tenantID, f.After, f.Resource, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	return gs, nil
}

// GetGroup implements store.GroupReader.
func (db *DB) GetGroup(ctx context.Context, tenantID, id int64) (intake.Group, error) {
	gs, err := queryGroups(ctx, db.Reader, `WHERE g.tenant_id = $1 AND g.id = $2`, tenantID, id)
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
	rows, err := db.Reader.Query(ctx, q, id)
	g.Members, err = collect(rows, err, func(s Row) (intake.GroupMember, error) {
		var m intake.GroupMember
		return m, s.Scan(&m.ID, &m.Name, &m.Email)
	})
	if err != nil {
		return g, fmt.Errorf("get group %d members: %w", id, err)
	}
	store.SortMembers(g.Members)
	return g, nil
}

// ListLocations implements store.GroupReader.
func (db *DB) ListLocations(ctx context.Context, tenantID, after int64, limit int) ([]intake.Location, error) {
	rows, err := db.Reader.Query(ctx, `SELECT id, name, created_at FROM locations WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
		tenantID, after, limit)
	out, err := collect(rows, err, func(s Row) (intake.Location, error) {
		var l intake.Location
		return l, s.Scan(&l.ID, &l.Name, Time(&l.CreatedAt))
	})
	if err != nil {
		return nil, fmt.Errorf("list locations: %w", err)
	}
	return out, nil
}

// FindGroups implements store.GroupTx: the keys are one JSON parameter.
func (t *Tx) FindGroups(ctx context.Context, keys []store.GroupKey) ([]intake.Group, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	type key struct {
		R string `json:"r"`
		N string `json:"n"`
	}
	ks := make([]key, len(keys))
	for i, k := range keys {
		ks[i] = key{k.Resource, k.Name}
	}
	b, _ := json.Marshal(ks)
	lower := t.Dialect.Lower
	gs, err := queryGroups(ctx, t.Q, `WHERE g.tenant_id = $1 AND (g.resource, `+lower+`(g.name)) IN
		(SELECT u.r, `+lower+`(u.n) FROM `+t.Dialect.Records("$2", "r text", "n text")+`)`, t.TenantID, string(b))
	if err != nil {
		return nil, fmt.Errorf("find groups: %w", err)
	}
	return gs, nil
}

// DeleteGroups implements store.GroupTx.
func (t *Tx) DeleteGroups(ctx context.Context, ids []int64) (int64, error) {
	return t.DeleteIDs(ctx, "groups", ids)
}

// DeleteLocations implements store.GroupTx.
func (t *Tx) DeleteLocations(ctx context.Context, ids []int64) (int64, error) {
	return t.DeleteIDs(ctx, "locations", ids)
}

// InsertLocation implements store.GroupTx.
func (t *Tx) InsertLocation(ctx context.Context, l *intake.Location) error {
	err := t.Q.QueryRow(ctx, `INSERT INTO locations (tenant_id, name, created_at) VALUES ($1, $2, $3) RETURNING id`,
		t.TenantID, l.Name, t.now()).Scan(&l.ID)
	if err != nil && t.Dialect.IsUniqueViolation(err) {
		return intake.Errorf(intake.ECONFLICT, "A location named %q already exists.", l.Name)
	}
	if err != nil {
		return fmt.Errorf("insert location: %w", err)
	}
	l.CreatedAt = t.Now
	return nil
}
