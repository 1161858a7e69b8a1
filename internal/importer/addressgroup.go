package importer

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/intake/intake"
)

// FieldAddressLine2 is the mapping target of an address's second line
// ("Address Line 2", Shopify's "Address2", "Business Street 2"): the
// layout joins it to the street of the primary address.
const FieldAddressLine2 = "address_line_2"

// addressGroup is the columns of one address in a file: "Home Address 1
// City", "Home Address 1 Zip", … share the group "home 1".
type addressGroup struct {
	key   string
	kind  string // its first qualifier, "" for none
	cands []candidate
	line2 []candidate
}

// assignAddresses shares address parts out by group: the unqualified
// group (else the one marked primary, else the first in the file) fills
// the contact's address, city, postal code, state and country; every
// other group becomes one alternate address of its kind, its parts joined
// on one line.
func (r *recognizer) assignAddresses(cands []candidate) {
	groups := groupAddresses(cands)
	if len(groups) == 0 {
		return
	}
	primary := 0
	for i, g := range groups {
		if g.key == "" || g.kind == "primary" {
			primary = i
			break
		}
	}
	// The surest column of a part first: "Postcode" over a weak "Code".
	slices.SortStableFunc(groups[primary].cands, func(a, b candidate) int { return cmp.Compare(b.conf, a.conf) })
	for _, c := range groups[primary].cands {
		if prev, taken := r.used[c.field]; taken {
			r.warnings = append(r.warnings, fmt.Sprintf("Column %q would fill %s, which column %q fills already; it is not imported.", r.headers[c.col], c.field, prev))
			continue
		}
		r.decide(c, c.field)
	}
	for _, c := range groups[primary].line2 {
		r.decide(c, FieldAddressLine2)
	}
	for i, g := range groups {
		if i == primary {
			continue
		}
		name := ""
		for _, k := range []string{alternateKind("addresses", g.kind), "other"} {
			if _, taken := r.used["alternate_addresses_"+k]; !taken {
				name = "alternate_addresses_" + k
				break
			}
		}
		for _, c := range append(g.cands, g.line2...) {
			if name == "" {
				r.warnings = append(r.warnings, fmt.Sprintf("Column %q belongs to one more address than a contact keeps; it is not imported.", r.headers[c.col]))
				continue
			}
			r.decide(c, name)
		}
	}
}

// groupAddresses groups address parts by their header's group, in file
// order. A street column numbered 2 or more whose group has nothing else,
// beside a group of the same qualifiers with a street ("Address1",
// "Address2"; "Business Street", "Business Street 2"), is that address's
// second line, not a second address.
func groupAddresses(cands []candidate) []*addressGroup {
	var groups []*addressGroup
	byKey := map[string]*addressGroup{}
	for _, c := range cands {
		key := c.meaning.Group
		g := byKey[key]
		if g == nil {
			g = &addressGroup{key: key}
			if ws := strings.Fields(key); len(ws) > 0 {
				if _, err := strconv.Atoi(ws[0]); err != nil {
					g.kind = ws[0]
				}
			}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.cands = append(g.cands, c)
	}
	for _, g := range groups {
		if len(g.cands) != 1 || g.cands[0].field != intake.FieldAddress || g.cands[0].meaning.Number < 2 {
			continue
		}
		base := strings.TrimSpace(strings.TrimSuffix(g.key, strconv.Itoa(g.cands[0].meaning.Number)))
		for _, k := range []string{base, strings.TrimSpace(base + " 1")} {
			if owner := byKey[k]; owner != nil && owner != g && slices.ContainsFunc(owner.cands, func(c candidate) bool { return c.field == intake.FieldAddress }) {
				owner.line2 = append(owner.line2, g.cands[0])
				g.cands = nil
				break
			}
		}
	}
	return slices.DeleteFunc(groups, func(g *addressGroup) bool { return len(g.cands) == 0 })
}

// joinAddressParts folds a row's address columns as the layout read them:
// the second line into the street, and an alternate address given in
// several columns (already joined by the layout) as is.
func joinAddressParts(fields map[string]string) {
	if l2 := strings.TrimSpace(fields[FieldAddressLine2]); l2 != "" {
		fields[intake.FieldAddress] = strings.Join(nonBlank(fields[intake.FieldAddress], l2), ", ")
	}
	delete(fields, FieldAddressLine2)
}

// rowCountryField carries, in a row's fields, the country its phones are
// read by when that is not the contact's own country column's: the
// country of the address the primary phone belongs to ("Home Phone" and
// "Home Country"), else any country column of the row.
const rowCountryField = "\x00row_country"

// regionColumns lists the columns whose country a row's phones are read
// by: the country of the primary phone's own address group, then the
// contact's country, then the other addresses' countries.
func regionColumns(targets, headers []string) []int {
	phoneKind, own, primary := "", -1, -1
	for i, t := range targets {
		if t == intake.FieldPhone {
			m, _ := intake.ParseHeader(headers[i])
			phoneKind = m.Kind
		}
	}
	var others []int
	for i, t := range targets {
		m, ok := intake.ParseHeader(headers[i])
		switch {
		case t == intake.FieldCountry:
			primary = i
			if ok && phoneKind != "" && m.Kind == phoneKind {
				own = i
			}
		case strings.HasPrefix(t, "alternate_addresses_") && ok && m.Field == intake.FieldCountry:
			if phoneKind != "" && m.Kind == phoneKind && own < 0 {
				own = i
				continue
			}
			others = append(others, i)
		}
	}
	var out []int
	for _, c := range []int{own, primary} {
		if c >= 0 && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return append(out, others...)
}
