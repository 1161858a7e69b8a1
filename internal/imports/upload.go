package imports

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"

	"gocloud.dev/blob"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/source"
)

// Upload is a file stored in the bucket, not yet a job's.
type Upload struct {
	Key, Name string
	Size      int64
	// Format is a hint from the request (a data URI's media type).
	Format string
}

func newKey(tenantID int64) string {
	b := make([]byte, 12)
	rand.Read(b)
	return fmt.Sprintf("imports/%d/%s", tenantID, hex.EncodeToString(b))
}

// tooLarge is the ETOOLARGE error for an upload over the limit.
func (s *Service) tooLarge() error {
	return intake.Errorf(intake.ETOOLARGE, "The file is larger than the %d bytes allowed.", s.maxUpload())
}

func (s *Service) maxUpload() int64 {
	if s.MaxUploadBytes <= 0 {
		return DefaultMaxUploadBytes
	}
	return s.MaxUploadBytes
}

// Save streams r into the bucket, never holding more than a buffer of it,
// and fails with ETOOLARGE past MaxUploadBytes. The head is sniffed first,
// so a PDF renamed .csv is refused (EUNSUPPORTED) before anything is
// stored. (A request body over its limit is the HTTP layer's to answer.)
func (s *Service) Save(ctx context.Context, tenantID int64, r io.Reader, name, format string) (Upload, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(8 << 10)
	if len(head) == 0 {
		return Upload{}, intake.Invalid("The file is empty.", intake.FieldError{Field: "file", Code: "empty_file", Message: "The file is empty."})
	}
	if _, err := source.Sniff(head, name, source.Format(format)); err != nil {
		return Upload{}, err
	}
	up := Upload{Key: newKey(tenantID), Name: name, Format: format}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := s.Bucket.NewWriter(wctx, up.Key, &blob.WriterOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return up, fmt.Errorf("store upload: %w", err)
	}
	n, err := io.Copy(w, io.LimitReader(br, s.maxUpload()+1))
	if err == nil && n > s.maxUpload() {
		err = s.tooLarge()
	}
	if err != nil {
		cancel() // discards the partial object
		w.Close()
		return up, err
	}
	if err := w.Close(); err != nil {
		return up, fmt.Errorf("store upload: %w", err)
	}
	up.Size = n
	return up, nil
}

// Discard deletes an upload that did not become a job.
func (s *Service) Discard(ctx context.Context, up Upload) {
	if up.Key != "" {
		s.Bucket.Delete(context.WithoutCancel(ctx), up.Key)
	}
}
