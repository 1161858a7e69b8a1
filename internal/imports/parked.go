package imports

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gocloud.dev/gcerrors"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// Parked jobs: a job awaiting its mapping keeps its upload until someone
// maps and starts it, and nothing else would bound how long or how much.
// ParkedTTL ends the jobs left waiting (the sweep fails them and deletes
// their uploads); MaxParkedBytes caps the bytes of a tenant's waiting
// uploads (a job that would pass it is refused, or, if it only learns it
// must wait once its file is analysed, fails).

// Defaults of the parking limits.
const (
	// DefaultParkedTTL leaves a weekend to map an upload.
	DefaultParkedTTL = 72 * time.Hour
	// DefaultMaxParkedBytes is two uploads at DefaultMaxUploadBytes.
	DefaultMaxParkedBytes = 2 << 30
)

func (s *Service) parkedTTL() time.Duration {
	if s.ParkedTTL <= 0 {
		return DefaultParkedTTL
	}
	return s.ParkedTTL
}

func (s *Service) maxParked() int64 {
	if s.MaxParkedBytes <= 0 {
		return DefaultMaxParkedBytes
	}
	return s.MaxParkedBytes
}

// checkParked refuses, with ETOOLARGE, to let im wait for its mapping when
// its upload and the tenant's other waiting uploads would pass
// MaxParkedBytes. A job that does not wait is not checked: it is imported
// and its upload then ages out with retention.
func (s *Service) checkParked(ctx context.Context, tx store.JobTx, im *intake.Import) error {
	if im.Status != intake.StatusAwaitingMapping {
		return nil
	}
	held, err := tx.ParkedBytes(ctx)
	if err != nil {
		return err
	}
	if held+im.FileSize <= s.maxParked() {
		return nil
	}
	msg := fmt.Sprintf("Imports waiting for their mapping already hold %d bytes of this account's uploads; this file's %d bytes "+
		"would pass the %d bytes allowed. Start or cancel waiting imports first (unstarted ones expire %s after their last change).",
		held, im.FileSize, s.maxParked(), shortDuration(s.parkedTTL()))
	return &intake.Error{Code: intake.ETOOLARGE, Message: msg,
		Fields: []intake.FieldError{{Field: "file", Code: "parked_bytes_exceeded", Message: msg}}}
}

// errNotParked: the job is no longer one the parking sweep ends.
var errNotParked = errors.New("import no longer parked")

// expireParked fails the jobs that have waited for their mapping, unchanged,
// for ParkedTTL, and deletes their uploads. It reports how many it ended.
func (s *Service) expireParked(ctx context.Context) (int, error) {
	before := s.clock().Add(-s.parkedTTL())
	n := 0
	for {
		ims, err := s.Store.ParkedImports(ctx, before, 100)
		if err != nil {
			return n, err
		}
		done := 0
		for _, im := range ims {
			ok, err := s.expireParkedJob(ctx, im, before)
			if err != nil {
				return n, err
			}
			if ok {
				done++
			}
		}
		n += done
		if len(ims) < 100 || done == 0 {
			return n, nil
		}
	}
}

// expireParkedJob ends one parked job, unless it changed since it was
// listed (a mapping or a start in between wins), then deletes its upload
// and marks it expired. An upload that cannot be deleted now is left for
// the retention sweep, which deletes the uploads of ended jobs.
func (s *Service) expireParkedJob(ctx context.Context, im intake.Import, before time.Time) (bool, error) {
	msg := fmt.Sprintf("The import waited for its mapping for more than %s and expired; its upload was deleted. "+
		"Upload the file again to import it.", shortDuration(s.parkedTTL()))
	_, err := s.update(ctx, im.TenantID, im.ID, func(cur *intake.Import) error {
		if cur.Status != intake.StatusAwaitingMapping || !cur.UpdatedAt.Before(before) {
			return errNotParked
		}
		return cur.Fail(s.clock(), msg)
	})
	switch {
	case errors.Is(err, errNotParked):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("expire parked import %d: %w", im.ID, err)
	}
	s.changed(ctx, im.ID)
	if im.FileKey != "" {
		if err := s.Bucket.Delete(ctx, im.FileKey); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
			s.Logger.WarnContext(ctx, "parking: delete upload", "import", im.ID, "err", err)
			return true, nil
		}
	}
	if err := s.Store.ExpireImport(ctx, im.TenantID, im.ID); err != nil {
		return true, fmt.Errorf("expire parked import %d: %w", im.ID, err)
	}
	return true, nil
}

// shortDuration writes d as an operator would: 72h, 90m, 30s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
