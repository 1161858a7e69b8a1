package imports

import (
	"context"
	"fmt"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/testdb"
)

// BenchmarkJob runs a 20,000-row messy CSV import job end to end (read,
// pre-scan, normalise, decide, write, checkpoint) on each store, at several
// chunk sizes, and reports rows/s. DefaultChunkSize is chosen from it.
func BenchmarkJob(b *testing.B) {
	const rows = 20000
	content, _, _, _ := contactsCSV(rows)
	for _, be := range testdb.Backends(b) {
		for _, chunk := range []int{500, 2000, 5000} {
			b.Run(fmt.Sprintf("%s/chunk=%d", be.Name, chunk), func(b *testing.B) {
				s := be.Open(b)
				bn := setup(b, s)
				bn.svc.Engine.ChunkSize = chunk
				for b.Loop() {
					im := bn.newImport(b, content, func(im *intake.Import) {
						im.Spec.Mode = intake.ModeUpsert
					})
					if err := bn.svc.Run(context.Background(), bn.tenant, im.ID); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}
