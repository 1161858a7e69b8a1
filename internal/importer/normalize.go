package importer

import (
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/intake/intake"
)

// Field length limits, in characters. They follow the strictest of the seed
// dialects (PackageX: 255 for names and addresses, 127 for emails, 31 for
// phones) so that anything Intake accepts can be exported to them.
const (
	maxEmailLen = 254
	maxPhoneLen = 31
	maxTextLen  = 255
	maxNotesLen = 10000
	maxTags     = 100
)

// normalizer turns a record's field values into a clean contact. It is pure:
// no I/O, so it is tested by table and can be run twice on resume.
type normalizer struct {
	region string // default phone region, ISO alpha-2 ("NL")
}

// fieldErr builds a row error for field.
func fieldErr(field, value, code, msg string) intake.RowError {
	return intake.RowError{Field: field, Value: value, Code: code, Message: msg}
}

// build normalises fields (Intake field name → raw value) into a contact. A
// value that cannot be normalised becomes a RowError; the contact is still
// returned so that callers can report every error of a row at once.
func (n normalizer) build(fields map[string]string) (intake.Contact, []intake.RowError) {
	var c intake.Contact
	var errs []intake.RowError
	text := func(field string, dst *string, max int) {
		v := strings.TrimSpace(fields[field])
		if utf8.RuneCountInString(v) > max {
			errs = append(errs, fieldErr(field, truncate(v), intake.CodeTooLong,
				"The "+label(field)+" is longer than "+strconv.Itoa(max)+" characters."))
			return
		}
		*dst = v
	}
	text(intake.FieldFirstName, &c.FirstName, maxTextLen)
	text(intake.FieldLastName, &c.LastName, maxTextLen)
	text(intake.FieldName, &c.Name, maxTextLen)
	text(intake.FieldCompany, &c.Company, maxTextLen)
	text(intake.FieldAddress, &c.Address, maxTextLen)
	text(intake.FieldCity, &c.City, maxTextLen)
	text(intake.FieldPostalCode, &c.PostalCode, maxTextLen)
	text(intake.FieldCustomerNumber, &c.CustomerNumber, maxTextLen)
	text(intake.FieldNotes, &c.Notes, maxNotesLen)
	if c.Name == "" {
		c.Name = strings.TrimSpace(c.FirstName + " " + c.LastName)
	}

	if v := strings.TrimSpace(fields[intake.FieldEmail]); v != "" {
		e, err := normalizeEmail(v)
		if err != nil {
			errs = append(errs, fieldErr(intake.FieldEmail, v, intake.CodeInvalidEmail, err.Error()))
		}
		c.Email = e
	}
	if v := strings.TrimSpace(fields[intake.FieldPhone]); v != "" {
		p, msg := n.phone(v)
		if msg != "" {
			errs = append(errs, fieldErr(intake.FieldPhone, v, intake.CodeInvalidPhone, msg))
		}
		c.Phone = p
	}
	if v := strings.TrimSpace(fields[intake.FieldCountry]); v != "" {
		c.Country = normalizeCountry(v)
		if utf8.RuneCountInString(c.Country) > maxTextLen {
			errs = append(errs, fieldErr(intake.FieldCountry, truncate(v), intake.CodeTooLong, "The country is longer than 255 characters."))
		}
	}
	c.Tags = splitList(fields[intake.FieldTags])
	if len(c.Tags) > maxTags {
		errs = append(errs, fieldErr(intake.FieldTags, truncate(fields[intake.FieldTags]), intake.CodeInvalidValue, "A contact can have at most 100 tags."))
	}

	for k, v := range fields {
		if name, ok := strings.CutPrefix(k, intake.CustomPrefix); ok {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			if c.Custom == nil {
				c.Custom = map[string]string{}
			}
			c.Custom[name] = v
			continue
		}
		typ, kind, ok := intake.AlternateField(k)
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		switch typ {
		case "email":
			e, err := normalizeEmail(v)
			if err != nil {
				errs = append(errs, fieldErr(k, v, intake.CodeInvalidEmail, err.Error()))
				continue
			}
			v = e
		case "phone":
			p, msg := n.phone(v)
			if msg != "" {
				errs = append(errs, fieldErr(k, v, intake.CodeInvalidPhone, msg))
				continue
			}
			v = p
		}
		c.Alternates = append(c.Alternates, intake.Alternate{Type: typ, Kind: kind, Value: v})
	}
	// Map iteration order is random; sort so equal inputs give equal contacts.
	slices.SortFunc(c.Alternates, func(a, b intake.Alternate) int {
		return strings.Compare(a.Type+"\x00"+a.Kind+"\x00"+a.Value, b.Type+"\x00"+b.Kind+"\x00"+b.Value)
	})
	return c, errs
}

type emailError string

func (e emailError) Error() string { return string(e) }

// normalizeEmail trims and lower-cases an address and checks that it is a
// bare address (no display name, one @, a dotted domain).
func normalizeEmail(v string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(v))
	if len(e) > maxEmailLen {
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
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return e, emailError("\"" + v + "\" is not a valid email address.")
	}
	return e, nil
}

// phone parses v with the default region and formats it as E.164. The
// message is empty when v is a valid number.
func (n normalizer) phone(v string) (string, string) {
	if utf8.RuneCountInString(v) > maxPhoneLen*2 {
		return truncate(v), "The phone number is too long."
	}
	num, err := phonenumbers.Parse(v, n.region)
	if err != nil || !phonenumbers.IsPossibleNumber(num) {
		hint := ""
		if !strings.HasPrefix(v, "+") {
			hint = " (national numbers are read as " + n.region + "; write others with + and the country code)"
		}
		return v, "\"" + v + "\" is not a valid phone number" + hint + "."
	}
	return phonenumbers.Format(num, phonenumbers.E164), ""
}

// splitList splits a tags or groups cell on , or ;, trims, drops empties and
// duplicates, and sorts, because tags are a set.
func splitList(v string) []string {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	parts := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' })
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
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

func label(field string) string { return strings.ReplaceAll(field, "_", " ") }
