package importer

import (
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// TestCountryEveryRegion is a property over every country libphonenumber
// knows: its alpha-2, alpha-3 and numeric codes and its name in each of
// the vocabulary's languages (as CLDR writes it, in upper case, and
// without accents) read as its alpha-2 code.
func TestCountryEveryRegion(t *testing.T) {
	t.Parallel()
	langs := []string{"en", "de", "fr", "es", "it", "nl", "pt", "pl"}
	checked := 0
	for code := range regions {
		r, err := language.ParseRegion(code)
		if err != nil || !r.IsCountry() {
			continue
		}
		forms := []string{code, strings.ToLower(code), r.ISO3()}
		if m := r.M49(); m > 0 {
			forms = append(forms, strconv.Itoa(m))
		}
		for _, l := range langs {
			if name := display.Regions(language.MustParse(l)).Name(r); name != "" {
				forms = append(forms, name, strings.ToUpper(name), foldCountry(name))
			}
		}
		for _, f := range forms {
			if got, ok := lookupCountry(f); !ok || got != code {
				t.Errorf("%s: %q read as %q (%v)", code, f, got, ok)
			}
		}
		checked++
	}
	if checked < 200 {
		t.Fatalf("only %d countries checked", checked)
	}
}

// TestCountryAsPeopleWriteIt: names from other languages, formal names,
// dotted abbreviations, and what is no country.
func TestCountryAsPeopleWriteIt(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Frankreich": "FR", "Allemagne": "DE", "U.K.": "GB", "UK": "GB", "Republic of Ireland": "IE", "Niemcy": "DE",
		"Países Bajos": "NL", "Paesi Bassi": "NL", "the Netherlands": "NL", "U.S.A.": "US", "Holland": "NL", "276": "DE",
		"DEU": "DE", "España": "ES", "Federal Republic of Germany": "DE", "Österreich": "AT", " belgië ": "BE", "Schweiz": "CH",
		"Atlantis": "", "": "", "Nordrhein-Westfalen": "", "CO": "CO",
	} {
		got, ok := lookupCountry(in)
		if want == "" && ok || want != "" && got != want {
			t.Errorf("%q read as %q (%v), want %q", in, got, ok, want)
		}
	}
}

// TestPhoneNeverSilentlyWrong is a property over every region: its
// example mobile number, written as exporters write it (international, with
// Excel's apostrophe, as a tel: link, nationally with the row's country in
// German, with an extension, or as a number cell that lost its +), is
// stored as its E.164 or refused with a reason; never as another number.
// A national number whose row's country cannot be read is refused.
func TestPhoneNeverSilentlyWrong(t *testing.T) {
	t.Parallel()
	n := normalizer{region: "NL"}
	de := display.Regions(language.German)
	checked, lost := 0, 0
	for region := range phonenumbers.GetSupportedRegions() {
		ex := phonenumbers.GetExampleNumberForType(region, phonenumbers.MOBILE)
		r, err := language.ParseRegion(region)
		if ex == nil || err != nil || !r.IsCountry() {
			continue
		}
		want := phonenumbers.Format(ex, phonenumbers.E164)
		intl := phonenumbers.Format(ex, phonenumbers.INTERNATIONAL)
		national := phonenumbers.Format(ex, phonenumbers.NATIONAL)
		if p, err := phonenumbers.Parse(national, region); err != nil || phonenumbers.Format(p, phonenumbers.E164) != want {
			national = intl // libphonenumber does not read its own national form back (AR mobiles)
		}
		for _, tc := range []struct{ phone, country, want string }{
			{intl, "", want},
			{"'" + intl, "", want},
			{"tel:" + want, "", want},
			{intl + " ext. 42", "", want + ";ext=42"},
			{national, de.Name(r), want},
			{strings.TrimPrefix(want, "+"), "", want}, // may be refused as ambiguous, never stored wrong
			{phonenumbers.Format(ex, phonenumbers.NATIONAL), "Atlantis", ""},
		} {
			c, errs := n.build(map[string]string{"phone": tc.phone, "country": tc.country})
			switch {
			case tc.want == "" && (len(errs) != 1 || c.Phone != ""):
				t.Errorf("%s: %q in %q stored as %q; want it refused", region, tc.phone, tc.country, c.Phone)
			case tc.want != "" && len(errs) == 0 && c.Phone != tc.want:
				t.Errorf("%s: %q in %q stored as %q, want %q", region, tc.phone, tc.country, c.Phone, tc.want)
			case tc.want != "" && len(errs) > 0 && !strings.HasPrefix(tc.phone, strings.TrimPrefix(want, "+")):
				t.Errorf("%s: %q in %q refused: %v", region, tc.phone, tc.country, errs)
			case len(errs) > 0 && tc.want != "":
				lost++
			}
		}
		checked++
	}
	if checked < 200 || lost > checked/4 {
		t.Fatalf("%d regions checked, %d lost-+ numbers refused as ambiguous", checked, lost)
	}
}
