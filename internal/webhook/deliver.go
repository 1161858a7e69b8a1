package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/imports"
)

// Retry returns how long after failed attempt n (1-based) the next one
// is made: min(BackoffBase·2^(n-1), BackoffMax).
func (s *Service) Retry(attempt int) time.Duration {
	base, most := orDefault(s.BackoffBase, DefaultBackoffBase), orDefault(s.BackoffMax, DefaultBackoffMax)
	d := base
	for i := 1; i < attempt && d < most; i++ {
		d *= 2
	}
	return min(d, most)
}

// Attempts is how often a delivery is tried (MaxAttempts or its default).
func (s *Service) Attempts() int { return orDefault(s.MaxAttempts, DefaultMaxAttempts) }

// AttemptTimeout bounds one attempt (Timeout or its default).
func (s *Service) AttemptTimeout() time.Duration { return orDefault(s.Timeout, DefaultTimeout) }

// ErrPaused says a delivery waits because its webhook is paused.
var ErrPaused = errors.New("webhook paused")

// Paused reports whether err is ErrPaused, and how long a delivery of a
// paused webhook waits before it looks again (PausedRetry).
func (s *Service) Paused(err error) (time.Duration, bool) {
	return orDefault(s.PausedRetry, DefaultPausedRetry), errors.Is(err, ErrPaused)
}

// httpClient makes the client on first use, once: deliveries run on
// several workers at the same time.
func (s *Service) httpClient() *http.Client {
	s.clientOnce.Do(func() {
		dialer := imports.GuardedDialer(s.AllowPrivate, s.AttemptTimeout())
		s.client = &http.Client{Timeout: s.AttemptTimeout(),
			// No proxy: through one, the guard would see the proxy's address.
			Transport: &http.Transport{DialContext: dialer.DialContext, Proxy: nil, TLSHandshakeTimeout: s.AttemptTimeout()},
			// A redirect is an answer, not a new target: it is not followed.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	})
	return s.client
}

// Deliver makes attempt number attempt of one delivery: it POSTs the
// event, signed with the webhook's current secret, and records the
// outcome. It returns nil when the delivery is done (succeeded, or its
// webhook is gone), ErrPaused when the webhook is paused, and an error
// when the attempt failed (the queue retries it after Retry(attempt);
// after the last attempt the delivery is failed).
func (s *Service) Deliver(ctx context.Context, tenantID, id int64, attempt int) error {
	d, body, err := s.Store.PendingDelivery(ctx, tenantID, id)
	if intake.ErrorCode(err) == intake.ENOTFOUND {
		return nil
	}
	if err != nil || d.Status != intake.DeliveryPending {
		return err
	}
	w, err := s.Store.GetWebhook(ctx, tenantID, d.WebhookID)
	switch {
	case intake.ErrorCode(err) == intake.ENOTFOUND:
		return nil
	case err != nil:
		return err
	case w.Status == intake.WebhookPaused:
		return ErrPaused
	}
	code, sendErr := s.post(ctx, &w, &d, body)
	now := s.now()
	d.Attempts, d.StatusCode, d.LastError, d.NextAttemptAt = d.Attempts+1, code, "", nil
	if sendErr == nil {
		d.Status = intake.DeliverySucceeded
		if err := s.Store.SaveDeliveryAttempt(ctx, tenantID, &d); err != nil {
			return err
		}
		return s.succeeded(ctx, &w)
	}
	d.LastError = sendErr.Error()
	if attempt >= s.Attempts() {
		d.Status = intake.DeliveryFailed
	} else {
		next := now.Add(s.Retry(attempt))
		d.NextAttemptAt = &next
	}
	if err := s.Store.SaveDeliveryAttempt(ctx, tenantID, &d); err != nil {
		return err
	}
	if err := s.failed(ctx, &w, now, d.LastError); err != nil {
		return err
	}
	if d.Status == intake.DeliveryFailed {
		return nil
	}
	return fmt.Errorf("deliver %s to webhook %d: %w", d.EventID, w.ID, sendErr)
}

// post sends one attempt: any 2xx is success.
func (s *Service) post(ctx context.Context, w *intake.Webhook, d *intake.WebhookDelivery, body []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, s.AttemptTimeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return 0, errors.New("the webhook URL is not valid")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Intake-Webhooks/1")
	req.Header.Set("Intake-Event-Id", d.EventID)
	req.Header.Set("Intake-Event-Type", d.EventType)
	req.Header.Set(SignatureHeader, Sign(w.Secret, time.Now(), body))
	resp, err := s.httpClient().Do(req)
	if err != nil {
		// The tenant sees the sanitised reason; the operator's log the cause.
		if s.Logger != nil {
			s.Logger.WarnContext(ctx, "webhook attempt failed", "tenant_id", w.TenantID, "webhook_id", w.ID, "event_id", d.EventID, "err", err)
		}
		return 0, sendFailure(err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("the receiver answered %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}

// sendFailure says why a request failed without echoing the transport's
// error, which names resolved addresses.
func sendFailure(err error) error {
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, imports.ErrAddressBlocked):
		return errors.New("the URL points at a private, local or reserved address, which this server does not reach")
	case errors.As(err, &dnsErr):
		return errors.New("the host name could not be resolved")
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return errors.New("the receiver did not answer in time")
	}
	return errors.New("the connection failed")
}

// succeeded forgets a webhook's run of failures.
func (s *Service) succeeded(ctx context.Context, w *intake.Webhook) error {
	if w.FailingSince == nil {
		return nil
	}
	_, err := s.Store.UpdateWebhook(ctx, w.TenantID, w.ID, func(w *intake.Webhook) error {
		w.FailingSince = nil
		return nil
	})
	return err
}

// failed notes a failed attempt: the first of a run sets FailingSince;
// a run longer than PauseAfter pauses the webhook, saying why.
func (s *Service) failed(ctx context.Context, w *intake.Webhook, now time.Time, why string) error {
	pauseAfter := orDefault(s.PauseAfter, DefaultPauseAfter)
	if w.FailingSince != nil && now.Sub(*w.FailingSince) < pauseAfter {
		return nil
	}
	_, err := s.Store.UpdateWebhook(ctx, w.TenantID, w.ID, func(w *intake.Webhook) error {
		switch {
		case w.FailingSince == nil:
			w.FailingSince = &now
		case now.Sub(*w.FailingSince) >= pauseAfter && w.Status == intake.WebhookActive:
			w.Status = intake.WebhookPaused
			w.PausedReason = fmt.Sprintf("Paused automatically: every delivery has failed since %s (last: %s). Fix the receiver, then PATCH status active.",
				w.FailingSince.Format(time.RFC3339), why)
			if s.Logger != nil {
				s.Logger.WarnContext(ctx, "webhook paused", "tenant_id", w.TenantID, "webhook_id", w.ID, "failing_since", w.FailingSince)
			}
		}
		return nil
	})
	return err
}
