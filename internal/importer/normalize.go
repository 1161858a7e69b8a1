package importer

import (
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/intake/intake"
)

// maxPhoneLen is the longest phone number kept (PackageX: 31 characters).
const maxPhoneLen = 31

// normalizer turns a record's field values into a clean contact, reading
// each field's type from the registry. It is pure: no I/O, so it is tested
// by table and can be run twice on resume.
type normalizer struct {
	region string // default phone region, ISO alpha-2 ("NL")
	// limits are a dialect's maximum lengths by field name (spec.Limits);
	// alternate_emails, alternate_phones and alternate_addresses limit
	// every kind of that alternate.
	limits map[string]int
	// reg is the tenant's fields: custom.NAME values are checked and
	// converted by their defined type. nil is the built-in registry.
	reg *intake.Registry
	// monthFirst reads 03/04/2025 as March 4 (region US); otherwise
	// numeric dates are day-first.
	monthFirst bool
	// unreadCountry is a row's country that could not be read (see
	// forRow): its numbers without a country code are then refused.
	unreadCountry string
}

// limit is the dialect's maximum length of f's raw text, 0 for none.
func (n normalizer) limit(f intake.Field) int {
	if max, ok := n.limits[f.Name]; ok {
		return max
	}
	if f.Alternate != "" {
		return n.limits[strings.TrimSuffix(f.Name, "_"+f.Kind)]
	}
	return 0
}

// fieldErr builds a row error for field.
func fieldErr(field, value, code, msg string) intake.RowError {
	return intake.RowError{Field: field, Value: value, Code: code, Message: msg}
}

// value normalises one non-empty, trimmed value of field f by its type. The
// error is nil when v is valid; the returned value is then the stored form.
func (n normalizer) value(f intake.Field, v string) (string, *intake.RowError) {
	var out, code, msg string
	switch f.Type {
	case intake.TypeEmail:
		e, err := normalizeEmail(v)
		if err != nil {
			return e, &intake.RowError{Field: f.Name, Value: v, Code: intake.CodeInvalidEmail, Message: err.Error()}
		}
		return e, nil
	case intake.TypePhone:
		if out, msg = n.phone(v); msg != "" {
			return out, &intake.RowError{Field: f.Name, Value: v, Code: intake.CodeInvalidPhone, Message: msg}
		}
		return out, nil
	case intake.TypeCountry:
		out = normalizeCountry(v)
	case intake.TypeNumber, intake.TypeDate, intake.TypeBoolean, intake.TypeList:
		if out, code, msg = n.typed(f, v); msg != "" {
			return "", &intake.RowError{Field: f.Name, Value: truncate(v), Code: code, Message: msg}
		}
		return out, nil
	default:
		out = v
	}
	if f.Max > 0 && utf8.RuneCountInString(out) > f.Max {
		code, msg = intake.CodeTooLong, "The "+label(f.Name)+" is longer than "+strconv.Itoa(f.Max)+" characters."
		return "", &intake.RowError{Field: f.Name, Value: truncate(v), Code: code, Message: msg}
	}
	return out, nil
}

// build normalises fields (Intake field name → raw value) into a contact,
// in registry order, then custom and alternate fields by name. A value that
// cannot be normalised becomes a RowError; the contact is still returned so
// that callers can report every error of a row at once. Fields the registry
// does not know are ignored.
func (n normalizer) build(fields map[string]string) (intake.Contact, []intake.RowError) {
	n = n.forRow(fields)
	fields = splitMultiValues(fields)
	var c intake.Contact
	var errs []intake.RowError
	for _, name := range fieldOrder(fields) {
		f, ok := n.reg.Lookup(name)
		v := strings.TrimSpace(fields[name])
		if !ok || v == "" {
			continue
		}
		if max := n.limit(f); max > 0 && utf8.RuneCountInString(v) > max {
			errs = append(errs, fieldErr(name, truncate(v), intake.CodeTooLong, fmt.Sprintf("The %s is longer than the %d characters allowed.", label(name), max)))
			continue
		}
		if !f.Custom && (f.Type == intake.TypeList || f.Type == intake.TypeBoolean) {
			if re := n.listOrBool(f, v, &c); re != nil {
				errs = append(errs, *re)
			}
			continue
		}
		if f.Alternate != "" && f.Type != intake.TypeText && strings.Contains(v, multiValueSep) {
			errs = append(errs, n.alternates(f, v, &c)...)
			continue
		}
		val, re := n.value(f, v)
		switch {
		case re != nil:
			errs = append(errs, *re)
			if f.Type == intake.TypeEmail && f.Alternate == "" && !f.Custom {
				c.Email = val // still a key for the duplicate scan's messages
			}
		case f.Custom:
			if c.Custom == nil {
				c.Custom = map[string]string{}
			}
			c.Custom[strings.TrimPrefix(name, intake.CustomPrefix)] = val
		case f.Alternate != "":
			c.Alternates = append(c.Alternates, intake.Alternate{Type: f.Alternate, Kind: f.Kind, Value: val})
		default:
			*f.Column(&c) = val
		}
	}
	if c.Name == "" {
		c.Name = derivedName(fields)
	}
	_, hasFirst := fields[intake.FieldFirstName]
	_, hasLast := fields[intake.FieldLastName]
	if !hasFirst && !hasLast {
		c.FirstName, c.LastName = splitName(c.Name)
	}
	sortAlternates(c.Alternates)
	return c, errs
}

// alternates adds each of several values of one alternate email or phone
// field (a cell joined with " ::: ") to c.
func (n normalizer) alternates(f intake.Field, v string, c *intake.Contact) []intake.RowError {
	var errs []intake.RowError
	for _, part := range strings.Split(v, multiValueSep) {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		val, re := n.value(f, part)
		if re != nil {
			errs = append(errs, *re)
			continue
		}
		c.Alternates = append(c.Alternates, intake.Alternate{Type: f.Alternate, Kind: f.Kind, Value: val})
	}
	return errs
}

// listOrBool sets a list or boolean field of c from v: lists split as
// splitList does (names of groups and locations are a set ignoring case),
// booleans read yes/no/true/false/1/0. Other fields are left alone.
func (n normalizer) listOrBool(f intake.Field, v string, c *intake.Contact) *intake.RowError {
	switch f.Type {
	case intake.TypeList:
		l := splitList(v)
		if f.Name == intake.FieldGroups || f.Name == intake.FieldLocations {
			l = foldNames(nil, l, true)
		}
		*f.List(c) = l
		if f.Max > 0 && len(l) > f.Max {
			re := fieldErr(f.Name, truncate(v), intake.CodeInvalidValue, fmt.Sprintf("A contact can have at most %d %s.", f.Max, label(f.Name)))
			return &re
		}
	case intake.TypeBoolean:
		b, ok := parseBool(v)
		if !ok {
			re := fieldErr(f.Name, truncate(v), intake.CodeInvalidValue, fmt.Sprintf("The %s must be yes, no, true, false, 1 or 0.", label(f.Name)))
			return &re
		}
		if f.Name == intake.FieldIsPrimary {
			c.IsPrimary = b
		}
	}
	return nil
}

// parseBool reads yes/no/true/false/1/0 (and y/n, Dutch ja/nee) in any
// case: the one boolean reader, for is_primary and custom boolean fields
// alike.
func parseBool(v string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "yes", "y", "true", "1", "ja":
		return true, true
	case "no", "n", "false", "0", "nee":
		return false, true
	}
	return false, false
}

// foldNames merges names into stored, as group and location names are
// compared: ignoring case, a stored spelling winning over a new one. With
// replace the result holds only names (in their stored spelling where
// stored has them); otherwise it is the union. Sorted; never nil.
func foldNames(stored, names []string, replace bool) []string {
	spelling := make(map[string]string, len(stored)+len(names))
	for _, s := range stored {
		spelling[strings.ToLower(s)] = s
	}
	out := []string{}
	seen := map[string]bool{}
	add := func(n string) {
		k := strings.ToLower(n)
		if seen[k] {
			return
		}
		seen[k] = true
		if s, ok := spelling[k]; ok {
			n = s
		}
		out = append(out, n)
	}
	if !replace {
		for _, s := range stored {
			add(s)
		}
	}
	for _, n := range names {
		add(n)
	}
	slices.Sort(out)
	return out
}

// derivedName is the full name made of first and last name.
func derivedName(fields map[string]string) string {
	return strings.TrimSpace(strings.TrimSpace(fields[intake.FieldFirstName]) + " " + strings.TrimSpace(fields[intake.FieldLastName]))
}

// fieldOrder lists a record's field names: registry fields in registry
// order, then the rest sorted, so errors come out in a stable order.
func fieldOrder(fields map[string]string) []string {
	out := make([]string, 0, len(fields))
	for _, f := range intake.ContactFields {
		if _, ok := fields[f.Name]; ok {
			out = append(out, f.Name)
		}
	}
	if len(out) == len(fields) {
		return out
	}
	var rest []string
	for k := range fields {
		if f, ok := intake.LookupField(k); !ok || f.Custom || f.Alternate != "" {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

type emailError string

func (e emailError) Error() string { return string(e) }

// normalizeEmail trims and lower-cases an address and checks that it is a
// bare address (no display name, one @, a dotted domain).
func normalizeEmail(v string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(v))
	if len(e) > 254 {
		return e, emailError("The email address is longer than 254 characters.")
	}
	at := strings.LastIndexByte(e, '@')
	if at <= 0 || at == len(e)-1 {
		return e, emailError("\"" + v + "\" is not a valid email address: it needs one @ with a name before it and a domain after it.")
	}
	domain := e[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return e, emailError("\"" + v + "\" is not a valid email address: the domain \"" + domain + "\" is incomplete.")
	}
	if plainAddress(e[:at], domain) {
		return e, nil // what net/mail would accept as is, without its allocations
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return e, emailError("\"" + v + "\" is not a valid email address.")
	}
	return e, nil
}

// plainAddress reports whether local@domain is an RFC 5322 dot-atom on
// both sides in ASCII (nearly every address in a real file), which
// net/mail.ParseAddress accepts unchanged. The domain is known to have no
// leading, trailing or doubled dot.
func plainAddress(local, domain string) bool {
	if local == "" || local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for i := 0; i < len(local); i++ {
		if c := local[i]; !isAtext(c) && c != '.' {
			return false
		}
	}
	for i := 0; i < len(domain); i++ {
		if c := domain[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func isAtext(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// splitList splits a tags or groups cell on , or ;, trims, drops empties and
// duplicates, and sorts, because tags are a set.
//
// Exporters' list cells are read too: Google's "* myContacts ::: Friends"
// (its ::: separator; "* myContacts" is every contact, not a label, and
// "* " marks Google's own labels) and Mailchimp's quoted names
// ("Customer","VIP").
func splitList(v string) []string {
	v = strings.TrimSpace(strings.ReplaceAll(v, multiValueSep, ","))
	if v == "" {
		return nil
	}
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' })
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if len(p) >= 2 && p[0] == '"' && p[len(p)-1] == '"' {
			p = strings.TrimSpace(p[1 : len(p)-1])
		}
		if strings.EqualFold(p, "* myContacts") {
			continue
		}
		p = strings.TrimPrefix(p, "* ")
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// multiValueSep separates the values of one cell in Google Contacts'
// export: "a@x.example ::: b@y.example".
const multiValueSep = " ::: "

// splitMultiValues gives a cell of several emails or phones (Google's
// " ::: ") to the primary field and the rest to the matching "other"
// alternate when the row has none. fields is not changed: a copy is
// returned when there is something to split.
func splitMultiValues(fields map[string]string) map[string]string {
	var out map[string]string
	for _, f := range [...]struct{ primary, other string }{
		{intake.FieldEmail, "alternate_emails_other"},
		{intake.FieldPhone, "alternate_phones_other"},
	} {
		v := fields[f.primary]
		if !strings.Contains(v, multiValueSep) {
			continue
		}
		if out == nil {
			out = maps.Clone(fields)
		}
		first, rest, _ := strings.Cut(v, multiValueSep)
		out[f.primary] = strings.TrimSpace(first)
		if strings.TrimSpace(out[f.other]) == "" {
			out[f.other], _, _ = strings.Cut(strings.TrimSpace(rest), multiValueSep)
		}
	}
	if out == nil {
		return fields
	}
	return out
}

func truncate(v string) string {
	if len(v) <= 80 {
		return v
	}
	i := 80
	for i > 0 && !utf8.RuneStart(v[i]) {
		i--
	}
	return v[:i] + "…"
}
