package intake_test

import (
	"errors"
	"testing"
	"time"

	"github.com/intake/intake"
)

// TestImportStateMachine runs every transition from every status and checks
// the status after it and the error class.
func TestImportStateMachine(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	statuses := []intake.ImportStatus{"", intake.StatusAnalyzing, intake.StatusAwaitingMapping, intake.StatusQueued, intake.StatusRunning,
		intake.StatusCompleted, intake.StatusFailed, intake.StatusCancelled}
	type result struct {
		status intake.ImportStatus
		err    string // "" ok, an error code, or "ended" for ErrImportEnded
	}
	ops := []struct {
		name string
		do   func(im *intake.Import) error
		want map[intake.ImportStatus]result
	}{
		{"configure complete with autostart", func(im *intake.Import) error {
			return im.Configure(intake.DefaultSpec(), nil, true)
		}, map[intake.ImportStatus]result{
			intake.StatusAnalyzing: {intake.StatusQueued, ""}, "": {intake.StatusQueued, ""}, intake.StatusAwaitingMapping: {intake.StatusQueued, ""},
			intake.StatusQueued: {intake.StatusQueued, intake.ESTATE}, intake.StatusRunning: {intake.StatusRunning, intake.ESTATE},
			intake.StatusCompleted: {intake.StatusCompleted, intake.ESTATE}, intake.StatusFailed: {intake.StatusFailed, intake.ESTATE},
			intake.StatusCancelled: {intake.StatusCancelled, intake.ESTATE},
		}},
		{"configure with a missing field waits", func(im *intake.Import) error {
			return im.Configure(intake.DefaultSpec(), []string{"email"}, true)
		}, map[intake.ImportStatus]result{
			intake.StatusAnalyzing: {intake.StatusAwaitingMapping, ""}, "": {intake.StatusAwaitingMapping, ""}, intake.StatusAwaitingMapping: {intake.StatusAwaitingMapping, ""},
			intake.StatusQueued: {intake.StatusQueued, intake.ESTATE}, intake.StatusRunning: {intake.StatusRunning, intake.ESTATE},
			intake.StatusCompleted: {intake.StatusCompleted, intake.ESTATE}, intake.StatusFailed: {intake.StatusFailed, intake.ESTATE},
			intake.StatusCancelled: {intake.StatusCancelled, intake.ESTATE},
		}},
		{"configure without autostart waits", func(im *intake.Import) error {
			return im.Configure(intake.DefaultSpec(), nil, false)
		}, map[intake.ImportStatus]result{
			intake.StatusAnalyzing: {intake.StatusAwaitingMapping, ""}, "": {intake.StatusAwaitingMapping, ""}, intake.StatusAwaitingMapping: {intake.StatusAwaitingMapping, ""},
			intake.StatusQueued: {intake.StatusQueued, intake.ESTATE}, intake.StatusRunning: {intake.StatusRunning, intake.ESTATE},
			intake.StatusCompleted: {intake.StatusCompleted, intake.ESTATE}, intake.StatusFailed: {intake.StatusFailed, intake.ESTATE},
			intake.StatusCancelled: {intake.StatusCancelled, intake.ESTATE},
		}},
		{"start", func(im *intake.Import) error { _, err := im.Start(nil); return err }, map[intake.ImportStatus]result{
			intake.StatusAnalyzing: {intake.StatusAnalyzing, intake.ESTATE}, "": {"", intake.ESTATE}, intake.StatusAwaitingMapping: {intake.StatusQueued, ""},
			intake.StatusQueued: {intake.StatusQueued, ""}, intake.StatusRunning: {intake.StatusRunning, ""},
			intake.StatusCompleted: {intake.StatusCompleted, intake.ESTATE}, intake.StatusFailed: {intake.StatusFailed, intake.ESTATE},
			intake.StatusCancelled: {intake.StatusCancelled, intake.ESTATE},
		}},
		{"start with a missing field", func(im *intake.Import) error { _, err := im.Start([]string{"email"}); return err }, map[intake.ImportStatus]result{
			intake.StatusAnalyzing: {intake.StatusAnalyzing, intake.ESTATE}, "": {"", intake.ESTATE}, intake.StatusAwaitingMapping: {intake.StatusAwaitingMapping, intake.EINVALID},
			intake.StatusQueued: {intake.StatusQueued, ""}, intake.StatusRunning: {intake.StatusRunning, ""},
			intake.StatusCompleted: {intake.StatusCompleted, intake.ESTATE}, intake.StatusFailed: {intake.StatusFailed, intake.ESTATE},
			intake.StatusCancelled: {intake.StatusCancelled, intake.ESTATE},
		}},
		{"begin", func(im *intake.Import) error { return im.Begin(now) }, map[intake.ImportStatus]result{
			intake.StatusAnalyzing: {intake.StatusAnalyzing, intake.ESTATE}, "": {"", "ended"}, intake.StatusAwaitingMapping: {intake.StatusAwaitingMapping, intake.ESTATE},
			intake.StatusQueued: {intake.StatusRunning, ""}, intake.StatusRunning: {intake.StatusRunning, ""},
			intake.StatusCompleted: {intake.StatusCompleted, "ended"}, intake.StatusFailed: {intake.StatusFailed, "ended"},
			intake.StatusCancelled: {intake.StatusCancelled, "ended"},
		}},
		{"cancel", func(im *intake.Import) error { return im.Cancel(now) }, map[intake.ImportStatus]result{
			intake.StatusAnalyzing: {intake.StatusCancelled, ""}, "": {intake.StatusCancelled, ""}, intake.StatusAwaitingMapping: {intake.StatusCancelled, ""},
			intake.StatusQueued: {intake.StatusCancelled, ""}, intake.StatusRunning: {intake.StatusCancelled, ""},
			intake.StatusCompleted: {intake.StatusCompleted, intake.ESTATE}, intake.StatusFailed: {intake.StatusFailed, intake.ESTATE},
			intake.StatusCancelled: {intake.StatusCancelled, intake.ESTATE},
		}},
		{"finish", func(im *intake.Import) error { return im.Finish(now) }, map[intake.ImportStatus]result{
			intake.StatusAnalyzing: {intake.StatusAnalyzing, "ended"}, "": {"", "ended"}, intake.StatusAwaitingMapping: {intake.StatusAwaitingMapping, "ended"},
			intake.StatusQueued: {intake.StatusQueued, "ended"}, intake.StatusRunning: {intake.StatusCompleted, ""},
			intake.StatusCompleted: {intake.StatusCompleted, "ended"}, intake.StatusFailed: {intake.StatusFailed, "ended"},
			intake.StatusCancelled: {intake.StatusCancelled, "ended"},
		}},
		{"fail", func(im *intake.Import) error { return im.Fail(now, "broken") }, map[intake.ImportStatus]result{
			intake.StatusAnalyzing: {intake.StatusFailed, ""}, "": {intake.StatusFailed, ""}, intake.StatusAwaitingMapping: {intake.StatusFailed, ""},
			intake.StatusQueued: {intake.StatusFailed, ""}, intake.StatusRunning: {intake.StatusFailed, ""},
			intake.StatusCompleted: {intake.StatusCompleted, "ended"}, intake.StatusFailed: {intake.StatusFailed, "ended"},
			intake.StatusCancelled: {intake.StatusCancelled, "ended"},
		}},
		{"analyze", func(im *intake.Import) error { return im.Analyze(intake.DefaultSpec(), intake.Analysis{}) }, map[intake.ImportStatus]result{
			"": {intake.StatusAnalyzing, ""}, intake.StatusAnalyzing: {intake.StatusAnalyzing, intake.ESTATE},
			intake.StatusAwaitingMapping: {intake.StatusAwaitingMapping, intake.ESTATE},
			intake.StatusQueued:          {intake.StatusQueued, intake.ESTATE}, intake.StatusRunning: {intake.StatusRunning, intake.ESTATE},
			intake.StatusCompleted: {intake.StatusCompleted, intake.ESTATE}, intake.StatusFailed: {intake.StatusFailed, intake.ESTATE},
			intake.StatusCancelled: {intake.StatusCancelled, intake.ESTATE},
		}},
	}
	for _, op := range ops {
		for _, from := range statuses {
			t.Run(op.name+" from "+string(from), func(t *testing.T) {
				want, ok := op.want[from]
				if !ok {
					t.Fatalf("no expectation for %q", from)
				}
				im := &intake.Import{ID: 7, Status: from}
				err := op.do(im)
				got := ""
				switch {
				case errors.Is(err, intake.ErrImportEnded):
					got = "ended"
				case err != nil:
					got = intake.ErrorCode(err)
				}
				if got != want.err || im.Status != want.status {
					t.Fatalf("status %q err %q (%v), want status %q err %q", im.Status, got, err, want.status, want.err)
				}
				if want.err == "" && (want.status == intake.StatusCompleted || want.status == intake.StatusCancelled || want.status == intake.StatusFailed) && im.FinishedAt == nil {
					t.Fatal("an ended job has no finished_at")
				}
			})
		}
	}
}
