package importer

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/intake/intake"
)

// profile is what a sample of one column's values looks like: the share
// of its non-empty values that read as each kind of value. A header says
// what a column should be; its profile says what it is.
type profile struct {
	filled  int     // non-empty values in the sample
	email   float64 // valid email addresses (mailto: unwrapped)
	phone   float64 // phone numbers: +, 00, a trunk 0 or separators, valid somewhere
	country float64 // country names or codes (CLDR)
	named   float64 // country names of more than three letters, not codes
	date    float64 // dates
	url     float64 // web addresses
	boolean float64 // yes/no/true/false/1/0
	words   float64 // two words or more, letters only: full names
	samples []string
}

// maxSamples is how many values of a column the job shows.
const maxSamples = 3

var (
	phoneShape = regexp.MustCompile(`^(tel:)?'?\+?[0-9 ()./-]{6,24}((ext\.?|x|#)\s*\d{1,6})?$`)
	dateShape  = regexp.MustCompile(`^\d{1,4}[-./]\d{1,2}[-./]\d{1,4}([ T]\d{1,2}:\d{2}(:\d{2})?.*)?$`)
)

// profileColumn profiles column col of rows.
func profileColumn(rows [][]string, col int, region string) profile {
	var p profile
	var email, phone, country, named, date, link, boolean, words int
	for _, r := range rows {
		if col >= len(r) {
			continue
		}
		v := strings.TrimSpace(r[col])
		if v == "" {
			continue
		}
		p.filled++
		if len(p.samples) < maxSamples {
			p.samples = append(p.samples, truncate(v))
		}
		if _, err := normalizeEmail(strings.TrimPrefix(v, "mailto:")); err == nil {
			email++
		}
		if looksLikePhone(v, region) {
			phone++
		}
		if _, ok := lookupCountry(v); ok {
			country++
			if len([]rune(v)) > 3 {
				named++
			}
		}
		if dateShape.MatchString(v) {
			date++
		}
		if u, err := url.Parse(v); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" || strings.HasPrefix(v, "www.") {
			link++
		}
		if _, ok := parseBool(v); ok {
			boolean++
		}
		if fs := strings.Fields(v); len(fs) >= 2 && !strings.ContainsAny(v, "0123456789@") {
			words++
		}
	}
	if p.filled == 0 {
		return p
	}
	f := func(n int) float64 { return float64(n) / float64(p.filled) }
	p.email, p.phone, p.country, p.named, p.date, p.url, p.boolean = f(email), f(phone), f(country), f(named), f(date), f(link), f(boolean)
	p.words = f(words)
	return p
}

// looksLikePhone reports whether v is written as a phone number (not a
// bare run of digits, which could as well be an id or an amount) and is
// a valid number in region or internationally.
func looksLikePhone(v, region string) bool {
	v = unwrapPhone(v)
	if !phoneShape.MatchString(v) || dateShape.MatchString(v) {
		return false
	}
	written := strings.HasPrefix(v, "+") || strings.HasPrefix(v, "00") || strings.HasPrefix(v, "0") || strings.ContainsAny(v, " -()./")
	if !written {
		return false
	}
	if region == "" {
		region = "US"
	}
	n, err := phonenumbers.Parse(v, region)
	return err == nil && phonenumbers.IsPossibleNumber(n)
}

// contentField is the field a column's values say it is when its header
// says nothing, with how sure the values are: emails, phone numbers,
// country names. Dates, links and booleans fit no contact field: such a
// column is reported as not imported.
func (p profile) contentField() (string, float64) {
	if p.filled < 2 {
		return "", 0
	}
	switch {
	case p.email >= 0.8:
		return intake.FieldEmail, 0.5 + 0.45*p.email
	case p.phone >= 0.8 && p.date < 0.2:
		return intake.FieldPhone, 0.45 + 0.4*p.phone
	case p.country >= 0.9 && p.named >= 0.5:
		return intake.FieldCountry, 0.45 + 0.4*p.country
	}
	return "", 0
}

// agrees adjusts a header's confidence by the column's values: values
// that are what the header says confirm it; a sample of which little
// fits the field makes a header that was not sure by itself doubtful (a
// "Mail" column of names). A header that says its field plainly ("Email")
// is believed: its bad values are reported row by row.
func (p profile) agrees(field string, conf float64) float64 {
	if p.filled < 3 || conf >= 1 {
		return conf
	}
	var share float64
	switch field {
	case intake.FieldEmail:
		share = p.email
	case intake.FieldPhone:
		share = max(p.phone, 0.5) // digits-only cells are phones that lost their look
		if p.email > 0.5 {
			share = 0
		}
	case intake.FieldCountry:
		share = p.country
	default:
		if p.email > 0.8 && field != intake.FieldNotes {
			return conf * 0.5 // a name or city column of email addresses
		}
		return conf
	}
	switch {
	case share >= 0.8:
		return min(1, conf+0.02)
	case share < 0.3:
		return conf * 0.45
	}
	return conf * (0.6 + 0.4*share)
}
