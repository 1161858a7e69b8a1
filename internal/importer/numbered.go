package importer

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/intake/intake"
)

// A numbered family is Google Contacts' way of exporting several emails,
// phones or addresses: `E-mail 1 - Value` with `E-mail 1 - Label` (or
// `- Type`, in the older layout), `E-mail 2 - Value`, …; `Address 1 -
// Street`, `Address 1 - City`, … with `Address 1 - Label`. The label cell,
// not the column, says what a value is (`* Home`, `Work`, `Mobile`, a
// custom label), so which field a value lands in is decided per row: the
// one labelled `* …` (Google's mark of the primary), else the first, is
// the primary field; the others go to the alternate of their label's kind,
// `other` when the label is none Intake knows. Layout applies it.

// familyHeader reads a numbered family column: kind, number, part.
var familyHeader = regexp.MustCompile(`(?i)^\s*(e-?mail|phone|address)\s+(\d{1,3})\s*-\s*(.+?)\s*$`)

// familyKind is one kind of family: its primary field(s), the plural of its
// alternate columns, and a label's kind by its lower-cased text.
type familyKind struct {
	name    string // email, phone, address
	primary string // the primary field (address: the street)
	plural  string // alternate_PLURAL_KIND
	kinds   map[string]string
}

var familyKinds = []familyKind{
	{"email", intake.FieldEmail, "emails", map[string]string{"home": "personal", "personal": "personal", "work": "work",
		"school": "education", "other": "other"}},
	{"phone", intake.FieldPhone, "phones", map[string]string{"mobile": "mobile", "cell": "mobile", "iphone": "mobile",
		"home": "home", "work": "work", "school": "education", "other": "other"}},
	{"address", intake.FieldAddress, "addresses", map[string]string{"home": "home", "work": "work", "school": "education",
		"other": "other"}},
}

// addressParts are an address family's component columns (Google's part
// names, lower-cased, spaces removed) and the contact field each fills
// for the primary address.
var addressParts = map[string]string{
	"street": intake.FieldAddress, "city": intake.FieldCity, "postalcode": intake.FieldPostalCode,
	"region": intake.FieldState, "country": intake.FieldCountry,
}

// member is one numbered member of a family: its columns by part.
type member struct {
	n     int
	label int            // the Label or Type column, -1 for none
	value int            // the Value column (email, phone), -1 for none
	parts map[string]int // address parts and "formatted"
}

// family is the routed columns of one kind in one file.
type numbered struct {
	kind    familyKind
	members []member // by number
	columns []int    // every column the family reads
}

// findNumbered returns the families of headers that the row-level step
// routes: a kind with at least one label column, none of whose columns the
// caller mapped elsewhere than the header suggests (a caller who maps
// `E-mail 2 - Value` to work email gets exactly that).
func findNumbered(v vocabulary, mapping map[string]string, headers []string) []numbered {
	byKind := map[string]map[int]*member{}
	cols := map[string][]int{}
	overridden := map[string]bool{}
	for i, h := range headers {
		m := familyHeader.FindStringSubmatch(h)
		if m == nil {
			continue
		}
		kind := strings.ToLower(strings.ReplaceAll(m[1], "-", ""))
		n, _ := strconv.Atoi(m[2])
		part := strings.ToLower(strings.ReplaceAll(m[3], " ", ""))
		if byKind[kind] == nil {
			byKind[kind] = map[int]*member{}
		}
		mem := byKind[kind][n]
		if mem == nil {
			mem = &member{n: n, label: -1, value: -1, parts: map[string]int{}}
			byKind[kind][n] = mem
		}
		switch {
		case part == "label" || part == "type":
			mem.label = i
		case part == "value" && kind != "address":
			mem.value = i
		case kind == "address" && (addressParts[part] != "" || part == "formatted"):
			mem.parts[part] = i
		default:
			continue // a part Intake has no field for (PO Box): mapped as any column
		}
		cols[kind] = append(cols[kind], i)
		if suggested, _ := v.suggest(h); v.column(mapping, h) != suggested {
			overridden[kind] = true
		}
	}
	var out []numbered
	for _, k := range familyKinds {
		ms := byKind[k.name]
		if len(ms) == 0 || overridden[k.name] || !slices.ContainsFunc(mapValues(ms), func(m *member) bool { return m.label >= 0 }) {
			continue
		}
		f := numbered{kind: k, columns: cols[k.name]}
		for _, m := range mapValues(ms) {
			f.members = append(f.members, *m)
		}
		slices.SortFunc(f.members, func(a, b member) int { return a.n - b.n })
		out = append(out, f)
	}
	return out
}

func mapValues(m map[int]*member) []*member {
	out := make([]*member, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// entry is one value of a family in a row, with its label.
type entry struct {
	label  string
	value  string            // email, phone, or an address as one line
	fields map[string]string // an address's fields, for the primary
}

// entries reads a family's values of one row, in number order; a cell of
// several values (` ::: `) pairs them with the label cell's parts.
func (f numbered) entries(cell func(int) string) []entry {
	var out []entry
	for _, m := range f.members {
		labels := strings.Split(cell(m.label), multiValueSep)
		labelOf := func(i int) string { return strings.TrimSpace(labels[min(i, len(labels)-1)]) }
		if f.kind.name != "address" {
			for i, v := range strings.Split(cell(m.value), multiValueSep) {
				if v = strings.TrimSpace(v); v != "" {
					out = append(out, entry{label: labelOf(i), value: v})
				}
			}
			continue
		}
		e := entry{label: labelOf(0), fields: map[string]string{}}
		for part, col := range m.parts {
			if v := strings.TrimSpace(cell(col)); v != "" && part != "formatted" {
				e.fields[addressParts[part]] = v
			}
		}
		x := e.fields
		e.value = strings.Join(nonBlank(x[intake.FieldAddress], strings.TrimSpace(x[intake.FieldPostalCode]+" "+x[intake.FieldCity]),
			x[intake.FieldState], x[intake.FieldCountry]), ", ")
		if col, ok := m.parts["formatted"]; ok && e.value == "" {
			// Only the formatted address: one line of it.
			e.value = strings.Join(nonBlank(strings.Split(cell(col), "\n")...), ", ")
		}
		if e.value != "" {
			out = append(out, e)
		}
	}
	return out
}

// route sets fields from one row's family entries: the primary (labelled
// `* …`, else the first) to the primary field(s) unless the row has a
// value there already, the others to the alternate of their label's kind,
// else `other`. A value for which both are taken is left out.
func (f numbered) route(fields map[string]string, es []entry) {
	primary := slices.IndexFunc(es, func(e entry) bool { return strings.HasPrefix(e.label, "*") })
	if primary < 0 {
		primary = 0
	}
	if strings.TrimSpace(fields[f.kind.primary]) != "" {
		primary = -1
	}
	for i, e := range es {
		if i == primary {
			if len(e.fields) == 0 {
				fields[f.kind.primary] = e.value // an email, a phone, or an address given only formatted
			} else {
				for name, v := range e.fields {
					fields[name] = v
				}
			}
			continue
		}
		label := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(e.label, "*")))
		kind := f.kind.kinds[label]
		if kind == "" {
			kind = "other"
		}
		for _, k := range []string{kind, "other"} {
			name := "alternate_" + f.kind.plural + "_" + k
			if strings.TrimSpace(fields[name]) == "" {
				fields[name] = e.value
				break
			}
		}
	}
}

// nonBlank keeps the parts that are not blank.
func nonBlank(parts ...string) []string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Layout is how one file's columns become a record's fields: each column
// to the field the mapping gives it, except the columns of numbered
// families, whose label cells route their values per row.
type Layout struct {
	cols     []string
	families []numbered
	routed   []bool // the columns the families read
	// regionCols are the country columns a row's phones are read by, the
	// phone's own address first (see regionColumns).
	regionCols []int
}

// NewLayout lays out headers for an import of resource with the resolved
// mapping (see ColumnsFor). Families are routed in contact imports only.
func NewLayout(resource string, reg *intake.Registry, mapping map[string]string, headers []string) *Layout {
	v := vocabularyOf(resource, reg)
	l := &Layout{cols: make([]string, len(headers)), routed: make([]bool, len(headers))}
	for i, h := range headers {
		l.cols[i] = v.column(mapping, h)
	}
	if resource == "" || resource == intake.ResourceContacts {
		l.families = findNumbered(v, mapping, headers)
		l.regionCols = regionColumns(l.cols, headers)
	}
	for _, f := range l.families {
		for _, c := range f.columns {
			l.routed[c] = true
		}
	}
	return l
}

// Width is the number of columns the layout knows.
func (l *Layout) Width() int { return len(l.cols) }

// Fields is one row's record fields. Values beyond the layout's columns
// are ignored.
func (l *Layout) Fields(values []string) map[string]string {
	fields := make(map[string]string, len(l.cols))
	for i, v := range values {
		if i >= len(l.cols) || l.cols[i] == "" || l.routed[i] {
			continue
		}
		// The parts of an alternate address come from several columns
		// (Outlook's Home Street, Home City, …): joined on one line.
		// Several columns of one alternate email or phone kind are kept
		// each, as one cell of several values.
		if prev := strings.TrimSpace(fields[l.cols[i]]); prev != "" && strings.TrimSpace(v) != "" {
			switch {
			case strings.HasPrefix(l.cols[i], "alternate_addresses_"):
				v = strings.Join(nonBlank(prev, v), ", ")
			case strings.HasPrefix(l.cols[i], "alternate_emails_"), strings.HasPrefix(l.cols[i], "alternate_phones_"):
				v = prev + multiValueSep + strings.TrimSpace(v)
			}
		} else if prev != "" {
			v = prev
		}
		fields[l.cols[i]] = v
	}
	joinAddressParts(fields)
	for _, c := range l.regionCols {
		if c < len(values) && strings.TrimSpace(values[c]) != "" {
			if l.cols[c] != intake.FieldCountry { // the contact's own country is read as it is
				fields[rowCountryField] = values[c]
			}
			break
		}
	}
	cell := func(i int) string {
		if i < 0 || i >= len(values) {
			return ""
		}
		return values[i]
	}
	for _, f := range l.families {
		if es := f.entries(cell); len(es) > 0 {
			f.route(fields, es)
		}
	}
	return fields
}
