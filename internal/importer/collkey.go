package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/intake/intake"
)

// A collection made on first use (Plannr's charges, PackageX's items)
// needs key fields, or every re-sent file adds its rows again. When the
// import names none, they are inferred from the columns: a column named
// like an id (idRank), or failing that the record's whole content, so a
// row sent twice is found again (collDef.key). The job's warnings say
// which.

// idWords end a field name that identifies a record by meaning: charge_id,
// itemUUID, sku, asset_serial, order_reference.
var idWords = map[string]bool{"id": true, "uuid": true, "guid": true, "sku": true, "ref": true, "reference": true,
	"identifier": true, "serial": true, "barcode": true, "ean": true, "upc": true, "isbn": true, "key": true}

// weakIDWords end a name that is an id only when nothing about it says
// otherwise: invoice_number, item_code, but not phone_number or zip_code.
var weakIDWords = map[string]bool{"number": true, "no": true, "nr": true, "num": true, "code": true}

// notIDWords are the words that make a number or code a contact detail
// or an amount, not a record's identity.
var notIDWords = map[string]bool{"phone": true, "mobile": true, "fax": true, "postal": true, "zip": true, "post": true,
	"country": true, "currency": true, "house": true, "street": true, "tax": true, "vat": true, "area": true, "discount": true}

// nameWords splits a field name into lower-case words at _, spaces,
// digits-to-letters and camelCase (chargeID → charge id).
func nameWords(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
			continue
		case i > 0 && unicode.IsUpper(r) && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])):
			flush()
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

// idRank says how surely a field name identifies a record: 0 a bare id
// (id, uuid, sku), 1 the collection's own id (charge_id in charges), 2
// another name ending in an id word, 3 a number or code that is no contact
// detail; -1 not an id.
func idRank(collection, name string) int {
	w := nameWords(name)
	if len(w) == 0 {
		return -1
	}
	last := w[len(w)-1]
	switch {
	case len(w) == 1 && idWords[last]:
		return 0
	case idWords[last] && strings.HasPrefix(strings.ToLower(collection), w[0]):
		return 1
	case idWords[last]:
		return 2
	case weakIDWords[last] && len(w) > 1 && !slices.ContainsFunc(w, func(s string) bool { return notIDWords[s] }):
		return 3
	}
	return -1
}

// inferKey picks the key of a collection made on first use from the
// fields the mapping gives it: the most id-like one, or else the whole
// content. It returns the job's warning.
func inferKey(c *intake.Collection, mapping map[string]string) string {
	best, rank := "", 4
	for _, f := range slices.Sorted(maps.Values(mapping)) {
		if f == "" || intake.IsLink(f) {
			continue
		}
		if r := idRank(c.Name, f); r >= 0 && r < rank {
			best, rank = f, r
		}
	}
	if best != "" {
		c.KeyFields = []string{best}
		return fmt.Sprintf("Collection %s had no key fields: its records are keyed by %s, a column named like an id, so sending the file again updates them instead of adding them twice.", c.Name, best)
	}
	c.ContentKey = true
	return fmt.Sprintf("Collection %s had no key fields and no column is named like an id: each record is identified by its whole content, so sending the same rows again adds nothing, and mode update cannot find records. %s", c.Name, setKeyHelp(c.Name))
}

// setKeyHelp says how a collection gets key fields.
func setKeyHelp(name string) string {
	return fmt.Sprintf("To key it, send match_fields naming an id column on its first import, or PATCH /api/v1/collections/%s {\"key_fields\": [\"…\"]} while it has no records.", name)
}

// contentKey identifies a record by every value it has (names sorted):
// a hash, so the stored key stays short whatever the row holds.
func contentKey(vals map[string]string) string {
	if len(vals) == 0 {
		return ""
	}
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		fmt.Fprintf(h, "%s\x1f%s\x1e", strings.ToLower(k), vals[k])
	}
	return "content:" + hex.EncodeToString(h.Sum(nil)[:16])
}
