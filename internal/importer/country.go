package importer

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// countryNames maps common country names (English and the local name) to
// ISO 3166-1 alpha-2. Codes themselves are recognised from phonenumbers'
// region list, so this table only needs the spelled-out names people type.
var countryNames = map[string]string{
	"netherlands": "NL", "the netherlands": "NL", "nederland": "NL", "holland": "NL",
	"germany": "DE", "deutschland": "DE", "france": "FR", "spain": "ES", "españa": "ES",
	"italy": "IT", "italia": "IT", "poland": "PL", "polska": "PL", "portugal": "PT",
	"norway": "NO", "norge": "NO", "czech republic": "CZ", "czechia": "CZ", "česko": "CZ",
	"austria": "AT", "österreich": "AT", "switzerland": "CH", "schweiz": "CH", "suisse": "CH",
	"belgium": "BE", "belgië": "BE", "belgique": "BE", "luxembourg": "LU", "denmark": "DK",
	"danmark": "DK", "sweden": "SE", "sverige": "SE", "finland": "FI", "suomi": "FI",
	"ireland": "IE", "united kingdom": "GB", "uk": "GB", "great britain": "GB", "england": "GB",
	"scotland": "GB", "wales": "GB", "united states": "US", "united states of america": "US",
	"usa": "US", "u.s.a.": "US", "u.s.": "US", "america": "US", "canada": "CA", "mexico": "MX",
	"brazil": "BR", "brasil": "BR", "argentina": "AR", "australia": "AU", "new zealand": "NZ",
	"japan": "JP", "china": "CN", "india": "IN", "south africa": "ZA", "greece": "GR",
	"hungary": "HU", "romania": "RO", "turkey": "TR", "türkiye": "TR", "ukraine": "UA",
	"russia": "RU", "iceland": "IS", "estonia": "EE", "latvia": "LV", "lithuania": "LT",
	"slovakia": "SK", "slovenia": "SI", "croatia": "HR", "bulgaria": "BG", "serbia": "RS",
}

var regions = func() map[string]bool {
	m := map[string]bool{}
	for r := range phonenumbers.GetSupportedRegions() {
		m[r] = true
	}
	return m
}()

// normalizeCountry returns the ISO alpha-2 code for v when it recognises v
// (a code in any case or a common name) and v unchanged otherwise: an
// unknown country is kept as the user wrote it, not rejected.
func normalizeCountry(v string) string {
	if up := strings.ToUpper(v); len(up) == 2 && regions[up] {
		return up
	}
	if up := strings.ToUpper(v); up == "UK" {
		return "GB"
	}
	if code, ok := countryNames[strings.ToLower(v)]; ok {
		return code
	}
	return v
}

// KnownRegion reports whether r is a region code libphonenumber knows
// ("DE"; upper case), so that numbers can be read in it.
func KnownRegion(r string) bool { return regions[r] }
