package importer

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/intake/intake"
)

// Duplicates finds, for every match key of one file or request, the first
// and last row that carried it and how many did, so the in-file duplicate
// policy can be applied row by row while streaming.
//
// It is built in two steps to keep memory small: Add records a 64-bit
// FNV-1a hash and the row number of every row (12 bytes a row, ~12 MB per
// million rows); Seal sorts the hashes, keeps first/last/count only for the
// keys that repeat (about 1 % in a typical file) and frees the rest. A map
// of every key would hold ~50 MB live per million rows, twice that with GC
// headroom. Two different keys share a hash with probability ~n²/2⁶⁵
// (3·10⁻⁸ for a million keys).
type Duplicates struct {
	hashes []uint64 // per Add, in order; 0 = no key
	rows   []int32
	dups   map[uint64]dupEntry // after Seal: the keys seen more than once
}

type dupEntry struct{ first, last, count int32 }

// NewDuplicates returns an empty tracker.
func NewDuplicates() *Duplicates { return &Duplicates{} }

func hashKey(key string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return h.Sum64() | 1 // never 0, which means "no key"
}

// Add records that row carries key. Rows must be added in file order; an
// empty key (the row has no match value) is not tracked.
func (d *Duplicates) Add(key string, row int) {
	if key == "" {
		return
	}
	d.hashes = append(d.hashes, hashKey(key))
	d.rows = append(d.rows, int32(row))
}

// Seal finishes adding: it finds the repeated keys and frees the rest.
func (d *Duplicates) Seal() {
	sorted := slices.Clone(d.hashes)
	slices.Sort(sorted)
	d.dups = map[uint64]dupEntry{}
	for i := 1; i < len(sorted); i++ {
		if sorted[i] == sorted[i-1] {
			d.dups[sorted[i]] = dupEntry{}
		}
	}
	for i, h := range d.hashes {
		e, ok := d.dups[h]
		if !ok {
			continue
		}
		if e.count == 0 {
			e.first = d.rows[i]
		}
		e.last = d.rows[i]
		e.count++
		d.dups[h] = e
	}
	d.hashes, d.rows = nil, nil
}

// Repeats reports whether more than one row carried key (after Seal).
func (d *Duplicates) Repeats(key string) bool {
	_, ok := d.dups[hashKey(key)]
	return key != "" && ok
}

// Repeated returns the number of distinct keys that more than one row carries.
func (d *Duplicates) Repeated() int { return len(d.dups) }

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
	e, ok := d.dups[hashKey(key)]
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
