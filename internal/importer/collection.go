package importer

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// collDef is a collection as one run sees it: its definition when the run
// started, or, for a collection that did not exist then, the name and key
// fields it will be created with (every field text).
type collDef struct {
	def     intake.Collection
	defined bool
	norm    normalizer
	// qualify names a field in messages: Order.OrderID for children, the
	// bare name for a collection import.
	qualify func(string) string
	// fields are the normalisers of a defined collection's fields, by
	// lower-cased name: field runs for every value of every row.
	fields map[string]intake.Field
}

// newCollDef returns the run's view of collection name: reg's definition,
// or an undefined one keyed by keys.
func newCollDef(reg *intake.Registry, name string, keys []string, norm normalizer, child bool) *collDef {
	c, defined := reg.Collection(name)
	if !defined {
		c = intake.Collection{Name: name, KeyFields: keys}
	}
	cd := &collDef{def: c, defined: defined, norm: norm, qualify: func(f string) string { return f }}
	if child {
		cd.qualify = func(f string) string { return c.Name + "." + f }
	}
	if defined {
		cd.fields = make(map[string]intake.Field, len(c.Fields))
		for _, f := range c.Fields {
			cd.fields[strings.ToLower(f.Name)] = intake.Field{Name: cd.qualify(f.Name), Type: f.Type, Options: f.Options, Required: f.Required}
		}
	}
	return cd
}

// field is the registry entry a value of field name is normalised by:
// the defined type, or text.
func (c *collDef) field(name string) intake.Field {
	if f, ok := c.fields[strings.ToLower(name)]; ok {
		return f
	}
	return intake.Field{Name: c.qualify(name), Type: intake.TypeText}
}

// values normalises a record's field values (field → raw): the stored
// forms of the non-empty ones, the names present but empty, and a row
// error per bad value, in field order.
func (c *collDef) values(fields map[string]string) (vals map[string]string, empty []string, errs []intake.RowError) {
	vals = map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		v := strings.TrimSpace(fields[name])
		if v == "" {
			empty = append(empty, name)
			continue
		}
		out, re := c.norm.value(c.field(name), v)
		if re != nil {
			errs = append(errs, *re)
			continue
		}
		vals[name] = out
	}
	return vals, empty, errs
}

// key joins the key fields' values; "" without key fields or when one is
// empty. A collection keyed by content is keyed by every value.
func (c *collDef) key(vals map[string]string) string {
	if len(c.def.KeyFields) == 0 {
		if c.def.ContentKey {
			return contentKey(vals)
		}
		return ""
	}
	parts := make([]string, len(c.def.KeyFields))
	for i, k := range c.def.KeyFields {
		if parts[i] = vals[k]; parts[i] == "" {
			return ""
		}
	}
	return strings.Join(parts, "\x1f")
}

// describe renders a record key for messages: OrderID "00001".
func (c *collDef) describe(vals map[string]string) string {
	if len(c.def.KeyFields) == 0 {
		return "the same content"
	}
	parts := make([]string, len(c.def.KeyFields))
	for i, k := range c.def.KeyFields {
		parts[i] = fmt.Sprintf("%s %q", k, vals[k])
	}
	return strings.Join(parts, " and ")
}

// missingRequired lists the required fields vals lacks (defined collections).
func (c *collDef) missingRequired(vals map[string]string) []intake.RowError {
	if !c.defined {
		return nil
	}
	var errs []intake.RowError
	for _, f := range c.def.Fields {
		if f.Required && vals[f.Name] == "" {
			errs = append(errs, intake.RowError{Field: c.qualify(f.Name), Code: intake.CodeMissingRequired,
				Message: fmt.Sprintf("%s is required: a %s record needs a value for it.", c.qualify(f.Name), c.def.Name)})
		}
	}
	return errs
}

// mergeValues is cur with vals written over it; names in empty clear a
// value unless ignoreEmpty keeps it.
func mergeValues(cur, vals map[string]string, empty []string, ignoreEmpty bool) map[string]string {
	m := maps.Clone(cur)
	if m == nil {
		m = map[string]string{}
	}
	maps.Copy(m, vals)
	if !ignoreEmpty {
		for _, name := range empty {
			delete(m, name)
		}
	}
	return m
}

// ensure returns the stored collection in tx. One that did not exist when
// the run started is created now, from fields (text, key fields first) and
// belongs (labels: the headers the fields were named after), or, created by an earlier chunk, given the fields it lacks.
// created reports a new collection.
func (c *collDef) ensure(ctx context.Context, tx store.Tx, fields []string, labels map[string]string, belongs bool) (intake.Collection, bool, error) {
	stored, err := tx.FindCollection(ctx, c.def.Name)
	switch {
	case err == nil && c.defined:
		return stored, false, nil
	case err == nil:
		changed := false
		for _, f := range fields {
			if _, ok := stored.Field(f); !ok {
				stored.Fields, changed = append(stored.Fields, intake.CollectionField{Name: f, Label: labels[f], Type: intake.TypeText}), true
			}
		}
		if changed {
			err = tx.SaveCollection(ctx, &stored)
		}
		return stored, false, err
	case intake.ErrorCode(err) != intake.ENOTFOUND:
		return stored, false, err
	case c.defined:
		return stored, false, intake.Errorf(intake.EINVALID, "Collection %q was deleted while the import ran.", c.def.Name)
	}
	nc := intake.Collection{Name: c.def.Name, KeyFields: c.def.KeyFields, BelongsToContact: belongs, ContentKey: c.def.ContentKey}
	for _, f := range append(slices.Clone(c.def.KeyFields), fields...) {
		if _, ok := nc.Field(f); !ok {
			nc.Fields = append(nc.Fields, intake.CollectionField{Name: f, Label: labels[f], Type: intake.TypeText})
		}
	}
	if err := nc.Validate(); err != nil {
		return nc, false, err
	}
	if err := tx.SaveCollection(ctx, &nc); err != nil {
		return nc, false, fmt.Errorf("create collection %q: %w", nc.Name, err)
	}
	return nc, true, nil
}

// createdNote is the job's warning for a collection created on first use.
func createdNote(c intake.Collection) string {
	names := make([]string, len(c.Fields))
	for i, f := range c.Fields {
		names[i] = f.Name
	}
	keyed := "without key fields (every row adds a record)"
	if c.ContentKey {
		keyed = "each record identified by its whole content"
	}
	if len(c.KeyFields) > 0 {
		keyed = "keyed by " + strings.Join(c.KeyFields, ", ")
	}
	of := ""
	if c.BelongsToContact {
		of = ", its records belonging to contacts"
	}
	return fmt.Sprintf("Collection %s did not exist: it was created from the file's columns as text fields (%s), %s%s. Define types with PATCH /api/v1/collections/%s.",
		c.Name, strings.Join(names, ", "), keyed, of, c.Name)
}

// notes collects a run's warnings from its resource, once each.
type notes struct {
	mu   sync.Mutex
	list []string
}

func (n *notes) add(s string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !slices.Contains(n.list, s) {
		n.list = append(n.list, s)
	}
}

// Warnings returns what the resource noted.
func (n *notes) Warnings() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.list)
}

// contactLinks finds the contacts a chunk's records name, in one lookup.
type contactLinks struct {
	byID, byEmail, byNumber map[string]int64
}

// link is how a record names its contact: a link target and its value.
type link struct{ target, value string }

// normalize checks and canonicalises a link value; a row error when bad.
func (l *link) normalize() *intake.RowError {
	switch l.target {
	case intake.LinkContactID:
		n, ok := normalizeNumber(l.value, false)
		if !ok || strings.ContainsAny(l.value, ".,-") {
			return &intake.RowError{Field: l.target, Value: l.value, Code: intake.CodeInvalidValue,
				Message: fmt.Sprintf("%q is not a contact id.", l.value)}
		}
		l.value = n
	case intake.LinkContactEmail:
		e, err := normalizeEmail(l.value)
		if err != nil {
			return &intake.RowError{Field: l.target, Value: l.value, Code: intake.CodeInvalidEmail, Message: err.Error()}
		}
		l.value = e
	case intake.LinkContact:
		if strings.Contains(l.value, "@") {
			l.target, l.value = intake.LinkContactEmail, strings.ToLower(l.value)
		} else {
			l.target = intake.LinkContactNumber
		}
	}
	return nil
}

// findLinks looks the links up in one call.
func findLinks(ctx context.Context, tx store.Tx, ls []link) (*contactLinks, error) {
	cl := &contactLinks{byID: map[string]int64{}, byEmail: map[string]int64{}, byNumber: map[string]int64{}}
	var l store.Lookup
	for _, x := range ls {
		switch x.target {
		case intake.LinkContactID:
			var id int64
			fmt.Sscan(x.value, &id)
			l.IDs = append(l.IDs, id)
		case intake.LinkContactEmail:
			l.Emails = append(l.Emails, x.value)
		case intake.LinkContactNumber:
			l.CustomerNumbers = append(l.CustomerNumbers, x.value)
		}
	}
	if len(l.IDs)+len(l.Emails)+len(l.CustomerNumbers) == 0 {
		return cl, nil
	}
	found, err := tx.FindContacts(ctx, l)
	if err != nil {
		return nil, fmt.Errorf("find records' contacts: %w", err)
	}
	for _, c := range found {
		cl.byID[fmt.Sprint(c.ID)] = c.ID
		if c.Email != "" {
			cl.byEmail[c.Email] = c.ID
		}
		if c.CustomerNumber != "" {
			cl.byNumber[c.CustomerNumber] = c.ID
		}
	}
	return cl, nil
}

// id is the contact a link names; 0 when none does.
func (cl *contactLinks) id(l link) int64 {
	switch l.target {
	case intake.LinkContactID:
		return cl.byID[l.value]
	case intake.LinkContactEmail:
		return cl.byEmail[l.value]
	}
	return cl.byNumber[l.value]
}
