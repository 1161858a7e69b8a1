package imports

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"

	"gocloud.dev/blob"
)

// FirstRow reads the first CSV record of a stored upload (its header row,
// if it has one), reading at most 1 MiB.
func (s *Service) FirstRow(ctx context.Context, up Upload) ([]string, error) {
	rd, err := s.Bucket.NewReader(ctx, up.Key, nil)
	if err != nil {
		return nil, fmt.Errorf("open upload: %w", err)
	}
	defer rd.Close()
	r := csv.NewReader(bufio.NewReader(io.LimitReader(rd, 1<<20)))
	r.FieldsPerRecord, r.LazyQuotes = -1, true
	row, err := r.Read()
	if err == io.EOF {
		return nil, nil
	}
	return row, err
}

// WithHeader stores a copy of an upload with header written before its
// first line (for a file that has no header row), streaming, and deletes
// the original. The copy replaces up.
func (s *Service) WithHeader(ctx context.Context, up Upload, header []string) (Upload, error) {
	var line bytes.Buffer
	w := csv.NewWriter(&line)
	w.Write(header)
	w.Flush()
	rd, err := s.Bucket.NewReader(ctx, up.Key, nil)
	if err != nil {
		return up, fmt.Errorf("open upload: %w", err)
	}
	defer rd.Close()
	out := up
	out.Key = up.Key + "-h"
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	bw, err := s.Bucket.NewWriter(wctx, out.Key, &blob.WriterOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return up, fmt.Errorf("store upload: %w", err)
	}
	n, err := io.Copy(bw, io.MultiReader(&line, rd))
	if err != nil {
		cancel()
		bw.Close()
		return up, fmt.Errorf("store upload: %w", err)
	}
	if err := bw.Close(); err != nil {
		return up, fmt.Errorf("store upload: %w", err)
	}
	s.Discard(ctx, up)
	out.Size = n
	return out, nil
}
