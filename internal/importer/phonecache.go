package importer

import (
	"strings"
	"sync"
)

// Phone parsing is most of the importer's CPU (libphonenumber's Parse is
// regexp-bound, ~35 µs a number, and IsValidNumber ~10 µs more), and the
// same numbers come back: a company's switchboard on every employee, a
// re-import of a file, a sync client sending the same records. So the
// outcome of parsing a plain number (digits and the separators people
// type, nothing libphonenumber could read as an extension, a letter or a
// second number) is cached by (region, the number's digits), where two
// spellings of one number ("(020) 676 7544", "020-6767544") share an
// entry.
//
// The cache holds at most 2×phoneCacheSize entries (~100 bytes each, so
// ~13 MiB): when the current generation is full it becomes the old one and
// the one before is dropped; a hit in the old generation moves forward.

const phoneCacheSize = 1 << 16

// phoneOutcome is what phone() decided for a number, without the raw
// value its messages quote.
type phoneOutcome struct {
	kind phoneKind
	out  string // phoneValid: E.164; phoneAmbiguous: the reading in the region
	alt  string // phoneAmbiguous: the reading with a +
}

type phoneKind uint8

const (
	phoneValid phoneKind = iota
	phoneInvalid
	phoneAmbiguous
)

type phoneCache struct {
	mu       sync.Mutex
	cur, old map[string]phoneOutcome
}

var phones = &phoneCache{cur: map[string]phoneOutcome{}}

func (c *phoneCache) get(key string) (phoneOutcome, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if o, ok := c.cur[key]; ok {
		return o, true
	}
	o, ok := c.old[key]
	if ok {
		c.putLocked(key, o)
	}
	return o, ok
}

func (c *phoneCache) put(key string, o phoneOutcome) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(key, o)
}

func (c *phoneCache) putLocked(key string, o phoneOutcome) {
	if len(c.cur) >= phoneCacheSize {
		c.old, c.cur = c.cur, make(map[string]phoneOutcome, phoneCacheSize/4)
	}
	c.cur[key] = o
}

// len is the entries held, for tests.
func (c *phoneCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cur) + len(c.old)
}

// phoneKey is the cache key of a plain number v in region, or "" when v
// is not plain and must go to libphonenumber as written. The key keeps a
// leading + and whether v was digits only: a digits-only cell may have
// lost its + (see phone), one with separators is not read that way.
func phoneKey(region, v string) string {
	var b [48]byte
	k := append(b[:0], region...)
	k = append(k, ':')
	digitsOnly := true
	digits := 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			k = append(k, c)
			digits++
		case c == '+' && i == 0:
			k = append(k, c)
			digitsOnly = false
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
			digitsOnly = false
		default:
			return ""
		}
		if len(k) >= len(b)-1 {
			return "" // longer than any number: let the parser say so
		}
	}
	if digits == 0 {
		return ""
	}
	if digitsOnly {
		k = append(k, 'd')
	}
	return string(k)
}

// tooFewDigits is the cheap pre-check before libphonenumber: a plain
// number of fewer than 4 digits (with its country code) is no valid number
// anywhere, so it is refused without parsing. Its key is region:digits.
func tooFewDigits(key string) bool {
	n := 0
	for i := strings.IndexByte(key, ':') + 1; i < len(key); i++ {
		if key[i] >= '0' && key[i] <= '9' {
			n++
		}
	}
	return n < 4
}
