package textus

import (
	"slices"
	"testing"

	"github.com/intake/intake"
)

// TestTranslate: the upload's rules, the same as the native TextUs shape:
// region US, match on phone when a column holds one, strict rows.
func TestTranslate(t *testing.T) {
	t.Parallel()
	req, f := translate([]string{"name", "phone_number", "email"}, nil)
	if f != nil {
		t.Fatalf("failure %+v", f)
	}
	if req.Spec.Region != "US" || !slices.Equal(req.Spec.MatchFields, []string{intake.FieldPhone}) ||
		req.Spec.InvalidFields != intake.InvalidFieldsSkipRow || !slices.Equal(req.Spec.Required, []string{intake.FieldName}) {
		t.Fatalf("spec %+v", req.Spec)
	}
	if _, f := translate([]string{"phone_number"}, nil); f == nil || f.Errors[0] != "Missing required headers: name." {
		t.Fatalf("without name: %+v", f)
	}
}
