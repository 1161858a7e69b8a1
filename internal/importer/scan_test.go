package importer_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/testdb"
)

// memScans is a ScanStore in memory.
type memScans struct{ data []byte }

func (m *memScans) LoadScan(context.Context) ([]byte, bool, error) { return m.data, m.data != nil, nil }
func (m *memScans) SaveScan(_ context.Context, b []byte) error     { m.data = b; return nil }

// countingInput counts the records read through it.
type countingInput struct {
	importer.Records
	reads int
}

func (c *countingInput) Open(ctx context.Context) (importer.Cursor, error) {
	cur, err := c.Records.Open(ctx)
	return &countingCursor{Cursor: cur, n: &c.reads}, err
}

type countingCursor struct {
	importer.Cursor
	n *int
}

func (c *countingCursor) Next() (importer.Record, error) {
	r, err := c.Cursor.Next()
	if err == nil {
		*c.n++
	}
	return r, err
}

// TestStopAndResumeWithoutRescan stops a run after its first chunk (as a
// shutdown does), then resumes it: the chunk in flight committed, the
// resumed run reads the input once (no second duplicate scan from the
// start), and the duplicate verdicts and counts are those of one
// uninterrupted run. Regression: every attempt scanned the whole file again.
func TestStopAndResumeWithoutRescan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testdb.OpenSQLite(t)
	var recs importer.Records
	for i := range 10 {
		email := fmt.Sprintf("u%d@example.com", i)
		if i == 8 {
			email = "U1@example.com" // the last of u1's rows wins (use_last): row 2 is skipped after the checkpoint
		}
		recs = append(recs, importer.Record{Row: i + 2, Fields: map[string]string{"email": email}})
	}
	eng := &importer.Engine{Store: st, ChunkSize: 3}
	spec := intake.DefaultSpec()

	// An uninterrupted run, for the expected counts.
	var want importer.Counts
	{
		res, err := eng.Run(ctx, newTenant(t, st), spec, recs, &importer.Collect{}, importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		want = res.Counts
	}

	tenant := newTenant(t, st)
	scans := &memScans{}
	in := &countingInput{Records: recs}
	stop := make(chan struct{})
	var done importer.Counts
	_, err := eng.Run(ctx, tenant, spec, in, &importer.Collect{}, importer.Options{Scans: scans, Stop: stop,
		Committed: func(ch importer.Chunk) { done = ch.Counts; close(stop) }})
	if !errors.Is(err, importer.ErrStopped) || done.Rows != 3 {
		t.Fatalf("stopped run: err %v, committed %+v; want ErrStopped after 3 rows", err, done)
	}
	if scans.data == nil {
		t.Fatal("the duplicate scan was not kept")
	}
	in.reads = 0
	res, err := eng.Run(ctx, tenant, spec, in, &importer.Collect{}, importer.Options{Scans: scans, Resume: done})
	if err != nil {
		t.Fatal(err)
	}
	if in.reads != len(recs) {
		t.Fatalf("the resumed run read %d records, want %d (one pass, no rescan)", in.reads, len(recs))
	}
	if res.Counts != want || res.Total != len(recs) {
		t.Fatalf("resumed counts %+v (total %d), uninterrupted %+v", res.Counts, res.Total, want)
	}
	if want.Skipped != 1 || want.Created != 9 {
		t.Fatalf("uninterrupted: %+v, want 9 created and 1 duplicate skipped", want)
	}
}
