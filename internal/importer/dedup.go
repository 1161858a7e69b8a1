package importer

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/intake/intake"
)

// Duplicates tracks, for every match key seen in one file or request, the
// first and last row that carried it and how many did, so the in-file
// duplicate policy can be applied row by row while streaming.
//
// Keys are kept as 64-bit FNV-1a hashes: about 40 bytes a distinct key
// (~40 MB for a million-row file) instead of the key strings. Two different
// keys share a hash with probability ~n²/2⁶⁵ (3·10⁻⁸ for a million keys).
type Duplicates struct {
	seen map[uint64]dupEntry
}

type dupEntry struct{ first, last, count int32 }

// NewDuplicates returns an empty tracker.
func NewDuplicates() *Duplicates { return &Duplicates{seen: map[uint64]dupEntry{}} }

func hashKey(key string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return h.Sum64()
}

// Add records that row carries key. Rows must be added in file order; an
// empty key (the row has no match value) is not tracked.
func (d *Duplicates) Add(key string, row int) {
	if key == "" {
		return
	}
	h := hashKey(key)
	e, ok := d.seen[h]
	if !ok {
		e.first = int32(row)
	}
	e.last = int32(row)
	e.count++
	d.seen[h] = e
}

// Len returns the number of distinct keys tracked.
func (d *Duplicates) Len() int { return len(d.seen) }

// Verdict applies policy to row: nil if the row is to be imported, else the
// reason it is skipped (or, for policy "error", fails). what names the row
// for messages ("row" or "record"), fields the match fields.
func (d *Duplicates) Verdict(policy intake.Duplicates, key string, row int, what string, fields []string) (intake.Outcome, *intake.RowError) {
	if key == "" {
		return "", nil
	}
	e, ok := d.seen[hashKey(key)]
	if !ok || e.count < 2 {
		return "", nil
	}
	first, last := int(e.first), int(e.last)
	field := joinFields(fields)
	What := strings.ToUpper(what[:1]) + what[1:]
	re := func(msg string) *intake.RowError {
		return &intake.RowError{Index: row, Field: fields[0], Code: intake.CodeDuplicateInFile, Message: msg}
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

func joinFields(fields []string) string {
	s := ""
	for i, f := range fields {
		if i > 0 {
			s += " + "
		}
		s += label(f)
	}
	return s
}
