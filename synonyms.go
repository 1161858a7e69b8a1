package intake

import (
	_ "embed"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
)

// synonymsText is the header vocabulary: which header names mean which
// field, kept as data so that adding an exporter's or a language's names is
// an edit to synonyms.txt, not to code.
//
//go:embed synonyms.txt
var synonymsText string

// synonyms is synonymsText parsed: field name → its synonyms in file order.
var synonyms = mustParseSynonyms(synonymsText)

// parseSynonyms reads `field: a | b | c` lines; # starts a comment line.
func parseSynonyms(text string) (map[string][]string, error) {
	out := map[string][]string{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		field, names, ok := strings.Cut(line, ":")
		field = strings.TrimSpace(field)
		if !ok || field == "" {
			return nil, fmt.Errorf("synonyms.txt line %d: want `field: name | name`", i+1)
		}
		for _, n := range strings.Split(names, "|") {
			if n = strings.TrimSpace(n); n != "" && !slices.Contains(out[field], n) {
				out[field] = append(out[field], n)
			}
		}
	}
	return out, nil
}

func mustParseSynonyms(text string) map[string][]string {
	m, err := parseSynonyms(text)
	if err != nil {
		panic(err)
	}
	return m
}

// withSynonyms sets each field's Synonyms from synonyms.txt.
func withSynonyms(fields []Field) []Field {
	for i := range fields {
		fields[i].Synonyms = synonyms[fields[i].Name]
	}
	return fields
}

// SynonymFields yields the field names synonyms.txt gives synonyms for.
func SynonymFields() iter.Seq[string] { return maps.Keys(synonyms) }
