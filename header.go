package intake

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The header model reads a column header as an exporter's prefix, a field
// concept and qualifiers, in any order and any of the vocabulary's
// languages: "Person - Email - Work" is email of kind work, "Home Address 1
// City" the city of the address group "home 1", "Téléphone mobile" a phone
// of kind mobile, "LANDLINE_NUMBER" a phone. The words are data
// (vocabulary.txt and synonyms.txt); this file only knows how a header is
// cut into them. Which column of a file becomes the primary field and
// which an alternate is decided per file, by the importer.

//go:embed vocabulary.txt
var vocabularyText string

// vocab is vocabularyText parsed, with synonyms.txt's names as phrases.
var vocab = mustParseVocabulary(vocabularyText)

// phrase is one concept phrase: its field, whether a stronger concept in
// the same header wins over it, and the kind it says by itself.
type phrase struct {
	field string
	weak  bool
	kind  string
}

// vocabulary is the header model's data.
type vocabulary struct {
	phrases map[string]phrase // folded phrase, spaces removed → concept
	kinds   map[string]string // folded word, spaces removed → kind
	noise   map[string]bool   // folded word → filler
	longest int               // the most words of a phrase
}

// HeaderMeaning is what the header model reads in a header.
type HeaderMeaning struct {
	// Field is the concept's field: email, phone, city, … For an
	// alternate it is still the primary field (email), with Kind set.
	Field string
	// Kind is the qualifier that chooses an alternate's kind or an
	// address's group: work, home, mobile, other, mailing, billing, …;
	// "" for none. Primary is set by "primary", "main" and their kin.
	Kind    string
	Primary bool
	// Number is a numbering in the header (Email 2, Address 1 City); 0
	// for none.
	Number int
	// Group names the address a part belongs to ("home 1"; "" for the
	// unqualified one). Set for address parts only.
	Group string
	// Confidence is how sure the header alone is, 0–1: 1 for a field's
	// own name or a whole phrase, less for a weak phrase or a concept
	// found among prefix and filler words.
	Confidence float64
}

// AddressParts are the fields of one postal address.
var AddressParts = map[string]bool{FieldAddress: true, FieldCity: true, FieldPostalCode: true, FieldState: true, FieldCountry: true}

// ParseHeader reads header with the header model. ok is false when no
// concept is found, or when a word is left over that is neither a
// qualifier nor filler ("Email Opt Out", "Middle Name", "Phone Country
// Code"): such a column is not guessed.
func ParseHeader(header string) (m HeaderMeaning, ok bool) {
	words := HeaderWords(header)
	if len(words) == 0 {
		return m, false
	}
	start, end, p, found := vocab.bestSpan(words)
	if !found {
		return m, false
	}
	m.Field, m.Kind = p.field, p.kind
	m.Confidence = 1
	if p.weak {
		m.Confidence = 0.8
	}
	var kinds []string
	for i, w := range words {
		if i < start || i >= end {
			if !vocab.leftover(w, p.field, &m, &kinds) {
				return HeaderMeaning{}, false
			}
			m.Confidence -= 0.02
			continue
		}
		// Inside a phrase ("Mailing Zip/Postal Code", "Address 1 - City",
		// "Mobile Phone Number"): its numbers and qualifier words count,
		// unless the word is the concept itself ("Postal").
		if _, err := strconv.Atoi(w); err == nil {
			vocab.leftover(w, p.field, &m, &kinds)
		} else if k := vocab.kinds[w]; k != "" && (vocab.phrases[w].field != p.field || vocab.phrases[w].kind != "") {
			vocab.leftover(w, p.field, &m, &kinds)
		}
	}
	if AddressParts[m.Field] {
		g := kinds
		if m.Number > 1 { // "Address 1 City" is the address of "Address City"
			g = append(g, strconv.Itoa(m.Number))
		}
		m.Group = strings.Join(g, " ")
	}
	return m, true
}

// leftover classifies a word outside the concept: a number, a kind, a
// filler word, or a word of the same concept ("Zip" in "Zip/Postal
// Code"). Any other word means the header is something else.
func (v *vocabulary) leftover(w, field string, m *HeaderMeaning, kinds *[]string) bool {
	if n, err := strconv.Atoi(w); err == nil {
		if m.Number == 0 && n < 1000 {
			m.Number = n
		}
		return true
	}
	if k, ok := v.kinds[w]; ok {
		switch {
		case k == "primary":
			m.Primary = true
		case m.Kind == "" || m.Kind == "other": // "Alternate email (work)" is a work email
			m.Kind = k
		}
		*kinds = append(*kinds, k)
		return true
	}
	if v.noise[w] {
		return true
	}
	p, ok := v.phrases[w]
	return ok && (p.field == field || p.weak)
}

// bestSpan finds the concept phrase among words: a strong phrase over a
// weak one, then not a qualifier word ("Telefon Firma" is a phone of kind
// work), then a part of an address over its street ("Home Address 1 Zip"
// is a postal code), then the most words, then the last.
func (v *vocabulary) bestSpan(words []string) (start, end int, best phrase, found bool) {
	score := -1
	for i := range words {
		for j := i + 1; j <= len(words) && j-i <= v.longest; j++ {
			p, ok := v.phrases[strings.Join(words[i:j], "")]
			if !ok {
				continue
			}
			s := j - i
			if !p.weak {
				s += 100
			}
			if _, isKind := v.kinds[strings.Join(words[i:j], "")]; !isKind {
				s += 10
			}
			if AddressParts[p.field] && p.field != FieldAddress {
				s += 5 // a city, a postal code, … of an address, not its street
			}
			if s >= score {
				score, start, end, best, found = s, i, j, p, true
			}
		}
	}
	return start, end, best, found
}

// HeaderWords folds a header into its words: lower case, accents gone,
// camelCase and snake_case split, letters and digits apart ("Address1" is
// address 1), punctuation a separator.
func HeaderWords(h string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	rs := []rune(norm.NFD.String(strings.TrimSpace(h)))
	for i, r := range rs {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'ß':
			cur = append(cur, 's', 's')
			continue
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
			continue
		}
		if len(cur) > 0 {
			prev := cur[len(cur)-1]
			switch {
			case unicode.IsDigit(r) != unicode.IsDigit(prev):
				flush()
			case unicode.IsUpper(r) && i > 0 && unicode.IsLower(rs[i-1]):
				flush() // firstName
			case unicode.IsUpper(r) && i+1 < len(rs) && unicode.IsLower(rs[i+1]) && i > 0 && unicode.IsUpper(rs[i-1]):
				flush() // EMailAddress: E | Mail
			}
		}
		cur = append(cur, unicode.ToLower(r))
	}
	flush()
	return words
}

// parseVocabulary reads vocabulary.txt's lines (see its header comment)
// and adds synonyms' names as phrases.
func parseVocabulary(text string, synonyms map[string][]string) (*vocabulary, error) {
	v := &vocabulary{phrases: map[string]phrase{}, kinds: map[string]string{}, noise: map[string]bool{}}
	addPhrase := func(s string, p phrase) {
		words := HeaderWords(s)
		k := strings.Join(words, "")
		if k == "" {
			return
		}
		if _, taken := v.phrases[k]; !taken {
			v.phrases[k] = p
			v.longest = max(v.longest, len(words))
		}
	}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		head, list, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("vocabulary.txt line %d: want `field: phrase | phrase`", i+1)
		}
		head = strings.TrimSpace(head)
		for _, item := range strings.Split(list, "|") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			switch kind, isKind := strings.CutPrefix(head, "kind "); {
			case isKind:
				v.kinds[strings.Join(HeaderWords(item), "")] = strings.TrimSpace(kind)
			case head == "noise":
				v.noise[strings.Join(HeaderWords(item), "")] = true
			default:
				p := phrase{field: head}
				item, p.kind, _ = strings.Cut(item, "=")
				item, p.weak = strings.CutSuffix(strings.TrimSpace(item), "~")
				addPhrase(item, p)
			}
		}
	}
	for _, f := range ContactFields {
		addPhrase(f.Name, phrase{field: f.Name})
	}
	for field, names := range synonyms {
		p := phrase{field: field}
		if a, ok := alternateField(field); ok {
			p = phrase{field: map[string]string{"email": FieldEmail, "phone": FieldPhone, "address": FieldAddress}[a.Alternate], kind: a.Kind}
		}
		if _, known := fieldIndex[p.field]; !known {
			continue
		}
		for _, n := range names {
			addPhrase(n, p)
		}
	}
	return v, nil
}

func mustParseVocabulary(text string) *vocabulary {
	v, err := parseVocabulary(text, synonyms)
	if err != nil {
		panic(err)
	}
	return v
}
