package copernica

import (
	"testing"

	"github.com/intake/intake/internal/dialect"
)

func TestFollowupsAndRebuild(t *testing.T) {
	tests := []struct {
		name               string
		in                 dialect.Params
		followups, rebuild bool
	}{
		{"off by default", params(), false, false},
		{"followups sends the record webhooks", params("followups", "true"), true, false},
		{"rebuild rebuilds the selections", params("rebuild", "1"), false, true},
		{"both, as the PHP client sends them", params("followups", "1", "rebuild", "true"), true, true},
		{"false is false", params("followups", "false", "rebuild", "0"), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := Translate(dialect.Request{Params: tt.in, HasFile: true})
			req := tr.ImportRequest
			if err != nil {
				t.Fatal(err)
			}
			if req.Spec.Followups != tt.followups || req.Spec.Rebuild != tt.rebuild {
				t.Fatalf("followups %v rebuild %v, want %v %v", req.Spec.Followups, req.Spec.Rebuild, tt.followups, tt.rebuild)
			}
		})
	}
}
