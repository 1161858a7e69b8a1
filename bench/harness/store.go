package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// measureStore runs Intake on one store, each phase through HTTP against
// a fresh `intake serve`: create into an empty tenant, re-import of the
// unchanged file, an upsert that changes every contact with undo recording
// on, the same with it off, then the synchronous 1,000-record call.
func measureStore(ctx context.Context, c config, store string, f dataFiles) ([]result, error) {
	dir := filepath.Join(c.out, store)
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("clean %s: %w", dir, err)
	}
	dsn := "sqlite:" + filepath.Join(dir, "intake.db")
	if store == "postgres" {
		var err error
		if dsn, err = freshDatabase(ctx, c, "intake_bench"); err != nil {
			return nil, err
		}
	} else if store != "sqlite" {
		return nil, fmt.Errorf("unknown store %q", store)
	}
	srv, err := startServer(ctx, c, dir, dsn)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	w := f.want
	phases := []struct {
		name, file string
		undoOff    bool
		want       job
	}{
		{"create", f.messy, false, job{Created: w.distinct, FailedRows: w.invalid, Skipped: w.dups}},
		{"unchanged re-import", f.messy, false, job{Updated: w.distinct, FailedRows: w.invalid, Skipped: w.dups}},
		{"all-changed upsert, undo on", f.changed, false, job{Updated: w.distinct, FailedRows: w.invalid, Skipped: w.dups}},
		{"all-changed upsert, undo off", f.messy, true, job{Updated: w.distinct, FailedRows: w.invalid, Skipped: w.dups}},
	}
	var out []result
	for _, p := range phases {
		if err := srv.setUndo(ctx, p.undoOff); err != nil {
			// A baseline from before undo has no such setting: it records
			// nothing, so its "undo on" phase is a plain upsert and it has
			// no "undo off" phase.
			if !strings.Contains(err.Error(), "undo_disabled") {
				return out, err
			}
			if p.undoOff {
				continue
			}
		}
		res, err := importPhase(ctx, srv, store+": "+p.name, p.file, w.rows, p.want)
		out = append(out, res)
		if err != nil {
			return out, err
		}
	}
	for _, clients := range []int{1, 4} {
		res, err := syncPhase(ctx, srv, store, clients, c.syncCalls)
		out = append(out, res)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func importPhase(ctx context.Context, srv *server, name, file string, rows int, want job) (result, error) {
	srv.resetPeak()
	start := time.Now()
	j, err := srv.importFile(ctx, file)
	res := result{name: name, rows: rows, elapsed: time.Since(start), rss: srv.peakRSS()}
	res.check = fmt.Sprintf("%d/%d/%d/%d", j.Created, j.Updated, j.FailedRows, j.Skipped)
	if err != nil {
		return res, fmt.Errorf("%s: %w", name, err)
	}
	if j.Created != want.Created || j.Updated != want.Updated || j.FailedRows != want.FailedRows || j.Skipped != want.Skipped {
		res.check += " ✘"
		return res, fmt.Errorf("%s: created/updated/failed/skipped %s, an independent count says %d/%d/%d/%d",
			name, res.check, want.Created, want.Updated, want.FailedRows, want.Skipped)
	}
	res.check += " ✔"
	return res, nil
}
