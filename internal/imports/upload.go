package imports

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

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
// stored. A read error that says the request was too large
// (http.MaxBytesError) is ETOOLARGE too.
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
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = intake.Errorf(intake.ETOOLARGE, "The request is larger than the %d bytes allowed.", mbe.Limit)
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

// locationClient fetches location URLs. Unless LocationPrivate is set, its
// dialer refuses loopback, private, link-local and unspecified addresses
// after DNS resolution, on every connection (so redirects too), and it
// follows at most 5 redirects.
func (s *Service) locationClient() *http.Client {
	dialer := &net.Dialer{Timeout: 30 * time.Second}
	if !s.LocationPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, _ := net.SplitHostPort(address)
			ip, err := netip.ParseAddr(host)
			if err != nil {
				return fmt.Errorf("location: bad address %q", address)
			}
			ip = ip.Unmap()
			if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() || ip.IsMulticast() {
				return errors.New("location points at a private or local address, which this server does not fetch")
			}
			return nil
		}
	}
	transport := &http.Transport{DialContext: dialer.DialContext, Proxy: http.ProxyFromEnvironment, TLSHandshakeTimeout: 30 * time.Second}
	return &http.Client{Timeout: 10 * time.Minute, Transport: transport,
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			return nil
		}}
}

// Fetch downloads a location URL (Copernica's location) into storage.
// Errors: EINVALID (not an http(s) URL, not fetchable), ETOOLARGE, and
// Store's.
func (s *Service) Fetch(ctx context.Context, tenantID int64, raw, format string) (Upload, error) {
	bad := func(msg string) error {
		return intake.Invalid(msg, intake.FieldError{Field: "location", Value: raw, Message: msg})
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Upload{}, bad("location must be an http or https URL.")
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	resp, err := s.locationClient().Do(req)
	if err != nil {
		return Upload{}, bad("The file at location could not be fetched: " + err.Error())
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Upload{}, bad(fmt.Sprintf("The file at location could not be fetched: the server answered %s.", resp.Status))
	}
	if resp.ContentLength > s.maxUpload() {
		return Upload{}, intake.Errorf(intake.ETOOLARGE, "The file at location is larger than the %d bytes allowed.", s.maxUpload())
	}
	return s.Save(ctx, tenantID, resp.Body, u.Path[strings.LastIndexByte(u.Path, '/')+1:], format)
}
