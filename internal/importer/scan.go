package importer

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// ErrStopped ends a run whose Options.Stop was closed: the chunks before it
// are committed with their checkpoint, and a later run resumes there. It is
// an infrastructure error (the job queue retries it), never the file's.
var ErrStopped = errors.New("import stopped for shutdown; it resumes from its checkpoint")

func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// ScanStore keeps the result of one job's duplicate scan (its row count and
// repeated keys, a few bytes per repeated key) between attempts. A job
// resumed after a crash or a shutdown loads it instead of reading and
// normalising the whole file again before its first chunk: on a large file
// that scan is most of the time to resume.
type ScanStore interface {
	// LoadScan returns what SaveScan stored, and false when nothing is.
	LoadScan(ctx context.Context) ([]byte, bool, error)
	// SaveScan stores a scan's result.
	SaveScan(ctx context.Context, data []byte) error
}

// scanOnce sets p.total and p.dups: from scans when an earlier attempt
// stored them, else by scanning the input (and storing the result).
func (p *pass) scanOnce(ctx context.Context, scans ScanStore) error {
	if scans != nil {
		data, ok, err := scans.LoadScan(ctx)
		if err != nil {
			return fmt.Errorf("load duplicate scan: %w", err)
		}
		if ok {
			if p.total, err = p.dups.decode(data); err == nil {
				return nil
			}
			// A damaged record is no reason to fail: scan again.
			p.dups = NewDuplicates()
		}
	}
	total, err := p.scan(ctx)
	if err != nil {
		return err
	}
	p.total = total
	if err := p.dups.Seal(); err != nil {
		return err
	}
	// A hostile file's overflow of repeated keys is not stored: it could be
	// as large as the file, and a resumed run scans again instead.
	if scans != nil && p.dups.over == nil {
		if err := scans.SaveScan(ctx, p.dups.encode(total)); err != nil {
			return fmt.Errorf("save duplicate scan: %w", err)
		}
	}
	return nil
}

// scanMagic starts an encoded scan; its last byte is the format version.
var scanMagic = []byte("IDS\x01")

// encode writes a sealed tracker and the input's record count: the magic,
// the count and the number of repeated keys (uint64 each), then per key its
// hash (uint64) and first row, last row and count (int32 each), sorted by
// hash so the same scan always encodes the same.
func (d *Duplicates) encode(total int) []byte {
	var b bytes.Buffer
	b.Write(scanMagic)
	binary.Write(&b, binary.LittleEndian, uint64(total))
	binary.Write(&b, binary.LittleEndian, uint64(len(d.dups)))
	for _, h := range slices.Sorted(maps.Keys(d.dups)) {
		e := d.dups[h]
		binary.Write(&b, binary.LittleEndian, h)
		binary.Write(&b, binary.LittleEndian, [3]int32{e.first, e.last, e.count})
	}
	return b.Bytes()
}

// decode reads what encode wrote into d, sealing it, and returns the count.
func (d *Duplicates) decode(data []byte) (int, error) {
	if !bytes.HasPrefix(data, scanMagic) {
		return 0, errors.New("not a duplicate scan")
	}
	r := bytes.NewReader(data[len(scanMagic):])
	var total, n uint64
	if err := binary.Read(r, binary.LittleEndian, &total); err != nil {
		return 0, fmt.Errorf("duplicate scan: %w", err)
	}
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil || n > uint64(r.Len())/20 {
		return 0, fmt.Errorf("duplicate scan: bad key count")
	}
	dups := make(map[uint64]dupEntry, n)
	for range n {
		var h uint64
		var e [3]int32
		if err := binary.Read(r, binary.LittleEndian, &h); err != nil {
			return 0, fmt.Errorf("duplicate scan: %w", err)
		}
		if err := binary.Read(r, binary.LittleEndian, &e); err != nil {
			return 0, fmt.Errorf("duplicate scan: %w", err)
		}
		dups[h] = dupEntry{first: e[0], last: e[1], count: e[2]}
	}
	d.buf, d.dups = nil, dups
	return int(total), nil
}
