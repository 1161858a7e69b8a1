package importer

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"runtime"
	"testing"
)

// naiveRepeats is the obviously right answer: every key's first and last
// row and count, from a map of every key.
func naiveRepeats(keys []string) map[string]dupEntry {
	all := map[string]dupEntry{}
	for row, k := range keys {
		e, ok := all[k]
		if !ok {
			e.first = int32(row)
		}
		e.last = int32(row)
		e.count++
		all[k] = e
	}
	return all
}

// TestDuplicatesSpillAndOverflow checks the bounded scan against the map of
// every key, in memory, with spilled runs, and with repeated keys past the
// map's budget (a hostile file where every key repeats).
func TestDuplicatesSpillAndOverflow(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	typical := make([]string, 50_000)
	for i := range typical {
		typical[i] = fmt.Sprintf("u%d@example.com", i)
		if i > 10 && r.IntN(100) == 0 {
			typical[i] = typical[r.IntN(i)]
		}
	}
	hostile := make([]string, 50_000)
	for i := range hostile {
		hostile[i] = fmt.Sprintf("h%d@example.com", r.IntN(len(hostile)/3))
	}
	cases := []struct {
		name           string
		keys           []string
		runCap, mapCap int
		spilled, over  bool
	}{
		{"in memory", typical, 1 << 20, 1 << 20, false, false},
		{"spilled runs", typical, 1000, 1 << 20, true, false},
		{"hostile, overflow", hostile, 999, 100, true, true},
		{"hostile, one run", hostile, 1 << 20, 7, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := newDuplicates(c.runCap, c.mapCap)
			defer d.Close()
			for row, k := range c.keys {
				d.Add(k, row)
			}
			if got := d.spill != nil; got != c.spilled {
				t.Fatalf("spilled = %v, want %v", got, c.spilled)
			}
			if err := d.Seal(); err != nil {
				t.Fatal(err)
			}
			if got := d.over != nil; got != c.over {
				t.Fatalf("overflow = %v, want %v", got, c.over)
			}
			checkRepeats(t, d, c.keys)
			if d.peak > max(c.runCap, c.mapCap) {
				t.Fatalf("held %d entries in memory, budget %d/%d", d.peak, c.runCap, c.mapCap)
			}
		})
	}
}

// checkRepeats compares every key's entry in d with naiveRepeats.
func checkRepeats(t *testing.T, d *Duplicates, keys []string) {
	t.Helper()
	repeated := 0
	for k, w := range naiveRepeats(keys) {
		e, ok := d.lookup(hashKey(k))
		if w.count < 2 {
			if ok {
				t.Fatalf("%s is not repeated, got %+v", k, e)
			}
			continue
		}
		repeated++
		if !ok || e != w {
			t.Fatalf("%s: got %+v (%v), want %+v", k, e, ok, w)
		}
	}
	if d.Repeated() != repeated || d.Err() != nil {
		t.Fatalf("Repeated() = %d, want %d (err %v)", d.Repeated(), repeated, d.Err())
	}
}

// TestDuplicatesMemoryDoesNotGrowWithRows scans 2 M rows whose every key
// repeats (the worst case for both the hashes and the repeated keys) with
// a small budget: the entries held stay within it, and the bytes allocated
// are the budget's, not the file's (the unbounded scan allocated ~100 MB for
// this input: a hash and row per row, a sorted copy, a map of 1 M keys).
func TestDuplicatesMemoryDoesNotGrowWithRows(t *testing.T) {
	const rows, runCap, mapCap = 2_000_000, 1 << 14, 1 << 14
	keys := make([]string, rows/2)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%d@example.com", i)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d := newDuplicates(runCap, mapCap)
	defer d.Close()
	for row := range rows {
		d.Add(keys[row%len(keys)], row)
	}
	if err := d.Seal(); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if d.Repeated() != len(keys) {
		t.Fatalf("Repeated() = %d, want %d", d.Repeated(), len(keys))
	}
	if d.peak > runCap {
		t.Fatalf("held %d entries in memory, budget %d", d.peak, runCap)
	}
	// The buffer (16 B an entry) and the map (~48 B a key), doubled for
	// their growth, and the files' write buffers and the merge's read
	// buffers (1 MiB): ~5 MiB.
	budget := uint64(runCap*16*2 + mapCap*48*2 + 3<<20)
	if got := after.TotalAlloc - before.TotalAlloc; got > budget {
		t.Fatalf("scan of %d rows allocated %d bytes, budget %d", rows, got, budget)
	}
	if e, ok := d.lookup(hashKey(keys[len(keys)-1])); !ok || e.count != 2 || int(e.last) != rows-1 {
		t.Fatalf("last key: %+v %v", e, ok)
	}
}

// TestHashKeyIsFNV1a: stored scans of earlier runs hold these hashes, so
// the inlined hash must stay FNV-1a 64 with the low bit set.
func TestHashKeyIsFNV1a(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"a", "anna@example.com", "ÄÖÜ", "C00000001"} {
		h := fnv.New64a()
		h.Write([]byte(k))
		if want := h.Sum64() | 1; hashKey(k) != want {
			t.Fatalf("hashKey(%q) = %x, want %x", k, hashKey(k), want)
		}
	}
}
