package storetest

import (
	"context"
	"testing"

	"github.com/intake/intake"
)

// testSettings checks that a tenant's settings start empty, round-trip,
// and stay the tenant's own.
func testSettings(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, b := setup(t, open)
	if got, err := s.Settings(ctx, a.ID); err != nil || got != (intake.Settings{}) {
		t.Fatalf("fresh settings = %+v, %v; want zero", got, err)
	}
	if err := s.SaveSettings(ctx, a.ID, intake.Settings{Region: "DE"}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Settings(ctx, a.ID); err != nil || got.Region != "DE" {
		t.Fatalf("settings = %+v, %v; want region DE", got, err)
	}
	if got, err := s.Settings(ctx, b.ID); err != nil || got.Region != "" {
		t.Fatalf("other tenant's settings = %+v, %v; want untouched", got, err)
	}
	if err := s.SaveSettings(ctx, a.ID, intake.Settings{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Settings(ctx, a.ID); got.Region != "" {
		t.Fatalf("cleared region = %q", got.Region)
	}
	if _, err := s.Settings(ctx, 1<<40); intake.ErrorCode(err) != intake.ENOTFOUND {
		t.Fatalf("settings of no tenant: err = %v, want not found", err)
	}
	if err := s.SaveSettings(ctx, 1<<40, intake.Settings{Region: "DE"}); intake.ErrorCode(err) != intake.ENOTFOUND {
		t.Fatalf("save settings of no tenant: err = %v, want not found", err)
	}
}
