package importer

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// groups is the Resource for groups (PackageX's group CSV): each row names
// a group by resource (contact or location) and name, with its location
// and its children. A group's key is its resource and its name ignoring
// case. Contact children must exist (by email when the entry has one, else
// by name); location children and locations are created when missing.
type groups struct{}

// groupRow is a group row's normalised data: the group (name, resource,
// location) and its children as the row names them.
type groupRow struct {
	group    intake.Group
	children []intake.Child
}

func groupOf(it *Item) *groupRow { return it.Data.(*groupRow) }

// Key implements Resource: resource + lower(name), "" without either.
func (groups) Key(_ *intake.ImportSpec, rec Record) string {
	name := strings.ToLower(strings.TrimSpace(rec.Fields[intake.GroupFieldName]))
	res, ok := intake.ParseGroupResource(rec.Fields[intake.GroupFieldResource])
	if !ok {
		res = strings.ToLower(strings.TrimSpace(rec.Fields[intake.GroupFieldResource]))
	}
	if name == "" || res == "" {
		return ""
	}
	return res + "\x1f" + name
}

// Prepare implements Resource: the row's values against the group fields'
// limits (PackageX: name 1–255, location ≤ 63, children ≤ 2047).
func (g groups) Prepare(spec *intake.ImportSpec, rec Record) *Item {
	row := &groupRow{}
	it := &Item{Row: rec.Row, Fields: rec.Fields, Data: row, Key: g.Key(spec, rec)}
	var errs []intake.RowError
	for _, f := range intake.GroupFields {
		v := strings.TrimSpace(rec.Fields[f.Name])
		if f.Max > 0 && utf8.RuneCountInString(v) > f.Max {
			errs = append(errs, fieldErr(f.Name, truncate(v), intake.CodeTooLong,
				fmt.Sprintf("The %s is longer than the %d characters allowed.", label(f.Name), f.Max)))
		}
	}
	row.group.Name = strings.TrimSpace(rec.Fields[intake.GroupFieldName])
	row.group.Location = strings.TrimSpace(rec.Fields[intake.GroupFieldLocation])
	if row.group.Name == "" {
		errs = append(errs, fieldErr(intake.GroupFieldName, "", intake.CodeRequired, "The group's name is required (1–255 characters)."))
	}
	raw := strings.TrimSpace(rec.Fields[intake.GroupFieldResource])
	res, ok := intake.ParseGroupResource(raw)
	switch {
	case raw == "":
		errs = append(errs, fieldErr(intake.GroupFieldResource, "", intake.CodeRequired, "The group's resource is required: contact or location."))
	case !ok:
		errs = append(errs, fieldErr(intake.GroupFieldResource, truncate(raw), intake.CodeInvalidValue,
			fmt.Sprintf("The resource %q is not contact or location.", raw)))
	}
	row.group.Resource = res
	row.children = intake.ParseChildren(rec.Fields[intake.GroupFieldChildren])
	if res == intake.GroupOfLocations {
		for _, c := range row.children {
			if n := c.Name; utf8.RuneCountInString(n) > 63 {
				errs = append(errs, fieldErr(intake.GroupFieldChildren, truncate(n), intake.CodeTooLong,
					"The location name "+strconv.Quote(truncate(n))+" is longer than the 63 characters allowed."))
			}
		}
	}
	if len(errs) > 0 {
		it.set(intake.OutcomeFailed, errs...)
	}
	return it
}

// Optimistic implements Resource: groups are always looked up.
func (groups) Optimistic(*intake.ImportSpec) bool { return false }

// groupPlan is a decided chunk of groups.
type groupPlan struct {
	found                     int
	inserts, merges, replaces []*intake.Group
	inserted                  []*Item
	deletes                   []int64
}

func (p *groupPlan) Found() int { return p.found }

// Decide implements Resource: the mode table (Decide) per group, its
// children resolved against the tenant's contacts.
func (groups) Decide(ctx context.Context, tx store.Tx, spec *intake.ImportSpec, items []*Item, _ bool) (Plan, error) {
	plan := &groupPlan{}
	live := slices.DeleteFunc(slices.Clone(items), func(it *Item) bool { return it.Outcome != "" })
	if len(live) == 0 {
		return plan, nil
	}
	keys := make([]store.GroupKey, len(live))
	for i, it := range live {
		g := groupOf(it).group
		keys[i] = store.GroupKey{Resource: g.Resource, Name: strings.ToLower(g.Name)}
	}
	stored, err := tx.FindGroups(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("find existing groups: %w", err)
	}
	plan.found = len(stored)
	byKey := map[string]*intake.Group{}
	for i := range stored {
		byKey[stored[i].Resource+"\x1f"+strings.ToLower(stored[i].Name)] = &stored[i]
	}
	members, err := findMembers(ctx, tx, spec, live)
	if err != nil {
		return nil, err
	}
	for _, it := range live {
		plan.decide(spec, it, byKey[it.Key], members)
	}
	return plan, nil
}

// decide sets one item's outcome against its stored group (nil if none).
func (plan *groupPlan) decide(spec *intake.ImportSpec, it *Item, cur *intake.Group, members *memberIndex) {
	row := groupOf(it)
	outcome, code := Decide(spec.Mode, cur != nil)
	if cur != nil {
		it.ID = cur.ID
	}
	switch outcome {
	case intake.OutcomeSkipped:
		it.set(outcome, intake.RowError{Field: intake.GroupFieldName, Value: row.group.Name, Code: code,
			Message: groupSkipMessage(code, spec.Mode, &row.group)})
		return
	case intake.OutcomeDeleted:
		plan.deletes = append(plan.deletes, cur.ID)
		it.Outcome = outcome
		return
	}
	g := row.group
	if errs := members.resolve(&g, row.children); len(errs) > 0 {
		it.set(intake.OutcomeFailed, errs...)
		return
	}
	it.Outcome = outcome
	if cur == nil {
		plan.inserts, plan.inserted = append(plan.inserts, &g), append(plan.inserted, it)
		return
	}
	// An existing group: an empty location keeps the stored one unless
	// empty cells overwrite; children are added (merge) or replace the
	// stored ones (overwrite) when the row carries the column.
	g.ID = cur.ID
	_, hasLocation := it.Fields[intake.GroupFieldLocation]
	if g.Location == "" && (spec.IgnoreEmptyFields || !hasLocation) {
		g.Location = cur.Location
	}
	_, hasChildren := it.Fields[intake.GroupFieldChildren]
	if hasChildren && !spec.IgnoreEmptyFields {
		plan.replaces = append(plan.replaces, &g)
	} else {
		plan.merges = append(plan.merges, &g)
	}
}

// Write implements Plan: deletes, then updates, then inserts, each one
// batch call; inserted items get their new IDs.
func (p *groupPlan) Write(ctx context.Context, tx store.Tx) error {
	if len(p.deletes) > 0 {
		if _, err := tx.DeleteGroups(ctx, p.deletes); err != nil {
			return fmt.Errorf("delete %d groups: %w", len(p.deletes), err)
		}
	}
	if err := tx.UpdateGroups(ctx, p.merges, false); err != nil {
		return fmt.Errorf("merge %d groups: %w", len(p.merges), err)
	}
	if err := tx.UpdateGroups(ctx, p.replaces, true); err != nil {
		return fmt.Errorf("overwrite %d groups: %w", len(p.replaces), err)
	}
	if err := tx.InsertGroups(ctx, p.inserts); err != nil {
		return fmt.Errorf("insert %d groups: %w", len(p.inserts), err)
	}
	for i, it := range p.inserted {
		it.ID = p.inserts[i].ID
	}
	return nil
}

func groupSkipMessage(code string, mode intake.Mode, g *intake.Group) string {
	switch code {
	case intake.CodeAlreadyExists:
		return fmt.Sprintf("A %s group named %q already exists; mode %s does not change existing groups.", g.Resource, g.Name, mode)
	case intake.CodeNotFound:
		return fmt.Sprintf("No %s group named %q exists; mode %s does not create groups.", g.Resource, g.Name, mode)
	}
	return "Skipped."
}

// memberIndex is the tenant's contacts a chunk's children name, by email
// and by lower-cased name.
type memberIndex struct {
	byEmail map[string]intake.Contact
	byName  map[string][]intake.Contact
}

// findMembers looks up, in one call, every contact the chunk's contact
// groups name as children (not for deletes, which ignore children).
func findMembers(ctx context.Context, tx store.Tx, spec *intake.ImportSpec, live []*Item) (*memberIndex, error) {
	ix := &memberIndex{byEmail: map[string]intake.Contact{}, byName: map[string][]intake.Contact{}}
	var l store.Lookup
	for _, it := range live {
		row := groupOf(it)
		if spec.Mode == intake.ModeDelete || row.group.Resource != intake.GroupOfContacts {
			continue
		}
		for _, c := range row.children {
			if c.Email != "" {
				l.Emails = append(l.Emails, c.Email)
			} else {
				l.Names = append(l.Names, strings.ToLower(c.Name))
			}
		}
	}
	if len(l.Emails)+len(l.Names) == 0 {
		return ix, nil
	}
	found, err := tx.FindContacts(ctx, l)
	if err != nil {
		return nil, fmt.Errorf("find group members: %w", err)
	}
	for _, c := range found {
		if c.Email != "" {
			ix.byEmail[c.Email] = c
		}
		k := strings.ToLower(c.Name)
		ix.byName[k] = append(ix.byName[k], c)
	}
	return ix, nil
}

// resolve sets g's members from children: contacts found by email (when
// the child has one) or by name, or location names as they are. It returns
// the row's errors: children that name no contact, and names that two
// contacts share.
func (ix *memberIndex) resolve(g *intake.Group, children []intake.Child) []intake.RowError {
	g.Members = nil
	if g.Resource == intake.GroupOfLocations {
		for _, c := range children {
			g.Members = append(g.Members, intake.GroupMember{Name: c.Name})
		}
		return nil
	}
	var unknown, ambiguous []string
	seen := map[int64]bool{}
	for _, c := range children {
		var found []intake.Contact
		if c.Email != "" {
			if m, ok := ix.byEmail[c.Email]; ok {
				found = []intake.Contact{m}
			}
		} else {
			found = ix.byName[strings.ToLower(c.Name)]
		}
		switch {
		case len(found) == 0:
			unknown = append(unknown, strconv.Quote(c.String()))
		case len(found) > 1:
			ambiguous = append(ambiguous, fmt.Sprintf("%d contacts are named %q", len(found), c.Name))
		case !seen[found[0].ID]:
			seen[found[0].ID] = true
			g.Members = append(g.Members, intake.GroupMember{ID: found[0].ID, Name: found[0].Name, Email: found[0].Email})
		}
	}
	var errs []intake.RowError
	if len(unknown) > 0 {
		errs = append(errs, fieldErr(intake.GroupFieldChildren, truncate(strings.Join(unknown, ", ")), intake.CodeUnknownMember,
			"No contact matches "+strings.Join(unknown, ", ")+" (children are found by email, or by name when they have none); import those contacts first."))
	}
	if len(ambiguous) > 0 {
		errs = append(errs, fieldErr(intake.GroupFieldChildren, "", intake.CodeAmbiguousMatch,
			strings.Join(ambiguous, "; ")+": name them by email, as Name:::email."))
	}
	return errs
}

// The groups kind: PackageX's group rows, always keyed by resource and
// name; the group fields carry PackageX's limits themselves.
func init() {
	register(&Kind{Name: intake.ResourceGroups, Aliases: []string{"group"}, OwnLimits: true,
		KeyFields: intake.GroupMatchFields, FixedKeyHelp: "Groups match on resource and name; leave match_fields out.",
		vocabulary: func(*intake.Registry, string) vocabulary {
			return vocabulary{"a group field (use name, resource, location or children)",
				func(s string) (string, bool) {
					if f, ok := intake.LookupGroupField(s); ok {
						return f.Name, true
					}
					return intake.SuggestGroupField(s)
				}, intake.SuggestGroupField}
		},
		newResource: func(spec *intake.ImportSpec, _ *intake.Registry, _, _ string, _ int64) (Resource, error) {
			spec.MatchFields = intake.GroupMatchFields // a group's key, whatever the request said
			return groups{}, nil
		}})
}
