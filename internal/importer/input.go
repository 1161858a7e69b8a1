package importer

import (
	"context"
	"io"

	"github.com/intake/intake/internal/store"
)

// Records is an Input over records held in memory: a bulk request.
type Records []Record

// Open implements Input. Each cursor hands out copies of the records'
// field maps, because the pipeline cleans them in place.
func (rs Records) Open(context.Context) (Cursor, error) { return &recordCursor{recs: rs}, nil }

type recordCursor struct {
	recs Records
	i    int
}

func (c *recordCursor) Next() (Record, error) {
	if c.i >= len(c.recs) {
		return Record{}, io.EOF
	}
	r := c.recs[c.i]
	c.i++
	fields := make(map[string]string, len(r.Fields))
	for k, v := range r.Fields {
		fields[k] = v
	}
	r.Fields = fields
	return r, nil
}

func (c *recordCursor) Close() error { return nil }

// Collect is a Sink that keeps the items of the last pass, for a caller
// that answers with every record's outcome (a bulk request). It writes
// nothing itself.
type Collect struct{ Items []*Item }

// Commit implements Sink. A chunk starting at record 0 begins a new pass
// (after an all-or-nothing rejection the records are reported again).
func (c *Collect) Commit(_ context.Context, _ store.Tx, ch Chunk) error {
	if ch.From == 0 {
		c.Items = nil
	}
	c.Items = append(c.Items, ch.Items...)
	return nil
}
