package importer

import "testing"

// TestIDRank: a column is a collection's key by what its name means, not
// by a fixed list of names.
func TestIDRank(t *testing.T) {
	for _, tc := range []struct {
		coll, name string
		want       int
	}{
		{"charges", "id", 0},
		{"item", "sku", 0},
		{"notes", "UUID", 0},
		{"charges", "charge_id", 1},
		{"charges", "chargeID", 1},
		{"item", "item_reference", 1},
		{"plans", "external_ref", 2},
		{"asset", "AssetSerial", 1},
		{"orders", "invoice_number", 3},
		{"item", "product_code", 3},
		{"contacts", "phone_number", -1},
		{"addresses", "zip_code", -1},
		{"charges", "amount", -1},
		{"charges", "description", -1},
		{"charges", "paid", -1},
		{"notes", "valid", -1}, // ends in "id" as letters, not as a word
	} {
		if got := idRank(tc.coll, tc.name); got != tc.want {
			t.Errorf("idRank(%q, %q) = %d, want %d", tc.coll, tc.name, got, tc.want)
		}
	}
}
