package source

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Defaults of the XLSX limits in Options.
const (
	// DefaultMaxUnzippedBytes bounds what the parts of a workbook that are
	// read (worksheets, shared strings, workbook, styles) may inflate to.
	// Inflated worksheets go to temporary files, not memory: this bounds
	// disk and time. 1 GiB holds a full 1,048,576-row sheet of ordinary
	// contact data.
	DefaultMaxUnzippedBytes = 1 << 30
	// xlsxMaxSmallPart bounds a part excelize parses whole into memory.
	xlsxMaxSmallPart = 4 << 20
	// xlsxInMemoryXML is excelize's UnzipXMLSizeLimit: worksheets and
	// shared strings larger than this are unzipped to a temporary file and
	// streamed from there. Shared strings in memory cost some 360 bytes a
	// string parsed (86 MB for 4 MB of tiny ones), so the bar is low.
	xlsxInMemoryXML = 1 << 20
	// xlsxMaxInMemory bounds the parts excelize holds in memory together:
	// small ones, and worksheets and shared strings under xlsxInMemoryXML.
	// Without it, 200 worksheets just under 4 MB took 1.7 GB.
	xlsxMaxInMemory = 64 << 20
	// xlsxMaxDirectory bounds the zip's central directory, which
	// archive/zip reads into memory whole (about 200 bytes per entry).
	xlsxMaxDirectory = 4 << 20
)

// TempPattern is the name pattern of the temporary files the XLSX reader
// makes in the process's folder in Options.TempDir (ProcessTempDir), next
// to excelize's excelize-*; they are removed when the reader is done with
// them, and the folder of a process that was killed by SweepTempDirs.
const TempPattern = "intake-xlsx-*.tmp"

// smallParts are the parts, besides worksheets and shared strings, that
// excelize needs to read cell values: the package's relationships, the
// workbook (sheet names) and the styles (number formats, for dates). The
// rest (images, drawings, themes, printer settings, anything) is left out
// before excelize sees the workbook, since excelize reads every part into
// memory.
var smallParts = map[string]bool{
	"[content_types].xml": true, "_rels/.rels": true, "xl/workbook.xml": true,
	"xl/_rels/workbook.xml.rels": true, "xl/styles.xml": true,
}

func classify(name string) (partKind, bool) {
	n := strings.ToLower(strings.ReplaceAll(name, "\\", "/"))
	switch {
	case strings.HasPrefix(n, "xl/worksheets/sheet"):
		return partWorksheet, true
	case n == "xl/sharedstrings.xml":
		return partSharedStrings, true
	case smallParts[n]:
		return partSmall, true
	}
	return 0, false
}

// xlsxGuard turns an untrusted upload into a workbook excelize can open
// with bounded memory, disk and time, or a clear error:
//
//  1. the upload is spooled to a temporary file (excelize's OpenReader
//     would hold it in memory);
//  2. the zip's central directory is bounded before archive/zip reads it;
//  3. every part to be read is inflated once and scanned (partScan): the
//     sum of their sizes, each small part, each token, row, cell count
//     and shared string is bounded;
//  4. those parts alone are copied, still compressed, to a second file,
//     which excelize opens with the same size limit.
//
// Both files are removed when openWorkbook returns: excelize has read or
// unzipped what it keeps by then.
type xlsxGuard struct {
	ctx  context.Context
	opts Options
	dir  string // the process's temporary folder (ProcessTempDir)
}

func (g xlsxGuard) openWorkbook(r io.Reader) (_ *excelize.File, err error) {
	if g.dir, err = ProcessTempDir(g.opts.TempDir); err != nil {
		return nil, err
	}
	spool, size, err := g.spool(r)
	if err != nil {
		return nil, err
	}
	defer removeTemp(spool)
	if err := checkDirectory(spool, size); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(spool, size)
	if err != nil {
		return nil, errorf("malformed_xlsx", "The XLSX workbook cannot be opened (%v); save it again from Excel, or as CSV.", err)
	}
	kept, err := g.check(zr, size)
	if err != nil {
		return nil, err
	}
	filtered, err := g.copyParts(kept)
	if err != nil {
		return nil, err
	}
	defer removeTemp(filtered)
	f, err := excelize.OpenFile(filtered.Name(), excelize.Options{
		UnzipSizeLimit: g.opts.MaxUnzippedBytes, UnzipXMLSizeLimit: min(xlsxInMemoryXML, g.opts.MaxUnzippedBytes),
		TmpDir: g.dir,
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		return nil, errorf("malformed_xlsx", "The XLSX workbook cannot be opened (%v); save it again from Excel, or as CSV.", err)
	}
	return f, nil
}

// spool copies r to a temporary file, checking ctx between blocks.
func (g xlsxGuard) spool(r io.Reader) (*os.File, int64, error) {
	f, err := os.CreateTemp(g.dir, TempPattern)
	if err != nil {
		return nil, 0, fmt.Errorf("spool workbook: %w", err)
	}
	buf := make([]byte, 256<<10)
	var size int64
	for {
		if err := g.ctx.Err(); err != nil {
			removeTemp(f)
			return nil, 0, err
		}
		n, rerr := r.Read(buf)
		if n > 0 {
			if _, err := f.Write(buf[:n]); err != nil {
				removeTemp(f)
				return nil, 0, fmt.Errorf("spool workbook: %w", err)
			}
			size += int64(n)
		}
		if rerr == io.EOF {
			return f, size, nil
		}
		if rerr != nil {
			removeTemp(f)
			return nil, 0, fmt.Errorf("read workbook: %w", rerr)
		}
	}
}

func removeTemp(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

// check sums and scans the parts to be read and returns them.
func (g xlsxGuard) check(zr *zip.Reader, size int64) ([]*zip.File, error) {
	var kept []*zip.File
	var total, inMemory uint64
	// disk is every temporary file the workbook will make, known before
	// any is made: the spooled upload and the copy of its kept parts (each
	// at most the upload's size), the worksheets and shared strings excelize
	// unzips to files, and the shared strings a second time, since excelize
	// writes their text to a file of its own to look them up by index.
	disk := 2 * uint64(size)
	var sheets, sst []*zip.File
	for _, f := range zr.File {
		kind, ok := classify(f.Name)
		if !ok || f.FileInfo().IsDir() {
			continue
		}
		// archive/zip refuses to inflate past the declared size, so the
		// declared sizes bound what excelize can unzip.
		total += f.UncompressedSize64
		if total > uint64(g.opts.MaxUnzippedBytes) {
			return nil, errorf("xlsx_too_large", "The XLSX workbook unpacks to more than %d bytes; at most that is read. Save it as CSV, or split it.", g.opts.MaxUnzippedBytes)
		}
		if kind == partSmall && f.UncompressedSize64 > xlsxMaxSmallPart {
			return nil, errorf("xlsx_too_large", "The XLSX workbook cannot be read safely: part %s unpacks to %d bytes; at most %d are allowed.", f.Name, f.UncompressedSize64, xlsxMaxSmallPart)
		}
		if kind == partSmall || f.UncompressedSize64 <= xlsxInMemoryXML {
			if inMemory += f.UncompressedSize64; inMemory > xlsxMaxInMemory {
				return nil, errorf("xlsx_too_large", "The XLSX workbook cannot be read safely: its small parts (worksheets under 1 MB, styles, workbook) unpack to more than %d bytes together. Save it as CSV, or split it.", xlsxMaxInMemory)
			}
		} else if disk += spilled(kind, f.UncompressedSize64); disk > uint64(g.opts.MaxUnzippedBytes) {
			return nil, errorf("xlsx_too_large", "The XLSX workbook needs more than %d bytes of temporary files to be read (its shared strings and worksheets unpacked); at most that is allowed. Save it as CSV, or split it.", g.opts.MaxUnzippedBytes)
		}
		kept = append(kept, f)
		switch kind {
		case partSharedStrings:
			sst = append(sst, f)
		case partWorksheet:
			sheets = append(sheets, f)
		default:
			if err := g.scan(f, &partScan{kind: partSmall, maxText: xlsxMaxSmallText}); err != nil {
				return nil, err
			}
		}
	}
	// Shared strings first: a row's size counts the strings it refers to.
	var lengths []uint32
	for _, f := range sst {
		s := &partScan{kind: partSharedStrings, maxText: g.opts.MaxRowBytes, maxRow: int64(g.opts.MaxRowBytes), maxSST: g.opts.MaxSharedStrings}
		if err := g.scan(f, s); err != nil {
			return nil, err
		}
		lengths = s.sst
	}
	for _, f := range sheets {
		s := &partScan{kind: partWorksheet, maxText: g.opts.MaxRowBytes, maxRow: int64(g.opts.MaxRowBytes), sst: lengths}
		if err := g.scan(f, s); err != nil {
			return nil, err
		}
	}
	return kept, nil
}

// spilled is the temporary disk a part unzipped to a file costs: shared
// strings twice (the unzipped XML, then excelize's file of their text).
func spilled(kind partKind, size uint64) uint64 {
	if kind == partSharedStrings {
		return 2 * size
	}
	return size
}

func (g xlsxGuard) scan(f *zip.File, s *partScan) error {
	s.name = f.Name
	rc, err := f.Open()
	if err != nil {
		return errorf("malformed_xlsx", "The XLSX workbook cannot be opened (%s: %v); save it again from Excel, or as CSV.", f.Name, err)
	}
	defer rc.Close()
	return s.scan(g.ctx, rc)
}

// copyParts writes the kept parts, as they are compressed, to a new zip.
func (g xlsxGuard) copyParts(kept []*zip.File) (*os.File, error) {
	out, err := os.CreateTemp(g.dir, TempPattern)
	if err != nil {
		return nil, fmt.Errorf("copy workbook: %w", err)
	}
	zw := zip.NewWriter(out)
	for _, f := range kept {
		if err := g.ctx.Err(); err != nil {
			removeTemp(out)
			return nil, err
		}
		if err := zw.Copy(f); err != nil {
			removeTemp(out)
			return nil, fmt.Errorf("copy workbook part %s: %w", f.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		removeTemp(out)
		return nil, fmt.Errorf("copy workbook: %w", err)
	}
	return out, nil
}

// checkDirectory bounds the zip's central directory before archive/zip
// reads all of it into memory: it reads the size from the end of central
// directory record (or its zip64 form).
func checkDirectory(r io.ReaderAt, size int64) error {
	const eocdLen, maxComment = 22, 65535
	tail := make([]byte, min(size, eocdLen+maxComment))
	if _, err := r.ReadAt(tail, size-int64(len(tail))); err != nil && err != io.EOF {
		return fmt.Errorf("read workbook: %w", err)
	}
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 || len(tail)-i < eocdLen {
		return errorf("malformed_xlsx", "The XLSX workbook cannot be opened (it is not a complete zip file); save it again from Excel, or as CSV.")
	}
	dirSize := uint64(binary.LittleEndian.Uint32(tail[i+12:]))
	if dirSize == 0xFFFFFFFF {
		// zip64: the locator sits right before the record and points at the
		// zip64 end record, which holds the real size.
		at := size - int64(len(tail)) + int64(i) - 20
		loc := make([]byte, 20)
		if at < 0 {
			return errorf("malformed_xlsx", "The XLSX workbook cannot be opened (bad zip64 directory).")
		}
		if _, err := r.ReadAt(loc, at); err != nil || string(loc[:4]) != "PK\x06\x07" {
			return errorf("malformed_xlsx", "The XLSX workbook cannot be opened (bad zip64 directory).")
		}
		rec := make([]byte, 56)
		off := binary.LittleEndian.Uint64(loc[8:])
		if off > uint64(size) {
			return errorf("malformed_xlsx", "The XLSX workbook cannot be opened (bad zip64 directory).")
		}
		if _, err := r.ReadAt(rec, int64(off)); err != nil || string(rec[:4]) != "PK\x06\x06" {
			return errorf("malformed_xlsx", "The XLSX workbook cannot be opened (bad zip64 directory).")
		}
		dirSize = binary.LittleEndian.Uint64(rec[40:])
	}
	if dirSize > xlsxMaxDirectory {
		return errorf("xlsx_too_large", "The XLSX workbook cannot be read safely: its zip directory is %d bytes; at most %d are allowed.", dirSize, xlsxMaxDirectory)
	}
	return nil
}
