package store

import (
	"encoding/json"
	"testing"
)

func TestChangeJSON(t *testing.T) {
	for _, c := range []struct {
		name string
		in   Change
		want string
	}{
		{"a preview's first bulk record keeps row 0", Change{Row: 0, Outcome: "created", Changes: []FieldChange{}},
			`{"outcome":"created","changes":[],"row":0}`},
		{"a finished import's entry names its record, without a row", Change{Kind: UndoContact, Outcome: "updated", RecordID: 7, Changes: []FieldChange{{Field: "city", Before: "A", After: "B"}}},
			`{"kind":"contact","outcome":"updated","record_id":7,"changes":[{"field":"city","before":"A","after":"B"}]}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(c.in)
			if err != nil || string(b) != c.want {
				t.Fatalf("got %s, %v; want %s", b, err, c.want)
			}
		})
	}
}
