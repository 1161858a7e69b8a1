package imports

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gocloud.dev/gcerrors"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/source"
)

// staleTemp is how old a temporary file must be before CleanTemp removes
// it. An upload being written touches its file at least every body idle
// timeout, and another process (a worker beside serve) may be reading a
// workbook's spooled copy: only files nobody has written for this long are
// taken for leftovers of a crash.
const staleTemp = 10 * time.Minute

func (s *Service) maxReportRows() int {
	if s.MaxReportRows <= 0 {
		return DefaultMaxReportRows
	}
	return s.MaxReportRows
}

func (s *Service) retention() time.Duration {
	if s.Retention <= 0 {
		return DefaultRetention
	}
	return s.Retention
}

// ReportGone is the EGONE error for a job whose report retention deleted,
// nil otherwise.
func ReportGone(im *intake.Import) error {
	if im.ExpiredAt == nil {
		return nil
	}
	return intake.Errorf(intake.EGONE, "The error report of import %d was deleted on %s: reports are kept for a limited time after a job ends.",
		im.ID, im.ExpiredAt.Format(time.DateOnly))
}

// Sweep ends the jobs that awaited their mapping too long (expireParked),
// deletes the uploads and reports of jobs that ended more than the
// retention period ago, and marks those jobs expired; then it removes
// stale temporary files. The job queue runs it periodically. A job whose
// upload cannot be deleted stays for the next sweep.
func (s *Service) Sweep(ctx context.Context) (expired int, err error) {
	if expired, err = s.expireParked(ctx); err != nil {
		return expired, err
	}
	before := s.clock().Add(-s.retention())
	for {
		ims, err := s.Store.ExpiredImports(ctx, before, 100)
		if err != nil {
			return expired, err
		}
		done := 0
		for _, im := range ims {
			if im.FileKey != "" {
				if err := s.Bucket.Delete(ctx, im.FileKey); err != nil && gcerrors.Code(err) != gcerrors.NotFound {
					s.Logger.WarnContext(ctx, "retention: delete upload", "import", im.ID, "err", err)
					continue
				}
			}
			if err := s.Store.ExpireImport(ctx, im.TenantID, im.ID); err != nil {
				return expired, fmt.Errorf("expire import %d: %w", im.ID, err)
			}
			done++
		}
		expired += done
		if len(ims) < 100 || done == 0 {
			break
		}
	}
	s.CleanTemp(ctx)
	return expired, s.sweepUndo(ctx)
}

// CleanTemp removes stale temporary files: uploads a crash cut off
// (*.tmp in the upload folder), the temporary folders of Intake processes
// that are no longer running (source.SweepTempDirs: spooled workbooks and
// excelize's files of a process killed mid-read) and loose files of older
// versions (source.TempPattern in TempDir). It runs on start and in every
// sweep.
func (s *Service) CleanTemp(ctx context.Context) int {
	n := 0
	cutoff := time.Now().Add(-staleTemp)
	remove := func(path string, info os.FileInfo) {
		if info.ModTime().Before(cutoff) {
			if err := os.Remove(path); err == nil {
				n++
			} else if !errors.Is(err, os.ErrNotExist) {
				s.Logger.WarnContext(ctx, "remove temporary file", "path", path, "err", err)
			}
		}
	}
	if s.UploadDir != "" {
		filepath.Walk(s.UploadDir, func(path string, info os.FileInfo, err error) error {
			if err == nil && info.Mode().IsRegular() && strings.HasSuffix(path, ".tmp") {
				remove(path, info)
			}
			return nil
		})
	}
	dir := s.TempDir
	if dir == "" {
		dir = os.TempDir()
	}
	matches, _ := filepath.Glob(filepath.Join(dir, source.TempPattern))
	excelize, _ := filepath.Glob(filepath.Join(dir, "excelize-*"))
	if s.TempDir == "" {
		excelize = nil // the system's folder: other programs' excelize files are not ours
	}
	// Workbook readers keep their files in a folder per process
	// (source.ProcessTempDir): the folders of killed processes go whole.
	swept, err := source.SweepTempDirs(s.TempDir)
	if err != nil {
		s.Logger.WarnContext(ctx, "remove temporary folders", "err", err)
	}
	n += swept
	for _, path := range append(matches, excelize...) {
		if info, err := os.Lstat(path); err == nil && info.Mode().IsRegular() {
			remove(path, info)
		}
	}
	return n
}
