// Package webhook owns what an import tells the world afterwards: a
// tenant's webhook subscriptions (create, patch, pause, rotate, delete),
// the events imports write into the outbox in the transaction of their
// change (emit.go), and the signed delivery of each event with retries
// (deliver.go). The job queue runs deliveries (internal/jobs); the stores
// keep the outbox; this package knows no SQL and no River.
package webhook

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/imports"
	"github.com/intake/intake/internal/store"
)

// Defaults of Service.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultPauseAfter  = 72 * time.Hour
	DefaultMaxAttempts = 25
	DefaultBackoffBase = 30 * time.Second
	DefaultBackoffMax  = 6 * time.Hour
	DefaultPausedRetry = 10 * time.Minute
)

// Service keeps webhooks and delivers their events.
type Service struct {
	Store  store.Webhooks
	Logger *slog.Logger
	// AllowPrivate lets webhook URLs reach loopback, private and
	// link-local addresses: the same operator switch as import locations
	// (--location-allow-private). Off by default (SSRF).
	AllowPrivate bool
	// Timeout bounds one delivery attempt. Default DefaultTimeout.
	Timeout time.Duration
	// PauseAfter pauses a webhook whose deliveries have failed for this
	// long without one success. Default DefaultPauseAfter (3 days).
	PauseAfter time.Duration
	// MaxAttempts is how often a delivery is tried. Default 25.
	MaxAttempts int
	// BackoffBase and BackoffMax set the retry schedule: attempt n+1
	// follows attempt n after min(BackoffBase·2^(n-1), BackoffMax).
	// Defaults 30 s and 6 h: 30 s, 1 m, 2 m, … 4 h 16 m, then every 6 h,
	// about 4 days in all.
	BackoffBase, BackoffMax time.Duration
	// PausedRetry is how long a delivery of a paused webhook waits before
	// it looks again. Default 10 minutes.
	PausedRetry time.Duration

	// Now, when set (tests), replaces the clock.
	Now        func() time.Time
	client     *http.Client
	clientOnce sync.Once
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Create subscribes url to events for the tenant; the answer carries the
// signing secret, the only time it is shown. Errors: EINVALID.
func (s *Service) Create(ctx context.Context, tenantID int64, rawURL string, events []string, description string) (intake.Webhook, error) {
	w := intake.Webhook{TenantID: tenantID, Description: strings.TrimSpace(description), Status: intake.WebhookActive, Secret: newSecret()}
	var err error
	if w.URL, err = s.checkURL(rawURL); err != nil {
		return w, err
	}
	if w.Events, err = intake.ParseEvents(events); err != nil {
		return w, err
	}
	return w, s.Store.CreateWebhook(ctx, &w)
}

// checkURL refuses what is not an absolute http(s) URL, and, unless
// AllowPrivate, a literal address the guarded dialer would refuse (names
// are checked by the dialer at each delivery, after resolution).
func (s *Service) checkURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", intake.Invalid("The webhook URL is not valid.", intake.FieldError{Field: "url", Value: raw, Message: "Give an absolute http or https URL."})
	}
	if s.AllowPrivate {
		return raw, nil
	}
	host := u.Hostname()
	ip, err := netip.ParseAddr(host)
	if strings.EqualFold(host, "localhost") || (err == nil && !imports.PublicAddr(ip)) {
		return "", intake.Invalid("The webhook URL points at a private, local or reserved address.", intake.FieldError{Field: "url", Value: raw,
			Message: "This server does not deliver to private, local or reserved addresses (the operator can allow them with --location-allow-private)."})
	}
	return raw, nil
}

// List returns a page of the tenant's webhooks, without secrets.
func (s *Service) List(ctx context.Context, tenantID, after int64, limit int) ([]intake.Webhook, error) {
	return s.Store.ListWebhooks(ctx, tenantID, after, limit)
}

// Get returns one webhook without its secret; ENOTFOUND.
func (s *Service) Get(ctx context.Context, tenantID, id int64) (intake.Webhook, error) {
	w, err := s.Store.GetWebhook(ctx, tenantID, id)
	w.Secret = ""
	return w, err
}

// Patch is a change to a webhook; nil fields stay as they are.
type Patch struct {
	URL         *string
	Events      []string
	Description *string
	// Status active resumes a paused webhook (and forgets its failures);
	// paused pauses it.
	Status *string
}

// Update applies p. Errors: ENOTFOUND, EINVALID.
func (s *Service) Update(ctx context.Context, tenantID, id int64, p Patch) (intake.Webhook, error) {
	w, err := s.Store.UpdateWebhook(ctx, tenantID, id, func(w *intake.Webhook) error {
		var err error
		if p.URL != nil {
			if w.URL, err = s.checkURL(*p.URL); err != nil {
				return err
			}
		}
		if p.Events != nil {
			if w.Events, err = intake.ParseEvents(p.Events); err != nil {
				return err
			}
		}
		if p.Description != nil {
			w.Description = strings.TrimSpace(*p.Description)
		}
		if p.Status != nil {
			switch *p.Status {
			case intake.WebhookActive:
				w.Status, w.PausedReason, w.FailingSince = intake.WebhookActive, "", nil
			case intake.WebhookPaused:
				w.Status, w.PausedReason = intake.WebhookPaused, "Paused through the API."
			default:
				return intake.Invalid("status must be active or paused.", intake.FieldError{Field: "status", Value: *p.Status, Message: "Use active or paused."})
			}
		}
		return nil
	})
	w.Secret = ""
	return w, err
}

// Rotate gives a webhook a new secret and returns it, shown this once;
// deliveries from now on are signed with it. ENOTFOUND.
func (s *Service) Rotate(ctx context.Context, tenantID, id int64) (intake.Webhook, error) {
	return s.Store.UpdateWebhook(ctx, tenantID, id, func(w *intake.Webhook) error {
		w.Secret = newSecret()
		return nil
	})
}

// Delete removes a webhook; its pending deliveries end unsent. ENOTFOUND.
func (s *Service) Delete(ctx context.Context, tenantID, id int64) error {
	return s.Store.DeleteWebhook(ctx, tenantID, id)
}

// Deliveries returns a webhook's deliveries with id < before, newest
// first. ENOTFOUND when the webhook is not the tenant's.
func (s *Service) Deliveries(ctx context.Context, tenantID, id, before int64, limit int) ([]intake.WebhookDelivery, error) {
	if _, err := s.Store.GetWebhook(ctx, tenantID, id); err != nil {
		return nil, err
	}
	return s.Store.ListDeliveries(ctx, tenantID, id, before, limit)
}
