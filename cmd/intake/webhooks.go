package main

import (
	"flag"
	"log/slog"
	"time"

	"github.com/intake/intake/internal/selection"
	"github.com/intake/intake/internal/webhook"
)

// WebhookConfig tunes webhook delivery; zero values are the webhook
// package's defaults.
type WebhookConfig struct {
	// Timeout bounds one attempt. Env INTAKE_WEBHOOK_TIMEOUT; default 10s.
	Timeout time.Duration
	// PauseAfter pauses a webhook failing this long. Env
	// INTAKE_WEBHOOK_PAUSE_AFTER; default 72h.
	PauseAfter time.Duration
	// Backoff and BackoffMax: retry n waits min(Backoff·2^(n-1),
	// BackoffMax). Env INTAKE_WEBHOOK_BACKOFF (30s), INTAKE_WEBHOOK_BACKOFF_MAX (6h).
	Backoff, BackoffMax time.Duration
	// MaxAttempts per delivery. Env INTAKE_WEBHOOK_MAX_ATTEMPTS; default 25.
	MaxAttempts int
}

func (c *WebhookConfig) bind(fs *flag.FlagSet) {
	fs.DurationVar(&c.Timeout, "webhook-timeout", envDuration("INTAKE_WEBHOOK_TIMEOUT", webhook.DefaultTimeout), "one webhook delivery attempt at most (env INTAKE_WEBHOOK_TIMEOUT)")
	fs.DurationVar(&c.PauseAfter, "webhook-pause-after", envDuration("INTAKE_WEBHOOK_PAUSE_AFTER", webhook.DefaultPauseAfter), "pause a webhook whose deliveries fail this long (env INTAKE_WEBHOOK_PAUSE_AFTER)")
	fs.DurationVar(&c.Backoff, "webhook-backoff", envDuration("INTAKE_WEBHOOK_BACKOFF", webhook.DefaultBackoffBase), "first webhook retry delay, doubled per attempt (env INTAKE_WEBHOOK_BACKOFF)")
	fs.DurationVar(&c.BackoffMax, "webhook-backoff-max", envDuration("INTAKE_WEBHOOK_BACKOFF_MAX", webhook.DefaultBackoffMax), "longest webhook retry delay (env INTAKE_WEBHOOK_BACKOFF_MAX)")
	fs.IntVar(&c.MaxAttempts, "webhook-max-attempts", int(envInt("INTAKE_WEBHOOK_MAX_ATTEMPTS", webhook.DefaultMaxAttempts)), "attempts per webhook delivery (env INTAKE_WEBHOOK_MAX_ATTEMPTS)")
}

// followups builds the webhook and selection services over the store; the
// webhook service's Queue is set once the queue exists.
func (m *Main) followups(logger *slog.Logger) (*webhook.Service, *selection.Service) {
	c := m.Config.Webhooks
	wh := &webhook.Service{Store: m.store, Logger: logger, AllowPrivate: m.Config.LocationPrivate, Timeout: c.Timeout,
		PauseAfter: c.PauseAfter, BackoffBase: c.Backoff, BackoffMax: c.BackoffMax, MaxAttempts: c.MaxAttempts}
	return wh, &selection.Service{Store: m.store}
}
