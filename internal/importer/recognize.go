package importer

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/intake/intake"
)

// Recognition decides, for the columns nobody mapped, which field each
// fills, from two kinds of evidence: the header's meaning (the header
// model of the root package: prefix, concept, qualifiers, in many
// languages) and the column's values (profile.go). Then, per file, the
// columns of one concept are shared out: one is the primary field, the
// others alternates of their kinds ("Mobile" beside "Phone"), and the
// parts of each address group go to the primary address or, joined, to
// an alternate address. Every decision keeps its reason and confidence.

// candidate is what one column could be.
type candidate struct {
	col     int
	field   string // a concept (email, city, …), or the target itself when final
	final   bool   // field is the target: a custom field, a child field, an exact name
	meaning intake.HeaderMeaning
	reason  string
	conf    float64
	prof    profile
}

// recognizer holds one file's recognition while it is decided.
type recognizer struct {
	headers   []string
	mapping   map[string]string // header → field
	used      map[string]string // field → header
	decisions []intake.ColumnDecision
	warnings  []string
	uncertain bool
}

// decide maps column c.col to target with c's reason and confidence, or,
// below the threshold, keeps target only as a suggestion.
func (r *recognizer) decide(c candidate, target string) {
	h := r.headers[c.col]
	d := &r.decisions[c.col]
	d.Reason, d.Confidence = c.reason, round2(c.conf)
	if c.conf < intake.ConfidenceThreshold {
		d.Suggested, r.uncertain = target, true
		r.warnings = append(r.warnings, fmt.Sprintf("Column %q looks like %s, but not surely enough (confidence %.2f): it is not imported unless a person maps it.", h, target, c.conf))
		return
	}
	d.Target = target
	r.mapping[h] = target
	if _, taken := r.used[target]; !taken {
		r.used[target] = h
	}
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// candidateOf reads what column i could be: an exact field name, a custom
// or child field, the header model's concept, a known synonym, else what
// its values are.
func candidateOf(v vocabulary, i int, h string, p profile) (candidate, bool) {
	c := candidate{col: i, reason: intake.ReasonHeader, conf: 1, prof: p}
	suggested, sok := v.suggest(h)
	if familyHeader.MatchString(h) { // Google's numbered columns: routed by label (numbered.go)
		c.field, c.final = suggested, true
		return c, sok
	}
	exactAlternate := strings.HasPrefix(suggested, "alternate_") && strings.EqualFold(strings.TrimSpace(h), suggested)
	if sok && (strings.HasPrefix(suggested, intake.CustomPrefix) || strings.Contains(suggested, ".") || exactAlternate) {
		c.field, c.final = suggested, true
		return c, true
	}
	if m, ok := intake.ParseHeader(h); ok {
		c.field, c.meaning, c.conf = m.Field, m, p.agrees(m.Field, m.Confidence)
		return c, true
	}
	if sok {
		c.field, c.final, c.conf = suggested, true, 0.9
		return c, true
	}
	if f, conf := p.contentField(); f != "" {
		c.field, c.reason, c.conf = f, intake.ReasonContent, conf
		return c, true
	}
	return c, false
}

// assign shares the candidates out: finals first, then email and phone
// (primary and alternates), then addresses, then the other fields.
func (r *recognizer) assign(cands []candidate) {
	var multi, addr, single []candidate
	for _, c := range cands {
		switch {
		case c.final:
			if _, taken := r.used[c.field]; taken {
				r.warnings = append(r.warnings, fmt.Sprintf("Column %q would fill %s, which column %q fills already; it is not imported.", r.headers[c.col], c.field, r.used[c.field]))
				continue
			}
			r.decide(c, c.field)
		case c.field == intake.FieldEmail || c.field == intake.FieldPhone:
			multi = append(multi, c)
		case intake.AddressParts[c.field]:
			addr = append(addr, c)
		default:
			single = append(single, c)
		}
	}
	r.assignMulti(multi, intake.FieldEmail, "emails")
	r.assignMulti(multi, intake.FieldPhone, "phones")
	r.assignAddresses(addr)
	r.assignSingles(single)
}

// alternateKind is the kind an alternate of plural gets for a header's
// qualifier.
func alternateKind(plural, kind string) string {
	switch {
	case kind == "home" && plural == "emails":
		return "personal"
	case kind == "work" || kind == "home" || kind == "education":
		return kind
	case kind == "mobile" && plural == "phones", kind == "fax" && plural == "phones":
		return kind
	case plural == "addresses" && (kind == "mailing" || kind == "billing" || kind == "shipping"):
		return kind
	}
	return "other"
}

// primaryRank orders the columns of one concept: the one marked primary,
// then an unqualified, unnumbered (or number 1) header, then a mobile
// (the number a person carries), then the other kinds, then "other" and
// numbered ones, in file order; a fax is never the primary phone.
func primaryRank(c candidate) int {
	m := c.meaning
	switch {
	case m.Kind == "fax":
		return 6
	case m.Primary:
		return 0
	case c.reason == intake.ReasonContent:
		return 5
	case m.Kind == "" && m.Number <= 1:
		return 1
	case m.Kind == "other" || m.Number > 1:
		return 4
	case m.Kind == "mobile":
		return 2
	}
	return 3
}

// assignMulti gives field to the best of its columns and the others to
// alternates of their kinds (else other).
func (r *recognizer) assignMulti(cands []candidate, field, plural string) {
	var pool []candidate
	for _, c := range cands {
		if c.field == field {
			pool = append(pool, c)
		}
	}
	slices.SortStableFunc(pool, func(a, b candidate) int { return cmp.Compare(primaryRank(a), primaryRank(b)) })
	for _, c := range pool {
		if _, taken := r.used[field]; !taken && primaryRank(c) < 6 {
			r.decide(c, field)
			continue
		}
		r.alternate(c, plural, alternateKind(plural, c.meaning.Kind))
	}
}

// alternate maps c to alternate_PLURAL_KIND, else alternate_PLURAL_other
// (which several columns may share).
func (r *recognizer) alternate(c candidate, plural, kind string) {
	for _, k := range []string{kind, "other"} {
		name := "alternate_" + plural + "_" + k
		if _, taken := r.used[name]; !taken {
			r.decide(c, name)
			return
		}
	}
	// A third email ("E-mail 3 Address") is one more alternate of kind
	// other: the layout joins the columns and the normaliser keeps each.
	r.decide(c, "alternate_"+plural+"_other")
}

// assignSingles gives each field to its most certain column (an
// unqualified header first); the others are left out with a warning.
func (r *recognizer) assignSingles(cands []candidate) {
	slices.SortStableFunc(cands, func(a, b candidate) int {
		if (a.meaning.Kind == "") != (b.meaning.Kind == "") {
			if a.meaning.Kind == "" {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.conf, a.conf)
	})
	hasFirst := slices.ContainsFunc(cands, func(c candidate) bool { return c.field == intake.FieldFirstName })
	for _, c := range cands {
		// "Nom" beside no "Prénom" is the full name when its values are.
		if c.field == intake.FieldLastName && c.conf < 1 && !hasFirst && c.prof.words >= 0.6 {
			c.field = intake.FieldName
		}
		if prev, taken := r.used[c.field]; taken {
			r.warnings = append(r.warnings, fmt.Sprintf("Column %q would fill %s, which column %q fills already; it is not imported.", r.headers[c.col], c.field, prev))
			continue
		}
		r.decide(c, c.field)
	}
}
