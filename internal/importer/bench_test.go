package importer_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/testdb"
)

// BenchmarkBulkImport1000 measures one synchronous 1000-record upsert, the
// bulk endpoint's unit of work, on each store: new contacts ("create") and a
// re-import of the same records ("unchanged", which writes nothing).
func BenchmarkBulkImport1000(b *testing.B) {
	ctx := context.Background()
	for _, be := range testdb.Backends(b) {
		s := be.Open(b)
		tn, err := s.EnsureTenant(ctx, "bench")
		if err != nil {
			b.Fatal(err)
		}
		eng := &importer.Engine{Store: s, Region: "NL"}
		batch := func(n int) []importer.Record {
			recs := make([]importer.Record, 1000)
			for i := range recs {
				recs[i] = importer.Record{Row: i, Fields: map[string]string{
					"email": fmt.Sprintf("user%d.%d@example.com", n, i), "first_name": "Anna", "last_name": "Müller",
					"phone": "06-12345678", "company": "Acme, BV", "city": "Zürich", "country": "CH",
					"customer_number": fmt.Sprintf("C%d-%d", n, i), "tags": "vip,lead"}}
			}
			return recs
		}
		o := intake.DefaultSpec()
		b.Run(be.Name+"/create", func(b *testing.B) {
			n := 0
			for b.Loop() {
				n++
				res, err := importRecs(ctx, eng, tn.ID, o, batch(n))
				if err != nil || res.Created != 1000 {
					b.Fatalf("%+v %v", res, err)
				}
			}
			b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "rows/s")
		})
		b.Run(be.Name+"/unchanged", func(b *testing.B) {
			recs := batch(-1)
			if _, err := importRecs(ctx, eng, tn.ID, o, recs); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				res, err := importRecs(ctx, eng, tn.ID, o, recs)
				if err != nil || res.Updated != 1000 {
					b.Fatalf("%+v %v", res, err)
				}
			}
			b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
