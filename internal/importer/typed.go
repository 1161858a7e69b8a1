package importer

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/intake/intake"
)

// typed normalises a value of a typed custom field (number, date, boolean,
// list) to its stored form. msg is "" when v is valid; otherwise code and
// msg say why it is not.
func (n normalizer) typed(f intake.Field, v string) (out, code, msg string) {
	switch f.Type {
	case intake.TypeNumber:
		if out, ok := normalizeNumber(v, n.monthFirst); ok {
			return out, "", ""
		}
		return "", intake.CodeInvalidNumber, fmt.Sprintf("%q is not a number; %s takes numbers such as 42 or -3.5.", v, f.Name)
	case intake.TypeDate:
		if out, ok := normalizeDate(v, n.monthFirst); ok {
			return out, "", ""
		}
		alt := "DD-MM-YYYY"
		if n.monthFirst {
			alt = "MM/DD/YYYY"
		}
		return "", intake.CodeInvalidDate, fmt.Sprintf("%q is not a date; write %s as YYYY-MM-DD (or %s).", v, f.Name, alt)
	case intake.TypeBoolean:
		if out, ok := normalizeBoolean(v); ok {
			return out, "", ""
		}
		return "", intake.CodeInvalidBoolean, fmt.Sprintf("%q is not yes or no; %s takes true/false, yes/no, ja/nee, y/n or 1/0.", v, f.Name)
	case intake.TypeList:
		return normalizeOptions(f, v)
	}
	return v, "", ""
}

// numberPattern is a plain decimal once grouping marks are gone.
var numberPattern = regexp.MustCompile(`^([+-]?)([0-9]*)(?:\.([0-9]*))?$`)

// normalizeNumber reads a decimal written with either mark and returns its
// canonical form: no sign for positives, no leading or trailing zeros, "."
// as the decimal mark ("+007,50" → "7.5"). With both marks the last is the
// decimal one (1.234,5 and 1,234.5); a lone comma is a decimal mark except
// in the US, where commas group thousands; several dots group thousands.
// No float is involved, so no digit is ever lost.
func normalizeNumber(v string, us bool) (string, bool) {
	s := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\'' {
			return -1 // spaces and apostrophes group thousands
		}
		return r
	}, v)
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	switch {
	case dots > 0 && commas > 0:
		if strings.LastIndexByte(s, '.') > strings.LastIndexByte(s, ',') {
			s = strings.ReplaceAll(s, ",", "")
		} else {
			s = strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), ",", ".")
		}
	case commas == 1 && !us:
		s = strings.ReplaceAll(s, ",", ".")
	case commas > 0:
		s = strings.ReplaceAll(s, ",", "")
	case dots > 1:
		s = strings.ReplaceAll(s, ".", "")
	}
	m := numberPattern.FindStringSubmatch(s)
	if m == nil || m[2]+m[3] == "" || len(s) > 100 {
		return "", false
	}
	whole, frac := strings.TrimLeft(m[2], "0"), strings.TrimRight(m[3], "0")
	if whole == "" {
		whole = "0"
	}
	out := whole
	if frac != "" {
		out += "." + frac
	}
	if m[1] == "-" && out != "0" {
		out = "-" + out
	}
	return out, true
}

var (
	isoDate     = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?$`)
	numericDate = regexp.MustCompile(`^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$`)
	// namedDates are the written-out forms, month names in English.
	namedDates = []string{"2 January 2006", "2 Jan 2006", "January 2, 2006", "Jan 2, 2006", "2-Jan-2006", "January 2 2006", "Jan 2 2006"}
)

// normalizeDate reads a date as YYYY-MM-DD: ISO (a time after it is
// ignored), day-first numeric (31-12-2025, 31/12/2025, 31.12.2025) or
// month-first when monthFirst (region US), and written-out English forms
// (5 March 2025, Mar 5, 2025). Impossible dates (31-02-2025) are refused.
func normalizeDate(v string, monthFirst bool) (string, bool) {
	var y, m, d int
	if p := isoDate.FindStringSubmatch(v); p != nil {
		y, m, d = atoi(p[1]), atoi(p[2]), atoi(p[3])
	} else if p := numericDate.FindStringSubmatch(v); p != nil {
		y, m, d = atoi(p[3]), atoi(p[2]), atoi(p[1])
		if monthFirst {
			m, d = d, m
		}
	} else {
		i := slices.IndexFunc(namedDates, func(layout string) bool { _, err := time.Parse(layout, v); return err == nil })
		if i < 0 {
			return "", false
		}
		t, _ := time.Parse(namedDates[i], v)
		y, m, d = t.Year(), int(t.Month()), t.Day()
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if y < 1 || t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// normalizeBoolean reads yes/no in the forms exporters write, English and Dutch.
func normalizeBoolean(v string) (string, bool) {
	b, ok := parseBool(v)
	if !ok {
		return "", false
	}
	return strconv.FormatBool(b), true
}

// normalizeOptions reads a list field's values (split on , or ;) as a
// sorted set joined by ", ", each spelled as its option is (options compare
// ignoring case); a value that is no option is an invalid_option error.
func normalizeOptions(f intake.Field, v string) (out, code, msg string) {
	vals := splitList(v)
	if len(f.Options) > 0 {
		for i, x := range vals {
			j := slices.IndexFunc(f.Options, func(o string) bool { return strings.EqualFold(o, x) })
			if j < 0 {
				return "", intake.CodeInvalidOption, fmt.Sprintf("%q is not an option of %s; use %s.", x, f.Name, strings.Join(f.Options, ", "))
			}
			vals[i] = f.Options[j]
		}
		slices.Sort(vals)
		vals = slices.Compact(vals)
	}
	return strings.Join(vals, ", "), "", ""
}
