package intake_test

import (
	"fmt"
	"testing"

	"github.com/intake/intake"
)

func TestParseChildren(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"safa.karim@packagex.xyz,Jamie Jones:::jamie@panysuhenko.com": "|safa.karim@packagex.xyz;Jamie Jones|jamie@panysuhenko.com;",
		"WeWork 01:::,WeWork 02:::":                                   "WeWork 01|;WeWork 02|;",
		" Ann ,, Bob:::BOB@Example.com ":                              "Ann|;Bob|bob@example.com;",
		"":                                                            "",
		":::":                                                         "",
	} {
		got := ""
		for _, c := range intake.ParseChildren(in) {
			got += fmt.Sprintf("%s|%s;", c.Name, c.Email)
		}
		if got != want {
			t.Errorf("ParseChildren(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestGroupValidate(t *testing.T) {
	t.Parallel()
	g := intake.Group{Name: " Staff ", Resource: "Locations", Location: " HQ "}
	if err := g.Validate(); err != nil || g.Name != "Staff" || g.Resource != "location" || g.Location != "HQ" {
		t.Errorf("%+v %v", g, err)
	}
	bad := intake.Group{Name: "", Resource: "team"}
	if err, ok := bad.Validate().(*intake.Error); !ok || len(err.Fields) != 2 {
		t.Errorf("bad group: %v", err)
	}
}
