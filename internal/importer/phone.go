package importer

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/intake/intake"
)

// phone parses v with the row's region and formats it as E.164, with
// ";ext=N" when the number has an extension. The message is empty when v
// is a number libphonenumber accepts as valid: a possible-looking but
// unassigned number is refused rather than stored wrong, and a number
// Excel shortened to scientific notation (its digits are gone) is named as
// such.
//
// What spreadsheets and exporters do to a number is undone first: a
// leading apostrophe (Excel's text mark), a tel: link, and a lost "+": a
// number cell of 447700900123 is invalid in the row's region, so it is
// read once more as +447700900123. A number without a country code in a
// row whose country could not be read is refused: the import's region
// would be a guess (a French mobile stored as a Dutch number).
func (n normalizer) phone(v string) (string, string) {
	if utf8.RuneCountInString(v) > maxPhoneLen*2 {
		return truncate(v), "The phone number is too long."
	}
	v = unwrapPhone(v)
	if strings.ContainsAny(v, "eE") && scientific.MatchString(v) { // the regexp only when it can match
		return v, "\"" + v + "\" is a number a spreadsheet shortened to scientific notation, so its digits are lost; format the column as text before exporting."
	}
	international := strings.HasPrefix(v, "+") || strings.HasPrefix(v, "00")
	if !international && n.unreadCountry != "" {
		return v, "\"" + v + "\" has no country code and the row's country \"" + n.unreadCountry +
			"\" could not be read, so the number is not guessed; write it with + and the country code, or the country as a name or ISO code."
	}
	key := phoneKey(n.region, v)
	o, ok := phoneOutcome{}, false
	if key != "" {
		o, ok = phones.get(key)
	}
	if !ok {
		if key != "" && tooFewDigits(key) {
			o = phoneOutcome{kind: phoneInvalid}
		} else {
			o = parsePhone(v, n.region, international)
		}
		if key != "" {
			phones.put(key, o)
		}
	}
	switch o.kind {
	case phoneAmbiguous:
		return v, "\"" + v + "\" reads as " + o.out + " in " + n.region + " and as " + o.alt +
			" if it lost its +, so it is not guessed; write it with + and the country code."
	case phoneInvalid:
		hint := ""
		if !international {
			hint = " for " + n.region + " (numbers without a country code are read in the row's country, else the import's region; write others with + and the country code)"
		}
		return v, "\"" + v + "\" is not a valid phone number" + hint + "."
	}
	return o.out, ""
}

// parsePhone is libphonenumber's reading of v in region, with the lost +
// undone (see phone).
func parsePhone(v, region string, international bool) phoneOutcome {
	num, err := phonenumbers.Parse(v, region)
	valid := err == nil && phonenumbers.IsValidNumber(num)
	if !international && lostPlus(v) {
		if alt, err2 := phonenumbers.Parse("+"+v, region); err2 == nil && phonenumbers.IsValidNumber(alt) {
			if valid && num.GetCountryCode() != alt.GetCountryCode() {
				return phoneOutcome{kind: phoneAmbiguous, out: phonenumbers.Format(num, phonenumbers.E164),
					alt: phonenumbers.Format(alt, phonenumbers.E164)}
			}
			num, valid = alt, true
		}
	}
	if !valid {
		return phoneOutcome{kind: phoneInvalid}
	}
	out := phonenumbers.Format(num, phonenumbers.E164)
	if ext := num.GetExtension(); ext != "" {
		out += ";ext=" + ext
	}
	return phoneOutcome{out: out}
}

// unwrapPhone strips what is not the number: spaces, Excel's leading
// apostrophe, a tel: link (tel:+31..., tel://...).
func unwrapPhone(v string) string {
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "'"))
	if len(v) > 4 && strings.EqualFold(v[:4], "tel:") {
		v = strings.TrimLeft(v[4:], "/")
	}
	return strings.TrimSpace(v)
}

// lostPlus reports a number cell that may have lost its "+": digits only,
// long enough to hold a country code, not starting with a trunk 0
// (^[1-9]\d{7,14}$, without a regexp per row).
func lostPlus(v string) bool {
	if len(v) < 8 || len(v) > 15 || v[0] == '0' {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

// scientific matches what a spreadsheet makes of a long number in a
// general-format cell: 4,91713E+12 or 4.91713e+12.
var scientific = regexp.MustCompile(`^\s*\d[.,]\d+[eE]\+?\d+\s*$`)

// forRow returns n with the phone region of one row: the country of the
// address its phone belongs to, else the row's country, when it names one
// libphonenumber knows (a code or a name in any language), else the
// import's. A German file's "0221 100056" is then +49221100056,
// not a Dutch number. A country that cannot be read is remembered, so the
// row's national numbers are refused instead of read in the import's
// region.
func (n normalizer) forRow(fields map[string]string) normalizer {
	raw := strings.TrimSpace(fields[rowCountryField])
	if raw == "" {
		raw = strings.TrimSpace(fields[intake.FieldCountry])
	}
	if raw == "" {
		return n
	}
	if c, ok := lookupCountry(raw); ok && regions[c] {
		n.region = c
		return n
	}
	n.unreadCountry = raw
	return n
}
