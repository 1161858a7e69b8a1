package importer

import (
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/unicode/norm"
)

// Countries are read from CLDR (golang.org/x/text/language/display): a
// country's name in every language CLDR carries, its ISO 3166-1 alpha-2
// and alpha-3 codes and its UN M.49 numeric code. No hand-written table of
// names grows with each file: "Frankreich", "Allemagne" and "Niemcy" are
// CLDR's own. Only the names people write that CLDR does not list as a
// country (parts of one, old or informal names) are kept in countryAliases.

// countryAliases are names CLDR does not give as a country's name.
var countryAliases = map[string]string{
	"uk": "GB", "u k": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
	"wales": "GB", "northern ireland": "GB", "grossbritannien": "GB", "usa": "US", "u s a": "US", "u s": "US",
	"america": "US", "united states of america": "US", "holland": "NL", "eire": "IE", "czech republic": "CZ",
	"tschechische republik": "CZ", "republique tcheque": "CZ", "turkey": "TR", "russia": "RU",
	"south korea": "KR", "north korea": "KP", "ivory coast": "CI", "vatican": "VA", "burma": "MM",
	"swaziland": "SZ", "macedonia": "MK", "east timor": "TL", "cape verde": "CV", "the gambia": "GM",
	"bosnia": "BA", "uae": "AE", "emirates": "AE", "ksa": "SA",
}

// countryPrefixes are words of a state's formal name that the short
// name drops: "Republic of Ireland" is Ireland, "Federal Republic of
// Germany" is Germany, "The Netherlands" the Netherlands.
var countryPrefixes = []string{"the ", "federal republic of ", "republic of ", "kingdom of ", "state of ",
	"commonwealth of ", "principality of ", "grand duchy of ", "united republic of "}

// countryIndex is every name and code of every country, folded.
var countryIndex = sync.OnceValue(buildCountryIndex)

// regions are the region codes libphonenumber reads numbers in.
var regions = func() map[string]bool {
	m := map[string]bool{}
	for r := range phonenumbers.GetSupportedRegions() {
		m[r] = true
	}
	return m
}()

// preferredLanguages claim a name first when two languages give one
// spelling to two countries: the vocabularies Intake's users write in.
var preferredLanguages = []string{"en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da", "nb", "fi", "cs"}

func buildCountryIndex() map[string]string {
	idx := map[string]string{}
	put := func(k, code string) {
		if k = foldCountry(k); k != "" {
			if _, taken := idx[k]; !taken {
				idx[k] = code
			}
		}
	}
	codes := make([]language.Region, 0, len(regions))
	for r := range regions {
		if reg, err := language.ParseRegion(r); err == nil && reg.IsCountry() {
			codes = append(codes, reg)
		}
	}
	for _, reg := range codes {
		code := reg.String()
		put(code, code)
		put(reg.ISO3(), code)
		if m := reg.M49(); m > 0 {
			put(strconv.Itoa(m), code)
			put(leftPad3(m), code)
		}
	}
	for k, code := range countryAliases {
		put(k, code)
	}
	tags := make([]language.Tag, 0, len(preferredLanguages)+len(display.Supported.Tags()))
	for _, l := range preferredLanguages {
		tags = append(tags, language.MustParse(l))
	}
	// One dictionary per base language is enough (en-AU names countries
	// as en does); it keeps the index's one-time build short.
	seen := map[language.Base]bool{}
	for _, t := range display.Supported.Tags() {
		if b, conf := t.Base(); conf == language.Exact && !seen[b] {
			seen[b] = true
			tags = append(tags, language.Make(b.String()))
		}
	}
	for _, t := range tags {
		names := display.Regions(t)
		if names == nil {
			continue
		}
		for _, reg := range codes {
			put(names.Name(reg), reg.String())
		}
	}
	return idx
}

func leftPad3(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}

// foldCountry lower-cases s, strips accents and turns punctuation into
// spaces: "U.K." is "u k", "Österreich" "osterreich", "Côte d’Ivoire"
// "cote d ivoire".
func foldCountry(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(strings.ToLower(strings.TrimSpace(s))) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// lookupCountry returns the ISO alpha-2 code of v: a code (alpha-2,
// alpha-3, numeric) or a name in any language CLDR has, with or without a
// formal prefix ("Republic of Ireland") or dots ("U.K.").
func lookupCountry(v string) (string, bool) {
	k := foldCountry(v)
	if k == "" {
		return "", false
	}
	idx := countryIndex()
	if code, ok := idx[k]; ok {
		return code, true
	}
	if joined := strings.ReplaceAll(k, " ", ""); len(joined) <= 3 {
		if code, ok := idx[joined]; ok { // "U.S.A." → usa
			return code, true
		}
	}
	for _, p := range countryPrefixes {
		if rest, ok := strings.CutPrefix(k, p); ok {
			if code, ok := lookupCountry(rest); ok {
				return code, true
			}
		}
	}
	return "", false
}

// normalizeCountry returns the ISO alpha-2 code for v when it recognises v
// and v unchanged otherwise: an unknown country is kept as the user wrote
// it, not rejected (but the row's phones are then not read in any region:
// see normalizer.forRow).
func normalizeCountry(v string) string {
	if code, ok := lookupCountry(v); ok {
		return code
	}
	return v
}

// KnownRegion reports whether r is a region code libphonenumber knows
// ("DE"; upper case), so that numbers can be read in it.
func KnownRegion(r string) bool { return regions[r] }
