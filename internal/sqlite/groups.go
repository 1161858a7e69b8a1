package sqlite

import (
	"context"
	"fmt"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// membership is one kind of contact membership: its join table and how
// its names find their rows.
type membership struct {
	join, col, table, where, create string
}

var (
	contactGroups = membership{join: "contact_groups", col: "group_id", table: "groups", where: `AND t.resource = 'contact'`,
		create: `INSERT INTO groups (tenant_id, name, resource, created_at, updated_at)
			SELECT ?1, json_extract(value, '$[1]'), 'contact', ?2, ?2 FROM json_each(?3) WHERE true ON CONFLICT DO NOTHING`}
	contactLocations = membership{join: "contact_locations", col: "location_id", table: "locations",
		create: createLocations}
)

// createLocations creates the locations named by ?3's pairs ([id, name]).
const createLocations = `INSERT INTO locations (tenant_id, name, created_at)
	SELECT ?1, json_extract(value, '$[1]'), ?2 FROM json_each(?3) WHERE json_extract(value, '$[1]') <> '' ON CONFLICT DO NOTHING`

// writeMemberships makes the memberships of a batch of contacts what their
// Groups and Locations say (see store.GroupTx): a few statements per batch,
// none when the batch has no memberships to write.
func (t *tx) writeMemberships(ctx context.Context, cs []*intake.Contact, inserted bool) error {
	groups, locations := store.ContactMemberships(cs, inserted)
	for _, x := range []struct {
		k membership
		m store.Memberships
	}{{contactGroups, groups}, {contactLocations, locations}} {
		if len(x.m.Synced) == 0 {
			continue
		}
		pairs := x.m.Pairs.JSON()
		if _, err := t.tx.ExecContext(ctx, x.k.create, t.TenantID, micros(t.Now), pairs); err != nil {
			return fmt.Errorf("create %s: %w", x.k.table, err)
		}
		match := `FROM json_each(?3) p JOIN ` + x.k.table + ` t ON t.tenant_id = ?1 ` + x.k.where +
			` AND intake_lower(t.name) = intake_lower(json_extract(p.value, '$[1]'))`
		if !inserted {
			if _, err := t.tx.ExecContext(ctx, `DELETE FROM `+x.k.join+` WHERE contact_id IN (SELECT value FROM json_each(?2))
				AND NOT EXISTS (SELECT 1 `+match+` WHERE json_extract(p.value, '$[0]') = `+x.k.join+`.contact_id
					AND t.id = `+x.k.join+`.`+x.k.col+`)`, t.TenantID, store.IDsJSON(x.m.Synced), pairs); err != nil {
				return fmt.Errorf("clear %s: %w", x.k.join, err)
			}
		}
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO `+x.k.join+` (`+x.k.col+`, contact_id)
			SELECT t.id, c.id `+match+` JOIN contacts c ON c.id = json_extract(p.value, '$[0]') AND c.tenant_id = ?1
			WHERE true ON CONFLICT DO NOTHING`, t.TenantID, nil, pairs); err != nil {
			return fmt.Errorf("write %s: %w", x.k.join, err)
		}
	}
	return nil
}

// InsertGroups implements store.GroupTx.
func (t *tx) InsertGroups(ctx context.Context, gs []*intake.Group) error {
	if len(gs) == 0 {
		return nil
	}
	stmt, err := t.tx.PrepareContext(ctx, `INSERT INTO groups (tenant_id, name, resource, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("prepare insert group: %w", err)
	}
	defer stmt.Close()
	for _, g := range gs {
		res, err := stmt.ExecContext(ctx, t.TenantID, g.Name, g.Resource, micros(t.Now), micros(t.Now))
		if err != nil {
			if isUniqueViolation(err) {
				return intake.Errorf(intake.ECONFLICT, "A %s group named %q already exists.", g.Resource, g.Name)
			}
			return fmt.Errorf("insert group: %w", err)
		}
		if g.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("insert group: %w", err)
		}
		g.CreatedAt, g.UpdatedAt = t.Now, t.Now
	}
	return t.UpdateGroups(ctx, gs, false)
}

// UpdateGroups implements store.GroupTx: the groups' locations and their
// members, set-based (each statement takes the batch as one JSON parameter).
func (t *tx) UpdateGroups(ctx context.Context, gs []*intake.Group, replace bool) error {
	if len(gs) == 0 {
		return nil
	}
	m := store.CollectGroupMembers(gs)
	located, members, contacts := m.LocatedAt.JSON(), m.Locations.JSON(), m.ContactPairsJSON()
	matchLoc := `JOIN locations l ON l.tenant_id = ?1 AND intake_lower(l.name) = intake_lower(json_extract(p.value, '$[1]'))`
	ownGroup := `JOIN groups g ON g.id = json_extract(p.value, '$[0]') AND g.tenant_id = ?1`
	steps := []struct {
		what, sql string
		args      []any
		skip      bool
	}{
		{"create locations", createLocations, []any{t.TenantID, micros(t.Now), located}, false},
		{"create locations", createLocations, []any{t.TenantID, micros(t.Now), members}, len(m.Locations.IDs) == 0},
		{"set group locations", `UPDATE groups SET location_id = n.loc, updated_at = ?2 FROM (SELECT json_extract(p.value, '$[0]') AS gid, l.id AS loc
			FROM json_each(?3) p LEFT ` + matchLoc + `) n WHERE groups.tenant_id = ?1 AND groups.id = n.gid AND groups.location_id IS NOT n.loc`,
			[]any{t.TenantID, micros(t.Now), located}, false},
		{"clear group members", `DELETE FROM contact_groups WHERE group_id IN (SELECT value FROM json_each(?2)) AND NOT EXISTS
			(SELECT 1 FROM json_each(?3) p WHERE json_extract(p.value, '$[0]') = group_id AND json_extract(p.value, '$[1]') = contact_id)`,
			[]any{t.TenantID, store.IDsJSON(m.Groups), contacts}, !replace},
		{"clear group members", `DELETE FROM group_locations WHERE group_id IN (SELECT value FROM json_each(?2)) AND NOT EXISTS
			(SELECT 1 FROM json_each(?3) p ` + matchLoc + ` WHERE json_extract(p.value, '$[0]') = group_id AND l.id = location_id)`,
			[]any{t.TenantID, store.IDsJSON(m.Groups), members}, !replace},
		{"add group members", `INSERT INTO contact_groups (group_id, contact_id) SELECT g.id, c.id FROM json_each(?2) p ` + ownGroup + `
			JOIN contacts c ON c.id = json_extract(p.value, '$[1]') AND c.tenant_id = ?1 WHERE true ON CONFLICT DO NOTHING`,
			[]any{t.TenantID, contacts}, len(m.ContactIDs) == 0},
		{"add group members", `INSERT INTO group_locations (group_id, location_id) SELECT g.id, l.id FROM json_each(?3) p ` + ownGroup + `
			` + matchLoc + ` WHERE true ON CONFLICT DO NOTHING`, []any{t.TenantID, nil, members}, len(m.Locations.IDs) == 0},
	}
	for _, s := range steps {
		if s.skip {
			continue
		}
		if _, err := t.tx.ExecContext(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("%s: %w", s.what, err)
		}
	}
	return nil
}
