package importer

import (
	"strings"
	"unicode"
)

// A full name is split into first and last name only where the split is
// unambiguous: "Smit, Ann" (a comma says which is which) and "Ann Smit"
// (two plain words). "Anouk de Vries", "Dr. Ann Smit", "Mary Ann Smit" or
// "Ann" could be cut more than one way, so they stay whole in name.

// nameParticles are words that belong to a surname ("de Vries", "van
// Dijk", "von Trapp", "da Silva"): a name with one is not split.
var nameParticles = map[string]bool{"de": true, "den": true, "der": true, "van": true, "von": true, "da": true, "di": true,
	"del": true, "della": true, "la": true, "le": true, "du": true, "dos": true, "das": true, "do": true, "ter": true,
	"ten": true, "bin": true, "ibn": true, "al": true, "mac": true, "st": true, "y": true, "e": true}

// splitName returns the first and last name of a full name, or "" and ""
// when the split is not unambiguous.
func splitName(full string) (first, last string) {
	full = strings.TrimSpace(full)
	if before, after, ok := strings.Cut(full, ","); ok && !strings.Contains(after, ",") {
		before, after = strings.TrimSpace(before), strings.TrimSpace(after)
		if plainWords(before, 2) && plainWords(after, 1) && len(strings.Fields(after)) == 1 {
			return after, before
		}
		return "", ""
	}
	words := strings.Fields(full)
	if len(words) != 2 || !plainWords(full, 2) {
		return "", ""
	}
	return words[0], words[1]
}

// plainWords reports whether s is 1 to max words of letters (a hyphen or
// an apostrophe inside), none a surname particle, each capitalised.
func plainWords(s string, max int) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > max {
		return false
	}
	for _, w := range words {
		rs := []rune(w)
		if nameParticles[strings.ToLower(w)] || !unicode.IsUpper(rs[0]) || len(rs) < 2 {
			return false
		}
		for _, r := range rs {
			if !unicode.IsLetter(r) && r != '-' && r != '\'' && r != '’' {
				return false
			}
		}
	}
	return true
}
