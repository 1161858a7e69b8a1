package importer

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/intake/intake"
)

// sampleRecords are rows shaped as `intake sample --messy` writes them:
// phones in international and national formats, countries of several
// regions, tags, an occasional invalid email.
func sampleRecords(n int) []Record {
	r := rand.New(rand.NewPCG(42, 42))
	countries := []string{"NL", "DE", "FR", "ES", "IT", "PL", "PT", "NO", "CZ", "AT", "CH"}
	recs := make([]Record, n)
	for i := range recs {
		phone := fmt.Sprintf("+31 6 %d", 10000000+r.IntN(89999999))
		switch y := r.Float64(); {
		case y < 0.3:
			phone = fmt.Sprintf("06-%d", 10000000+r.IntN(89999999))
		case y < 0.4:
			phone = fmt.Sprintf("(020) %d %d", 100+r.IntN(899), 1000+r.IntN(8999))
		}
		email := fmt.Sprintf("anna.%d@example%d.com", i, i%97)
		if r.IntN(200) == 0 {
			email = fmt.Sprintf("anna.%d-at-example.com", i)
		}
		recs[i] = Record{Row: i + 2, Fields: map[string]string{
			"email": email, "first_name": "Anna", "last_name": "Müller", "phone": phone,
			"company": "Berg, BV", "city": "Zürich", "country": countries[r.IntN(len(countries))],
			"customer_number": fmt.Sprintf("C%08d", i), "tags": "vip,lead"}}
	}
	return recs
}

// BenchmarkPrepare1000 is the importer's per-row CPU without a database:
// the duplicate scan's key and the full normalisation of 1,000 sample rows.
// Run with -benchmem: allocations per op are per 1,000 rows.
// "unique-phones" gives every row of every op a number not seen before
// (a first import: no parse is cached); "same-rows" imports the same
// 1,000 rows again (a re-import, a sync client resending records).
func BenchmarkPrepare1000(b *testing.B) {
	res := newContacts("NL", nil)
	spec := intake.DefaultSpec()
	recs := sampleRecords(1000)
	formats := []string{"+31 6 ", "06-", "(020) 6"}
	b.Run("unique-phones", func(b *testing.B) {
		b.ReportAllocs()
		next := 10_000_000 + rand.IntN(80_000_000)
		for b.Loop() {
			for i, rec := range recs {
				next++
				rec.Fields["phone"] = formats[i%len(formats)] + strconv.Itoa(next)
				res.Key(&spec, rec)
				res.Prepare(&spec, rec)
			}
		}
		b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("same-rows", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, rec := range recs {
				res.Key(&spec, rec)
				res.Prepare(&spec, rec)
			}
		}
		b.ReportMetric(float64(b.N*len(recs))/b.Elapsed().Seconds(), "rows/s")
	})
}
