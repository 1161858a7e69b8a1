package importer

import (
	"bufio"
	"cmp"
	"container/heap"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"sync"
)

// The duplicate scan's temporary files. Both are unlinked as soon as they
// are created, so a crash leaves nothing behind; the open descriptor keeps
// them readable until Close.

const hashRowSize = 12 // uint64 hash + int32 row, little-endian

// spillFile holds sorted runs of hashRow, one after the other.
type spillFile struct {
	f    *os.File
	w    *bufio.Writer
	runs []int64 // entries per run, in file order
}

func tempFile(what string) (*os.File, error) {
	f, err := os.CreateTemp("", "intake-"+what+"-*")
	if err != nil {
		return nil, fmt.Errorf("duplicate scan: %s file: %w", what, err)
	}
	os.Remove(f.Name())
	return f, nil
}

func (s *spillFile) close() { s.f.Close() }

func compareHashRow(a, b hashRow) int {
	if c := cmp.Compare(a.hash, b.hash); c != 0 {
		return c
	}
	return cmp.Compare(a.row, b.row)
}

// spillRun sorts the buffer and appends it to the spill file as one run.
func (d *Duplicates) spillRun() error {
	if d.spill == nil {
		f, err := tempFile("dups")
		if err != nil {
			return err
		}
		d.spill = &spillFile{f: f, w: bufio.NewWriterSize(f, 64<<10)}
	}
	slices.SortFunc(d.buf, compareHashRow)
	for _, hr := range d.buf {
		// AvailableBuffer: a local array would escape through Write, one
		// allocation per row.
		b := binary.LittleEndian.AppendUint64(d.spill.w.AvailableBuffer(), hr.hash)
		b = binary.LittleEndian.AppendUint32(b, uint32(hr.row))
		if _, err := d.spill.w.Write(b); err != nil {
			return fmt.Errorf("duplicate scan: spill: %w", err)
		}
	}
	d.spill.runs = append(d.spill.runs, int64(len(d.buf)))
	d.buf = d.buf[:0]
	return nil
}

// source yields hashRows in (hash, row) order.
type source interface {
	next() (hashRow, bool)
	err() error
}

// sortedSource is every Add in (hash, row) order: the buffer sorted in
// place when nothing spilled, else a k-way merge of the runs.
func (d *Duplicates) sortedSource() (source, error) {
	if d.spill == nil {
		slices.SortFunc(d.buf, compareHashRow)
		return &sliceSource{rows: d.buf}, nil
	}
	if len(d.buf) > 0 {
		if err := d.spillRun(); err != nil {
			return nil, err
		}
	}
	if err := d.spill.w.Flush(); err != nil {
		return nil, fmt.Errorf("duplicate scan: spill: %w", err)
	}
	m := &runMerge{}
	var off int64
	// The runs' read buffers share 1 MiB (a 10 M-row file has ~40 runs),
	// at least 4 KiB each.
	size := min(max((1<<20)/len(d.spill.runs), 4<<10), 64<<10)
	for _, n := range d.spill.runs {
		r := &runReader{r: bufio.NewReaderSize(io.NewSectionReader(d.spill.f, off*hashRowSize, n*hashRowSize), size), left: n}
		off += n
		if r.advance() {
			m.h = append(m.h, r)
		} else if r.e != nil {
			return nil, r.e
		}
	}
	heap.Init(&m.h)
	return m, nil
}

type sliceSource struct {
	rows []hashRow
	i    int
}

func (s *sliceSource) next() (hashRow, bool) {
	if s.i >= len(s.rows) {
		return hashRow{}, false
	}
	s.i++
	return s.rows[s.i-1], true
}
func (s *sliceSource) err() error { return nil }

// runReader reads one sorted run; cur is its smallest unread entry.
type runReader struct {
	r    *bufio.Reader
	left int64
	cur  hashRow
	e    error
	b    [hashRowSize]byte // read into here: a local array would escape
}

func (r *runReader) advance() bool {
	if r.left == 0 {
		return false
	}
	b := r.b[:]
	if _, err := io.ReadFull(r.r, b); err != nil {
		r.e = fmt.Errorf("duplicate scan: read run: %w", err)
		return false
	}
	r.left--
	r.cur = hashRow{binary.LittleEndian.Uint64(b[:8]), int32(binary.LittleEndian.Uint32(b[8:]))}
	return true
}

type runHeap []*runReader

func (h runHeap) Len() int           { return len(h) }
func (h runHeap) Less(i, j int) bool { return compareHashRow(h[i].cur, h[j].cur) < 0 }
func (h runHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)        { *h = append(*h, x.(*runReader)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// runMerge is the k-way merge of the spilled runs.
type runMerge struct {
	h runHeap
	e error
}

func (m *runMerge) next() (hashRow, bool) {
	if len(m.h) == 0 || m.e != nil {
		return hashRow{}, false
	}
	top := m.h[0]
	out := top.cur
	if top.advance() {
		heap.Fix(&m.h, 0)
	} else {
		if top.e != nil {
			m.e = top.e
		}
		heap.Pop(&m.h)
	}
	return out, true
}
func (m *runMerge) err() error { return m.e }

// overflow holds the repeated keys past the map's budget, sorted by hash,
// 24 bytes each (hash, first, last, count, padding), with every
// overflowBlock-th hash in memory to find a key's block in one read.
type overflow struct {
	f     *os.File
	w     *bufio.Writer
	n     int
	min   uint64   // the smallest hash it holds: lower hashes are in the map
	index []uint64 // the first hash of each block
	mu    sync.Mutex
	block []byte // one block, reused by find
}

const (
	overflowEntry = 24
	overflowBlock = 256 // entries a block: 6 KiB a read, 8 bytes of index per 256 keys
)

func newOverflow() (*overflow, error) {
	f, err := tempFile("repeats")
	if err != nil {
		return nil, err
	}
	return &overflow{f: f, w: bufio.NewWriterSize(f, 64<<10), block: make([]byte, overflowBlock*overflowEntry)}, nil
}

func (o *overflow) add(h uint64, e dupEntry) error {
	if o.n == 0 {
		o.min = h
	}
	if o.n%overflowBlock == 0 {
		o.index = append(o.index, h)
	}
	o.n++
	b := binary.LittleEndian.AppendUint64(o.w.AvailableBuffer(), h)
	b = binary.LittleEndian.AppendUint32(b, uint32(e.first))
	b = binary.LittleEndian.AppendUint32(b, uint32(e.last))
	b = binary.LittleEndian.AppendUint32(b, uint32(e.count))
	b = binary.LittleEndian.AppendUint32(b, 0)
	if _, err := o.w.Write(b); err != nil {
		return fmt.Errorf("duplicate scan: overflow: %w", err)
	}
	return nil
}

func (o *overflow) finish() error {
	if err := o.w.Flush(); err != nil {
		return fmt.Errorf("duplicate scan: overflow: %w", err)
	}
	return nil
}

func (o *overflow) close() { o.f.Close() }

// find reads h's block and searches it.
func (o *overflow) find(h uint64) (dupEntry, bool, error) {
	bi := sort.Search(len(o.index), func(i int) bool { return o.index[i] > h }) - 1
	if bi < 0 {
		return dupEntry{}, false, nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	count := min(overflowBlock, o.n-bi*overflowBlock)
	buf := o.block[:count*overflowEntry]
	if _, err := o.f.ReadAt(buf, int64(bi*overflowBlock*overflowEntry)); err != nil {
		return dupEntry{}, false, fmt.Errorf("duplicate scan: read overflow: %w", err)
	}
	at := func(i int) uint64 { return binary.LittleEndian.Uint64(buf[i*overflowEntry:]) }
	i := sort.Search(count, func(i int) bool { return at(i) >= h })
	if i == count || at(i) != h {
		return dupEntry{}, false, nil
	}
	b := buf[i*overflowEntry:]
	return dupEntry{first: int32(binary.LittleEndian.Uint32(b[8:])), last: int32(binary.LittleEndian.Uint32(b[12:])),
		count: int32(binary.LittleEndian.Uint32(b[16:]))}, true, nil
}
