package imports

import (
	"context"
	"strings"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/testdb"
)

// TestMappingsAreLearned: a person's mapping of a file is remembered and
// proposed for the next file with the same headers ("as in import N");
// a saved mapping is applied by name.
func TestMappingsAreLearned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be.Open(t))
			b.svc.Queue = enqueueOnly{}
			file := "Kundenkennung,Werk,Mail\nK1,Köln,a@x.de\nK2,Bonn,b@x.de\n"
			create := func(req intake.ImportRequest) (intake.Import, error) {
				up, err := b.svc.Save(ctx, b.tenant, strings.NewReader(file), "crm.csv", "")
				if err != nil {
					t.Fatal(err)
				}
				req.Spec, req.Autostart, req.Remap = intake.DefaultSpec(), true, true
				return b.create(ctx, up, req)
			}
			// Before anyone corrects it, Kundenkennung and Werk are not known.
			first, err := create(intake.ImportRequest{})
			if err != nil || first.Spec.Mapping["Kundenkennung"] != "" || first.Spec.Recognition.MappingSource != nil {
				t.Fatalf("first %v %+v", err, first.Spec.Mapping)
			}
			given, err := create(intake.ImportRequest{Columns: intake.ColumnMapping{ByHeader: map[string]string{"Kundenkennung": "customer_number", "Werk": "city"}}})
			if err != nil {
				t.Fatal(err)
			}
			again, err := create(intake.ImportRequest{})
			if err != nil {
				t.Fatal(err)
			}
			rec := again.Spec.Recognition
			if again.Spec.Mapping["Kundenkennung"] != "customer_number" || again.Spec.Mapping["Werk"] != "city" ||
				rec.MappingSource == nil || rec.MappingSource.ImportID != given.ID || rec.Columns[0].Reason != intake.ReasonRemembered ||
				rec.Columns[2].Reason != intake.ReasonRemembered {
				t.Fatalf("remembered: mapping %v, source %+v, columns %+v", again.Spec.Mapping, rec.MappingSource, rec.Columns)
			}

			if _, err := b.svc.SaveMapping(ctx, b.tenant, intake.SavedMapping{Name: "crm", Mapping: map[string]string{"Werk": "company", "Kundenkennung": "nope"}}); intake.ErrorCode(err) != intake.EINVALID {
				t.Fatalf("a target that is no field: %v", err)
			}
			if _, err := b.svc.SaveMapping(ctx, b.tenant, intake.SavedMapping{Name: "crm", Mapping: map[string]string{"Werk": "company", "Kundenkennung": "ignore"}}); err != nil {
				t.Fatal(err)
			}
			saved, err := create(intake.ImportRequest{MappingName: "crm"})
			if err != nil {
				t.Fatal(err)
			}
			rec = saved.Spec.Recognition
			if saved.Spec.Mapping["Werk"] != "company" || saved.Spec.Mapping["Kundenkennung"] != "" || rec.MappingSource == nil ||
				rec.MappingSource.Saved != "crm" || rec.Columns[1].Reason != intake.ReasonSaved {
				t.Fatalf("saved: mapping %v, source %+v, columns %+v", saved.Spec.Mapping, rec.MappingSource, rec.Columns)
			}
			if _, err := create(intake.ImportRequest{MappingName: "other"}); intake.ErrorCode(err) != intake.EINVALID {
				t.Fatalf("an unknown mapping name: %v", err)
			}
			list, err := b.svc.SavedMappings(ctx, b.tenant)
			if err != nil || len(list) != 1 || list[0].Name != "crm" {
				t.Fatalf("list %+v %v", list, err)
			}
			if err := b.svc.DeleteMapping(ctx, b.tenant, "crm"); err != nil {
				t.Fatal(err)
			}
			if err := b.svc.DeleteMapping(ctx, b.tenant, "crm"); intake.ErrorCode(err) != intake.ENOTFOUND {
				t.Fatalf("delete twice: %v", err)
			}
		})
	}
}
