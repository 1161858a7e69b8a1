package imports

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"strings"

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
	// Sniffed is the format the head of the file showed.
	Sniffed string
	// Location is a remote file's URL (Copernica's location): the job
	// fetches it (DESIGN §4a: the request does bounded work only); Key is
	// "" until then.
	Location string
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
	return s.saveAs(ctx, newKey(tenantID), r, name, format)
}

// saveAs is Save under key.
func (s *Service) saveAs(ctx context.Context, key string, r io.Reader, name, format string) (Upload, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(8 << 10)
	if len(head) == 0 {
		return Upload{}, intake.Invalid("The file is empty.", intake.FieldError{Field: "file", Code: "empty_file", Message: "The file is empty."})
	}
	sniffed, err := source.Sniff(head, name, source.Format(format))
	if err != nil {
		return Upload{}, err
	}
	up := Upload{Key: key, Name: name, Format: format, Sniffed: string(sniffed)}
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

// Remote is an upload at a location URL, fetched by its job (see Fetch)
// into the key given here: the job's file key is fixed when the job is
// made. Only the URL's form is checked here. Errors: EINVALID.
func (s *Service) Remote(tenantID int64, raw, format string) (Upload, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		msg := "location must be an http or https URL."
		return Upload{}, intake.Invalid(msg, intake.FieldError{Field: "location", Value: raw, Message: msg})
	}
	return Upload{Key: newKey(tenantID), Location: u.String(), Name: u.Path[strings.LastIndexByte(u.Path, '/')+1:], Format: format}, nil
}

// Discard deletes an upload that did not become a job.
func (s *Service) Discard(ctx context.Context, up Upload) {
	if up.Key != "" {
		s.Bucket.Delete(context.WithoutCancel(ctx), up.Key)
	}
}
