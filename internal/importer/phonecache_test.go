package importer

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"testing"
)

// TestPhoneCacheAgreesWithParser: a cached answer is the parser's answer,
// for every spelling that shares a key, in regions where the same digits
// read differently, including invalid, ambiguous (lost +) and too short
// numbers.
func TestPhoneCacheAgreesWithParser(t *testing.T) {
	spellings := [][]string{
		{"0201234567", "020-123 4567", "(020) 123 45 67", "020.123.4567"},
		{"+31201234567", "+31 20 123 4567", "+31 (0)20 123 4567"},
		{"0031201234567", "0031 20 123 4567"},
		{"447700900123"}, {"4477 0090 0123"},
		{"06-12345678", "0612345678"},
		{"0221 100056", "0221-100056"},
		{"123", "1-2-3"}, {"+1"}, {"12"},
		{"2025550143", "(202) 555-0143", "202.555.0143"},
	}
	for _, region := range []string{"NL", "DE", "US", "GB", "CH"} {
		n := normalizer{region: region}
		for _, group := range spellings {
			for _, v := range group {
				international := v[0] == '+' || len(v) > 1 && v[:2] == "00"
				want := n.uncachedPhone(v, international)
				for range 2 { // the second call is answered from the cache
					out, msg := n.phone(v)
					if out != want[0] || msg != want[1] {
						t.Fatalf("%s %q: got %q %q, the parser says %q %q", region, v, out, msg, want[0], want[1])
					}
				}
			}
		}
	}
}

// uncachedPhone is phone's answer straight from libphonenumber.
func (n normalizer) uncachedPhone(v string, international bool) [2]string {
	o := parsePhone(v, n.region, international)
	switch o.kind {
	case phoneValid:
		return [2]string{o.out, ""}
	case phoneAmbiguous:
		return [2]string{v, "\"" + v + "\" reads as " + o.out + " in " + n.region + " and as " + o.alt +
			" if it lost its +, so it is not guessed; write it with + and the country code."}
	}
	hint := ""
	if !international {
		hint = " for " + n.region + " (numbers without a country code are read in the row's country, else the import's region; write others with + and the country code)"
	}
	return [2]string{v, "\"" + v + "\" is not a valid phone number" + hint + "."}
}

// TestPhoneCacheBounded: however many numbers pass, the cache holds at
// most two generations; a number with letters, an extension or a second
// number is not cached at all.
func TestPhoneCacheBounded(t *testing.T) {
	t.Parallel()
	c := &phoneCache{cur: map[string]phoneOutcome{}}
	for i := range 3 * phoneCacheSize {
		c.put(fmt.Sprintf("NL:06%08d", i), phoneOutcome{})
		if c.len() > 2*phoneCacheSize {
			t.Fatalf("%d entries after %d numbers, bound %d", c.len(), i+1, 2*phoneCacheSize)
		}
	}
	if _, ok := c.get(fmt.Sprintf("NL:06%08d", 3*phoneCacheSize-1)); !ok {
		t.Fatal("the latest number is not cached")
	}
	for _, v := range []string{"020 123 4567 x12", "1-800-FLOWERS", "020 1234567;ext=3", "+31 20 / 123", "tel:+3120"} {
		if k := phoneKey("NL", v); k != "" {
			t.Errorf("%q has cache key %q, want none", v, k)
		}
	}
}

// TestPlainAddressAgreesWithNetMail: the fast path accepts only what
// net/mail accepts unchanged.
func TestPlainAddressAgreesWithNetMail(t *testing.T) {
	t.Parallel()
	for _, e := range []string{"anna@example.com", "a.b-c+d@ex-ample.co.uk", "o'neil@example.com", "x@y.z",
		"a..b@example.com", ".a@example.com", "a.@example.com", "a b@example.com", "a\"b@example.com",
		"a(b)@example.com", "a@ex_ample.com", "a,b@example.com", "a;b@example.com", "a<b>@example.com",
		"łukasz@example.com", "a@exämple.com", "{x}|~@example.com", "a@-example.com"} {
		at := strings.LastIndexByte(e, '@')
		fast := plainAddress(e[:at], e[at+1:])
		a, err := mail.ParseAddress(e)
		slow := err == nil && a.Address == e && a.Name == ""
		if fast && !slow {
			t.Errorf("%q: the fast path accepts what net/mail refuses", e)
		}
	}
}

// TestLostPlusAgreesWithItsRegexp: the hand-written check is the pattern
// it replaced.
func TestLostPlusAgreesWithItsRegexp(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^[1-9]\d{7,14}$`)
	for _, v := range []string{"447700900123", "0447700900123", "4477009", "44770090", "123456789012345", "1234567890123456",
		"4477 0090 0123", "+447700900123", "44770090012a", "", "٤٤٧٧٠٠٩٠٠١٢٣"} {
		if got, want := lostPlus(v), re.MatchString(v); got != want {
			t.Errorf("lostPlus(%q) = %v, the regexp says %v", v, got, want)
		}
	}
}
