package store

import (
	"encoding/json"
	"fmt"

	"github.com/intake/intake"
)

// ImportJSON holds an import's JSON-encoded columns, shared by both stores.
type ImportJSON struct {
	Options, Headers, Warnings string
}

// EncodeImport renders an import's structured fields as JSON text.
func EncodeImport(im *intake.Import) ImportJSON {
	o, _ := json.Marshal(storedSpec{ImportSpec: im.Spec, Undo: lifecycleOf(im)})
	h, _ := json.Marshal(nonNil(im.Headers))
	w, _ := json.Marshal(nonNil(im.Warnings))
	return ImportJSON{Options: string(o), Headers: string(h), Warnings: string(w)}
}

// DecodeImport is the inverse of EncodeImport.
func DecodeImport(im *intake.Import, j ImportJSON) error {
	var o storedSpec
	if err := json.Unmarshal([]byte(j.Options), &o); err != nil {
		return fmt.Errorf("import %d options: %w", im.ID, err)
	}
	im.Spec = o.ImportSpec
	o.Undo.apply(im)
	if err := json.Unmarshal([]byte(j.Headers), &im.Headers); err != nil {
		return fmt.Errorf("import %d headers: %w", im.ID, err)
	}
	if err := json.Unmarshal([]byte(j.Warnings), &im.Warnings); err != nil {
		return fmt.Errorf("import %d warnings: %w", im.ID, err)
	}
	if len(im.Warnings) == 0 {
		im.Warnings = nil
	}
	return nil
}

// EncodeValues renders a row's original values for storage.
func EncodeValues(v []string) string {
	b, _ := json.Marshal(nonNil(v))
	return string(b)
}

// DecodeValues is the inverse of EncodeValues.
func DecodeValues(s string) []string {
	var v []string
	json.Unmarshal([]byte(s), &v)
	return v
}
