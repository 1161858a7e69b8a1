package importer

import (
	"slices"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"

	"github.com/intake/intake"
)

// TestPhoneRegionPerRow: a number without a country code is read in the
// row's country, then the import's region; impossible numbers and numbers
// a spreadsheet shortened are errors, never stored wrong.
func TestPhoneRegionPerRow(t *testing.T) {
	t.Parallel()
	n := normalizer{region: "NL"}
	for _, tc := range []struct {
		name   string
		fields map[string]string
		phone  string // want stored; "" means want invalid_phone
	}{
		{"German row, German national number", map[string]string{"phone": "0221 100056", "country": "Germany"}, "+49221100056"},
		{"country as a code", map[string]string{"phone": "0221 100056", "country": "de"}, "+49221100056"},
		{"country in its own language", map[string]string{"phone": "0221 100056", "country": "Deutschland"}, "+49221100056"},
		{"US row with a leading 1", map[string]string{"phone": "1-303-555-6639", "country": "United States"}, "+13035556639"},
		{"US row without it", map[string]string{"phone": "(303) 555-6639", "country": "US"}, "+13035556639"},
		{"no country: the import's region", map[string]string{"phone": "06 12345678"}, "+31612345678"},
		{"unknown country: not guessed", map[string]string{"phone": "06 12345678", "country": "Atlantis"}, ""},
		{"unknown country, an international number", map[string]string{"phone": "+33 6 12 34 56 78", "country": "Atlantis"}, "+33612345678"},
		{"a cell that lost its +", map[string]string{"phone": "447911123456", "country": "NL"}, "+447911123456"},
		{"lost + or a national number: not guessed", map[string]string{"phone": "447911123456", "country": "DE"}, ""},
		{"Excel apostrophe", map[string]string{"phone": "'0612345678", "country": "NL"}, "+31612345678"},
		{"tel: link", map[string]string{"phone": "tel:+49-221-100056"}, "+49221100056"},
		{"extension kept", map[string]string{"phone": "+49 221 100056 ext. 12"}, "+49221100056;ext=12"},
		{"French name in German", map[string]string{"phone": "06 12 34 56 78", "country": "Frankreich"}, "+33612345678"},
		{"U.K.", map[string]string{"phone": "07911 123456", "country": "U.K."}, "+447911123456"},
		{"Republic of Ireland", map[string]string{"phone": "085 123 4567", "country": "Republic of Ireland"}, "+353851234567"},
		{"a + number ignores the row's country", map[string]string{"phone": "+31 6 12345678", "country": "DE"}, "+31612345678"},
		{"00 prefix", map[string]string{"phone": "0049 221 100056", "country": "NL"}, "+49221100056"},
		{"impossible for the region", map[string]string{"phone": "123", "country": "DE"}, ""},
		{"Excel's scientific notation", map[string]string{"phone": "4,91713E+12", "country": "DE"}, ""},
		{"scientific with a dot", map[string]string{"phone": "3.1612E+10"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, errs := n.build(tc.fields)
			if tc.phone == "" {
				if len(errs) != 1 || errs[0].Code != intake.CodeInvalidPhone || errs[0].Field != "phone" {
					t.Fatalf("errors = %+v, want one invalid_phone (stored %q)", errs, c.Phone)
				}
				return
			}
			if len(errs) > 0 || c.Phone != tc.phone {
				t.Fatalf("phone = %q, errors %+v; want %q", c.Phone, errs, tc.phone)
			}
		})
	}
	_, errs := n.build(map[string]string{"phone": "4,91713E+12"})
	if len(errs) != 1 || !strings.Contains(errs[0].Message, "scientific notation") {
		t.Fatalf("the message should name scientific notation: %+v", errs)
	}
}

// TestPhoneEveryRegionsExample is a property over every region
// libphonenumber knows: its example number, written nationally, in a row
// whose country is that region, is stored as the example's E.164, whatever
// the import's region is.
func TestPhoneEveryRegionsExample(t *testing.T) {
	t.Parallel()
	n := normalizer{region: "NL"}
	checked := 0
	for region := range phonenumbers.GetSupportedRegions() {
		ex := phonenumbers.GetExampleNumber(region)
		if ex == nil {
			continue
		}
		want := phonenumbers.Format(ex, phonenumbers.E164)
		national := phonenumbers.Format(ex, phonenumbers.NATIONAL)
		c, errs := n.build(map[string]string{"phone": national, "country": region})
		if len(errs) > 0 || c.Phone != want {
			t.Errorf("%s: %q stored as %q (%+v), want %s", region, national, c.Phone, errs, want)
		}
		checked++
	}
	if checked < 200 {
		t.Fatalf("only %d regions had an example number", checked)
	}
}

// TestExportersCells: Google's multi-value cells and labels, Mailchimp's
// quoted tag names.
func TestExportersCells(t *testing.T) {
	t.Parallel()
	n := normalizer{region: "NL"}
	c, errs := n.build(map[string]string{
		"email": "Ann@Example.com ::: ann@work.example ::: third@x.example",
		"phone": "+31 6 12345678 ::: +31 20 1234567",
		"tags":  "* myContacts ::: * starred ::: Friends",
	})
	if len(errs) > 0 || c.Email != "ann@example.com" || c.Phone != "+31612345678" {
		t.Fatalf("contact %+v, errors %+v", c, errs)
	}
	want := []intake.Alternate{{Type: "email", Kind: "other", Value: "ann@work.example"}, {Type: "phone", Kind: "other", Value: "+31201234567"}}
	if !slices.Equal(c.Alternates, want) || !slices.Equal(c.Tags, []string{"Friends", "starred"}) {
		t.Fatalf("alternates %+v, tags %q", c.Alternates, c.Tags)
	}
	c, _ = n.build(map[string]string{"tags": `"Customer","VIP", "Newsletter"`})
	if !slices.Equal(c.Tags, []string{"Customer", "Newsletter", "VIP"}) {
		t.Fatalf("Mailchimp tags %q", c.Tags)
	}
}
