package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
)

// syncPhase sends calls 1,000-record creates per client from clients
// goroutines at once (after one warm-up call each, not timed) and reports
// the calls' p50 and p99. Every call must create its 1,000 contacts.
func syncPhase(ctx context.Context, srv *server, store string, clients, calls int) (result, error) {
	res := result{name: fmt.Sprintf("%s: sync 1,000-record call, %d client(s)", store, clients), sync: true}
	for cl := range clients {
		if _, err := syncCall(ctx, srv, fmt.Sprintf("warm%d-%d", clients, cl)); err != nil {
			return res, err
		}
	}
	srv.resetPeak()
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for cl := range clients {
		wg.Go(func() {
			for i := range calls {
				d, err := syncCall(ctx, srv, fmt.Sprintf("c%d-%d-%d", clients, cl, i))
				mu.Lock()
				lat = append(lat, d)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	res.elapsed, res.rows, res.rss = time.Since(start), len(lat)*1000, srv.peakRSS()
	slices.Sort(lat)
	res.p50, res.p99 = percentile(lat, 50), percentile(lat, 99)
	res.check = fmt.Sprintf("%d calls ✔", len(lat))
	if firstErr != nil {
		res.check = "✘"
	}
	return res, firstErr
}

func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[min(max(i-1, 0), len(sorted)-1)]
}

type bulkAnswer struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
	Skipped int `json:"skipped"`
}

// syncCall creates 1,000 new contacts in one call, the shape of
// BenchmarkBulkImport1000's records, and checks all were created.
func syncCall(ctx context.Context, srv *server, tag string) (time.Duration, error) {
	recs := make([]map[string]string, 1000)
	for i := range recs {
		recs[i] = map[string]string{
			"email": fmt.Sprintf("sync.%s.%d@example.com", tag, i), "first_name": "Anna", "last_name": "Müller",
			"phone": "06-12345678", "company": "Acme, BV", "city": "Zürich", "country": "CH",
			"customer_number": fmt.Sprintf("S%s-%d", tag, i), "tags": "vip,lead"}
	}
	body, err := json.Marshal(map[string]any{"records": recs, "mode": "upsert"})
	if err != nil {
		return 0, fmt.Errorf("sync body: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.base+"/api/v1/bulk-import/contacts", bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("sync call: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	var ans bulkAnswer
	start := time.Now()
	err = srv.do(req, &ans)
	d := time.Since(start)
	if err == nil && ans.Created != 1000 {
		err = fmt.Errorf("sync call %s: created %d/updated %d/skipped %d, want 1000 created", tag, ans.Created, ans.Updated, ans.Skipped)
	}
	return d, err
}
