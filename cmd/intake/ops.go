package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/metrics"
)

// metrics returns the process's one Prometheus registry, made on first use.
func (m *Main) metrics(logger *slog.Logger) *metrics.Metrics {
	if m.prom == nil {
		m.prom = metrics.New(m.store, logger)
	}
	return m.prom
}

// listKeys prints the keys (of --tenant, or every tenant's) as a table:
// never a secret, which only `keys create` shows.
func (m *Main) listKeys(ctx context.Context) error {
	var tenantID int64
	if t := strings.TrimSpace(m.tenant); t != "" {
		keys, err := m.store.ListAPIKeys(ctx, 0)
		if err != nil {
			return err
		}
		found := false
		for _, k := range keys {
			if k.TenantSlug == t {
				tenantID, found = k.TenantID, true
				break
			}
		}
		if !found {
			return fmt.Errorf("tenant %q has no keys", t)
		}
	}
	keys, err := m.store.ListAPIKeys(ctx, tenantID)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTENANT\tSCOPES\tCREATED\tREVOKED")
	for _, k := range keys {
		revoked := "-"
		if k.RevokedAt != nil {
			revoked = k.RevokedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", k.ID, k.TenantSlug, strings.Join(k.Scopes, ","), k.CreatedAt.Format(time.RFC3339), revoked)
	}
	return tw.Flush()
}

// revokeKey revokes --id: the next request with it gets 401, also on a
// running server (keys are checked on every request, never cached).
func (m *Main) revokeKey(ctx context.Context) error {
	if m.keyID <= 0 {
		return unusable("--id is required (see intake keys list)")
	}
	if err := m.store.RevokeAPIKey(ctx, 0, m.keyID); err != nil {
		return errors.New(intake.ErrorMessage(err))
	}
	fmt.Fprintf(m.Stderr, "intake: key %d revoked\n", m.keyID)
	return nil
}

// purgeIdempotencyKeys deletes expired Idempotency-Key answers every hour
// until ctx ends (an expired key is already free; this only reclaims space).
func (m *Main) purgeIdempotencyKeys(ctx context.Context, logger *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := m.store.PurgeIdempotencyKeys(ctx, time.Now()); err != nil && ctx.Err() == nil {
			logger.Warn("purge idempotency keys", "err", err)
		} else if n > 0 {
			logger.Info("purged expired idempotency keys", "keys", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
