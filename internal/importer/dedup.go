package importer

import (
	"fmt"
	"strings"

	"github.com/intake/intake"
)

// Duplicates finds, for every match key of one file or request, the first
// and last row that carried it and how many did, so the in-file duplicate
// policy can be applied row by row while streaming.
//
// Its memory is bounded, whatever the file's size or shape. Add records a
// 64-bit FNV-1a hash and the row number of every row; past runCap rows
// the buffer is sorted and spilled to a temporary file as one run (an
// external sort), so a 10 M-row file holds no more than a 1,000-row one.
// Seal merges the runs in hash order and keeps first/last/count only for
// the keys that repeat (about 1 % in a typical file) in a map of at most
// mapCap keys; a hostile file whose every key repeats puts the rest, the
// higher hashes, in a sorted overflow file searched through a sparse
// index. Two different keys share a hash with probability ~n²/2⁶⁵ (3·10⁻⁸
// for a million keys).
type Duplicates struct {
	runCap, mapCap int

	buf   []hashRow  // the current run, unsorted
	spill *spillFile // sorted runs past runCap; nil while all fit
	dups  map[uint64]dupEntry
	over  *overflow // repeated keys past mapCap; nil when all fit
	peak  int       // most entries held in memory at once (buf + dups), for tests
	err   error     // the first spill or overflow I/O error
}

type dupEntry struct{ first, last, count int32 }

// hashRow is one Add: the key's hash and the row that carried it.
type hashRow struct {
	hash uint64
	row  int32
}

// Default budgets: 256 Ki buffered rows (16 bytes each, 4 MiB) and 256 Ki
// repeated keys (~10 MiB as a map). A typical million-row file repeats
// ~10,000 keys, so only a hostile file reaches the overflow.
const (
	defaultRunCap = 1 << 18
	defaultMapCap = 1 << 18
)

// NewDuplicates returns an empty tracker with the default memory budget.
func NewDuplicates() *Duplicates { return newDuplicates(defaultRunCap, defaultMapCap) }

func newDuplicates(runCap, mapCap int) *Duplicates {
	return &Duplicates{runCap: runCap, mapCap: mapCap}
}

func hashKey(key string) uint64 {
	// FNV-1a inline: hash/fnv's Write would copy key into a []byte per row.
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i := 0; i < len(key); i++ {
		h ^= uint64(key[i])
		h *= prime
	}
	return h | 1 // never 0, which means "no key"
}

// Add records that row carries key. Rows must be added in file order; an
// empty key (the row has no match value) is not tracked.
func (d *Duplicates) Add(key string, row int) {
	if key == "" || d.err != nil {
		return
	}
	if d.buf == nil {
		d.buf = make([]hashRow, 0, min(d.runCap, 4096))
	}
	d.buf = append(d.buf, hashRow{hashKey(key), int32(row)})
	d.peak = max(d.peak, len(d.buf))
	if len(d.buf) >= d.runCap {
		d.err = d.spillRun()
	}
}

// Seal finishes adding: it finds the repeated keys and frees the rest.
func (d *Duplicates) Seal() error {
	if d.err != nil {
		return d.err
	}
	d.dups = map[uint64]dupEntry{}
	src, err := d.sortedSource()
	if err != nil {
		return err
	}
	var cur uint64
	var e dupEntry
	for {
		hr, ok := src.next()
		if !ok || hr.hash != cur {
			if e.count >= 2 {
				d.keep(cur, e)
			}
			if !ok {
				break
			}
			cur, e = hr.hash, dupEntry{first: hr.row}
		}
		e.last = hr.row
		e.count++
	}
	d.buf = nil
	if err := src.err(); err != nil {
		d.err = err
	}
	if d.spill != nil {
		d.spill.close()
		d.spill = nil
	}
	if d.err == nil && d.over != nil {
		d.err = d.over.finish()
	}
	return d.err
}

// keep stores one repeated key, in the map while it has room, else in the
// overflow. Keys arrive in hash order, so every overflow hash is above
// every map hash.
func (d *Duplicates) keep(h uint64, e dupEntry) {
	if d.over == nil && len(d.dups) < d.mapCap {
		d.dups[h] = e
		d.peak = max(d.peak, len(d.dups))
		return
	}
	if d.over == nil {
		if d.over, d.err = newOverflow(); d.err != nil {
			return
		}
	}
	if err := d.over.add(h, e); err != nil && d.err == nil {
		d.err = err
	}
}

// lookup finds a key's entry in the map or the overflow.
func (d *Duplicates) lookup(h uint64) (dupEntry, bool) {
	if d.over != nil && h >= d.over.min {
		e, ok, err := d.over.find(h)
		if err != nil && d.err == nil {
			d.err = err
		}
		return e, ok
	}
	e, ok := d.dups[h]
	return e, ok
}

// Err is the first I/O error of the temporary files, if any: a verdict
// read after one may be wrong, so the run must stop.
func (d *Duplicates) Err() error { return d.err }

// Close removes the temporary files.
func (d *Duplicates) Close() {
	if d.spill != nil {
		d.spill.close()
		d.spill = nil
	}
	if d.over != nil {
		d.over.close()
		d.over = nil
	}
}

// Repeats reports whether more than one row carried key (after Seal).
func (d *Duplicates) Repeats(key string) bool {
	_, ok := d.dups[hashKey(key)]
	return key != "" && ok
}

// Repeated returns the number of distinct keys that more than one row carries.
func (d *Duplicates) Repeated() int {
	if d.over != nil {
		return len(d.dups) + d.over.n
	}
	return len(d.dups)
}

// Verdict applies policy to row: nil if the row is to be imported, else the
// reason it is skipped (or, for policy "error", fails). what names the row
// for messages ("row" or "record"), fields the match fields.
func (d *Duplicates) Verdict(policy intake.Duplicates, key string, row int, what string, fields []string) (intake.Outcome, *intake.RowError) {
	if key == "" {
		return "", nil
	}
	if d.dups == nil {
		panic("importer: Duplicates.Verdict before Seal")
	}
	e, ok := d.lookup(hashKey(key))
	if !ok || e.count < 2 {
		return "", nil
	}
	first, last := int(e.first), int(e.last)
	field := joinFields(fields)
	What := strings.ToUpper(what[:1]) + what[1:]
	re := func(msg string) *intake.RowError {
		return &intake.RowError{Row: row, Field: fields[0], Code: intake.CodeDuplicateInFile, Message: msg}
	}
	switch policy {
	case intake.DuplicatesUseFirst:
		if row != first {
			return intake.OutcomeSkipped, re(fmt.Sprintf("%s %d has the same %s as %s %d; the first one is used.", What, row, field, what, first))
		}
	case intake.DuplicatesIgnoreAll:
		return intake.OutcomeSkipped, re(fmt.Sprintf("%d %ss share this %s; duplicates are all ignored.", e.count, what, field))
	case intake.DuplicatesError:
		if row != first {
			return intake.OutcomeFailed, re(fmt.Sprintf("%s %d has the same %s as %s %d; duplicates are errors.", What, row, field, what, first))
		}
	default: // use_last
		if row != last {
			return intake.OutcomeSkipped, re(fmt.Sprintf("%s %d has the same %s as %s %d; the last one is used.", What, row, field, what, last))
		}
	}
	return "", nil
}
