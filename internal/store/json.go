package store

import (
	"encoding/json"
	"fmt"

	"github.com/intake/intake"
)

// EncodeJSONColumns renders a contact's list and map fields as the JSON text
// both stores keep them in (SQLite TEXT, PostgreSQL jsonb).
func EncodeJSONColumns(c *intake.Contact) (tags, custom, alternates string) {
	t, _ := json.Marshal(nonNil(c.Tags))
	cu := []byte("{}")
	if len(c.Custom) > 0 {
		cu, _ = json.Marshal(c.Custom)
	}
	a := []byte("[]")
	if len(c.Alternates) > 0 {
		a, _ = json.Marshal(c.Alternates)
	}
	return string(t), string(cu), string(a)
}

// DecodeJSONColumns is the inverse of EncodeJSONColumns.
func DecodeJSONColumns(c *intake.Contact, tags, custom, alternates string) error {
	if err := json.Unmarshal([]byte(tags), &c.Tags); err != nil {
		return fmt.Errorf("decode tags: %w", err)
	}
	if custom != "" && custom != "{}" {
		if err := json.Unmarshal([]byte(custom), &c.Custom); err != nil {
			return fmt.Errorf("decode custom: %w", err)
		}
	}
	if alternates != "" && alternates != "[]" {
		if err := json.Unmarshal([]byte(alternates), &c.Alternates); err != nil {
			return fmt.Errorf("decode alternates: %w", err)
		}
	}
	if len(c.Tags) == 0 {
		c.Tags = []string{}
	}
	return nil
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
