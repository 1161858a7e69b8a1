package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/intake/intake"
)

// GroupKey names a stored group: its resource (intake.GroupOfContacts or
// GroupOfLocations) and its name, compared ignoring case.
type GroupKey struct{ Resource, Name string }

// GroupFilter narrows ListGroups. Zero values mean "any".
type GroupFilter struct {
	After    int64
	Limit    int
	Resource string
}

// GroupReader reads a tenant's groups and locations (PackageX).
type GroupReader interface {
	// ListGroups returns up to f.Limit groups with id > f.After in id
	// order, with their Location and Size but not their Members.
	ListGroups(ctx context.Context, tenantID int64, f GroupFilter) ([]intake.Group, error)
	// GetGroup returns one group with its members (contacts or locations,
	// in name order); ENOTFOUND if it is not the tenant's.
	GetGroup(ctx context.Context, tenantID, id int64) (intake.Group, error)
	// ListLocations returns up to limit locations with id > after, in id order.
	ListLocations(ctx context.Context, tenantID, after int64, limit int) ([]intake.Location, error)
}

// GroupTx writes groups and locations inside a Tx, set-based: one call per
// batch, a few statements whatever its size.
//
// Contacts join groups and locations through their Groups and Locations
// (see Tx.InsertContacts and UpdateContacts): a nil list leaves a contact's
// memberships as they are, a non-nil one (even empty) makes them exactly
// those names; missing groups (of contacts) and locations are created, and
// names compare ignoring case.
type GroupTx interface {
	// FindGroups returns the stored groups with these keys, with their
	// Location but not their Members.
	FindGroups(ctx context.Context, keys []GroupKey) ([]intake.Group, error)
	// InsertGroups stores new groups, sets their ID and timestamps, and
	// writes their location and members as UpdateGroups does. A group whose
	// resource and name are taken is an ECONFLICT error.
	InsertGroups(ctx context.Context, gs []*intake.Group) error
	// UpdateGroups sets each group's Location (a name, created if missing;
	// "" for none) and adds its Members; with replace, its members become
	// exactly Members. Members of a contact group are the tenant's
	// contacts by ID; of a location group, locations by Name, created if
	// missing.
	UpdateGroups(ctx context.Context, gs []*intake.Group, replace bool) error
	// DeleteGroups removes groups with their memberships, never their
	// members, and returns how many it removed.
	DeleteGroups(ctx context.Context, ids []int64) (int64, error)
	// InsertLocation stores a new location and sets its ID; a name taken
	// (ignoring case) is an ECONFLICT error.
	InsertLocation(ctx context.Context, l *intake.Location) error
	// DeleteLocations removes locations with their memberships and returns
	// how many it removed; groups at them keep existing, without a location.
	DeleteLocations(ctx context.Context, ids []int64) (int64, error)
}

// Pairs are (id, name) rows for one set-based statement: contact → group
// or location name, group → location name, group → member location name.
type Pairs struct {
	IDs   []int64
	Names []string
}

func (p *Pairs) add(id int64, name string) {
	p.IDs, p.Names = append(p.IDs, id), append(p.Names, name)
}

// JSON renders the pairs as one JSON parameter, [[id, "name"], …], for a
// store that unnests JSON (SQLite's json_each).
func (p Pairs) JSON() string {
	rows := make([][2]any, len(p.IDs))
	for i := range p.IDs {
		rows[i] = [2]any{p.IDs[i], p.Names[i]}
	}
	b, _ := json.Marshal(rows)
	return string(b)
}

// Memberships is what a batch of contacts says about one kind of
// membership (groups or locations): the contacts whose set is written
// (Synced) and the names they belong to (Pairs).
type Memberships struct {
	Synced []int64
	Pairs  Pairs
}

// ContactMemberships collects a batch's memberships for the store's
// set-based write. Inserted contacts count only with names; updated ones
// whenever their list is non-nil (an empty list clears). Both results are
// empty when the batch says nothing about memberships, so a plain contact
// import runs no membership statement.
func ContactMemberships(cs []*intake.Contact, inserted bool) (groups, locations Memberships) {
	collect := func(m *Memberships, id int64, names []string) {
		if names == nil || (inserted && len(names) == 0) {
			return
		}
		m.Synced = append(m.Synced, id)
		for _, n := range names {
			m.Pairs.add(id, n)
		}
	}
	for _, c := range cs {
		collect(&groups, c.ID, c.Groups)
		collect(&locations, c.ID, c.Locations)
	}
	return groups, locations
}

// GroupMembers collects a batch of groups' members for the store: contact
// members by ID (ContactIDs: group → contact), location members by name
// and each group's location name (Locations, LocatedAt). Groups lists
// every group of the batch.
type GroupMembers struct {
	Groups     []int64
	ContactIDs [][2]int64
	Locations  Pairs // group → member location name
	LocatedAt  Pairs // group → its own location name ("" for none)
}

// CollectGroupMembers builds GroupMembers for gs.
func CollectGroupMembers(gs []*intake.Group) GroupMembers {
	var m GroupMembers
	for _, g := range gs {
		m.Groups = append(m.Groups, g.ID)
		m.LocatedAt.add(g.ID, g.Location)
		for _, mem := range g.Members {
			if g.Resource == intake.GroupOfLocations {
				m.Locations.add(g.ID, mem.Name)
			} else {
				m.ContactIDs = append(m.ContactIDs, [2]int64{g.ID, mem.ID})
			}
		}
	}
	return m
}

// ContactPairs renders ContactIDs as parallel slices (PostgreSQL arrays) …
func (m GroupMembers) ContactPairs() (groups, contacts []int64) {
	for _, p := range m.ContactIDs {
		groups, contacts = append(groups, p[0]), append(contacts, p[1])
	}
	return groups, contacts
}

// ContactPairsJSON … or as one JSON parameter [[group, contact], …] (SQLite).
func (m GroupMembers) ContactPairsJSON() string {
	b, _ := json.Marshal(nonNilPairs(m.ContactIDs))
	return string(b)
}

func nonNilPairs(p [][2]int64) [][2]int64 {
	if p == nil {
		return [][2]int64{}
	}
	return p
}

// IDsJSON renders ids as one JSON parameter.
func IDsJSON(ids []int64) string {
	if ids == nil {
		ids = []int64{}
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

// KeysJSON renders group keys as one JSON parameter [["contact", "vip"], …],
// names lower-cased with Go's folding as both stores compare them.
func KeysJSON(keys []GroupKey) string {
	rows := make([][2]string, len(keys))
	for i, k := range keys {
		rows[i] = [2]string{k.Resource, k.Name}
	}
	b, _ := json.Marshal(rows)
	return string(b)
}

// DecodeNames reads the JSON arrays of names a contact row carries
// (alternate names, and its groups and locations aggregated by the store)
// into c, each sorted; empty lists stay nil.
func DecodeNames(c *intake.Contact, alternateNames, groups, locations string) error {
	for _, x := range []struct {
		dst *[]string
		raw string
	}{{&c.AlternateNames, alternateNames}, {&c.Groups, groups}, {&c.Locations, locations}} {
		if x.raw == "" || x.raw == "[]" || x.raw == "null" {
			continue
		}
		if err := json.Unmarshal([]byte(x.raw), x.dst); err != nil {
			return fmt.Errorf("decode names: %w", err)
		}
		slices.Sort(*x.dst)
		if len(*x.dst) == 0 {
			*x.dst = nil
		}
	}
	return nil
}

// SortMembers orders a group's members by name (then id) in Go, so both
// stores answer in one order whatever their collation.
func SortMembers(ms []intake.GroupMember) {
	slices.SortFunc(ms, func(a, b intake.GroupMember) int {
		if a.Name != b.Name {
			return strings.Compare(a.Name, b.Name)
		}
		return int(a.ID - b.ID)
	})
}

// EncodeAlternateNames renders a contact's alternate names as JSON text.
func EncodeAlternateNames(c *intake.Contact) string {
	b, _ := json.Marshal(nonNil(c.AlternateNames))
	return string(b)
}
