package imports

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/testdb"
)

var benchTenants atomic.Int64

// BenchmarkJobRecording measures what recording for undo costs: the same
// 20,000-row job with the tenant's recording on and off, as a create into an
// empty tenant and as an upsert that changes every row of a tenant that
// has them (the before and after images). Run with -count to interleave
// on and off, and compare medians.
func BenchmarkJobRecording(b *testing.B) {
	const rows = 20000
	content, _, _, _ := contactsCSV(rows)
	changed := strings.ReplaceAll(content, "Zürich", "Basel")
	ctx := context.Background()
	for _, be := range testdb.Backends(b) {
		s := be.Open(b)
		for _, shape := range []string{"create", "update"} {
			for _, rec := range []string{"on", "off"} {
				b.Run(fmt.Sprintf("%s/%s/record=%s", be.Name, shape, rec), func(b *testing.B) {
					bn := setup(b, s)
					bn.svc.Engine.ChunkSize = 2000
					for b.Loop() {
						b.StopTimer()
						tn, err := s.EnsureTenant(ctx, fmt.Sprintf("bench-recording-%d", benchTenants.Add(1)))
						if err != nil {
							b.Fatal(err)
						}
						bn.tenant = tn.ID
						if err := s.SaveSettings(ctx, tn.ID, intake.Settings{UndoDisabled: rec == "off"}); err != nil {
							b.Fatal(err)
						}
						file := content
						if shape == "update" {
							seed := bn.newImport(b, content, nil)
							if err := bn.svc.Run(ctx, bn.tenant, seed.ID); err != nil {
								b.Fatal(err)
							}
							file = changed
						}
						im := bn.newImport(b, file, nil)
						b.StartTimer()
						if err := bn.svc.Run(ctx, bn.tenant, im.ID); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
				})
			}
		}
	}
}
