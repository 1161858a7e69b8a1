package webhook

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/testdb"
)

func TestSignVerify(t *testing.T) {
	at := time.Unix(1_700_000_000, 0)
	body := []byte(`{"id":"evt_1"}`)
	sig := Sign("whsec_x", at, body)
	if !strings.HasPrefix(sig, "t=1700000000,v1=") || len(sig) != len("t=1700000000,v1=")+64 {
		t.Fatalf("signature %q", sig)
	}
	tests := []struct {
		name   string
		secret string
		header string
		body   string
		now    time.Time
		ok     bool
	}{
		{"the signed body verifies", "whsec_x", sig, string(body), at, true},
		{"another secret does not", "whsec_y", sig, string(body), at, false},
		{"another body does not", "whsec_x", sig, `{"id":"evt_2"}`, at, false},
		{"an old timestamp is refused", "whsec_x", sig, string(body), at.Add(time.Hour), false},
		{"a rotated secret: either v1 admits", "whsec_x", sig + ",v1=00", string(body), at, true},
		{"a malformed header is refused", "whsec_x", "v1=abc", string(body), at, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.secret, tc.header, []byte(tc.body), tc.now, 5*time.Minute)
			if (err == nil) != tc.ok {
				t.Fatalf("Verify: %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestRetrySchedule(t *testing.T) {
	s := &Service{}
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute}
	for i, w := range want {
		if got := s.Retry(i + 1); got != w {
			t.Fatalf("Retry(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := s.Retry(20); got != DefaultBackoffMax {
		t.Fatalf("Retry(20) = %v, want the cap", got)
	}
}

// recorder keeps the deliveries a store's transactions enqueue, as the
// job queue the store is paired with would run them.
type recorder[TTx any] struct{ ids *[]int64 }

func (r recorder[TTx]) InsertTx(context.Context, TTx, int64, int64, int) error { return nil }

func (r recorder[TTx]) InsertDeliveriesTx(_ context.Context, _ TTx, _ int64, ids []int64) error {
	*r.ids = append(*r.ids, ids...)
	return nil
}

// pairRecorder pairs st with a recorder and returns the ids it records.
func pairRecorder(t *testing.T, st store.Store) *[]int64 {
	t.Helper()
	ids := new([]int64)
	switch p := st.(type) {
	case store.Pairable[*sql.Tx]:
		p.Pair(recorder[*sql.Tx]{ids})
	case store.Pairable[pgx.Tx]:
		p.Pair(recorder[pgx.Tx]{ids})
	default:
		t.Fatalf("store %T pairs with no known queue", st)
	}
	return ids
}

// TestPauseAfterDays: a webhook whose deliveries fail for PauseAfter is
// paused with a reason (the clock is the service's); resuming forgets the
// failures; a paused webhook's deliveries wait.
func TestPauseAfterDays(t *testing.T) {
	t.Parallel()
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := b.Open(t)
			ten, err := st.EnsureTenant(ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			var hits atomic.Int32
			rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				w.WriteHeader(http.StatusInternalServerError)
			}))
			defer rcv.Close()
			now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
			ids := pairRecorder(t, st)
			s := &Service{Store: st, AllowPrivate: true, Now: func() time.Time { return now }}
			w, err := s.Create(ctx, ten.ID, rcv.URL, []string{"import.completed"}, "")
			if err != nil {
				t.Fatal(err)
			}
			im := intake.Import{ID: 7, TenantID: ten.ID, Status: intake.StatusCompleted}
			if err := st.Jobs(ctx, ten.ID, func(tx store.JobTx) error { return s.EmitImport(ctx, tx, intake.EventImportCompleted, im) }); err != nil {
				t.Fatal(err)
			}
			if len(*ids) != 1 {
				t.Fatalf("deliveries enqueued: %v", *ids)
			}
			id := (*ids)[0]
			if err := s.Deliver(ctx, ten.ID, id, 1); err == nil {
				t.Fatal("a 500 was taken for a success")
			}
			now = now.Add(DefaultPauseAfter - time.Minute)
			if err := s.Deliver(ctx, ten.ID, id, 2); err == nil {
				t.Fatal("a 500 was taken for a success")
			}
			if got, _ := s.Get(ctx, ten.ID, w.ID); got.Status != intake.WebhookActive {
				t.Fatalf("paused too early: %+v", got)
			}
			now = now.Add(2 * time.Minute)
			s.Deliver(ctx, ten.ID, id, 3)
			got, _ := s.Get(ctx, ten.ID, w.ID)
			if got.Status != intake.WebhookPaused || !strings.Contains(got.PausedReason, "failed since 2026-01-01T12:00:00Z") {
				t.Fatalf("not paused after 3 days: %+v", got)
			}
			if err := s.Deliver(ctx, ten.ID, id, 4); !errors.Is(err, ErrPaused) || hits.Load() != 3 {
				t.Fatalf("a paused webhook's delivery: %v after %d requests", err, hits.Load())
			}
			ds, _ := s.Deliveries(ctx, ten.ID, w.ID, 0, 10)
			if len(ds) != 1 || ds[0].Attempts != 3 || ds[0].StatusCode != 500 || ds[0].Status != intake.DeliveryPending || ds[0].NextAttemptAt == nil {
				t.Fatalf("deliveries %+v", ds)
			}
			active := intake.WebhookActive
			if got, err = s.Update(ctx, ten.ID, w.ID, Patch{Status: &active}); err != nil || got.FailingSince != nil || got.PausedReason != "" {
				t.Fatalf("resume: %+v %v", got, err)
			}
		})
	}
}

// TestGuard: without the operator's switch, a loopback URL is refused when
// subscribed and, through the import guard's dialer, when delivered.
func TestGuard(t *testing.T) {
	t.Parallel()
	st := testdb.OpenSQLite(t)
	ctx := context.Background()
	ten, _ := st.EnsureTenant(ctx, "acme")
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer rcv.Close()
	ids := pairRecorder(t, st)
	strict := &Service{Store: st}
	if _, err := strict.Create(ctx, ten.ID, rcv.URL, []string{"*"}, ""); intake.ErrorCode(err) != intake.EINVALID {
		t.Fatalf("loopback subscribed: %v", err)
	}
	open := &Service{Store: st, AllowPrivate: true}
	if _, err := open.Create(ctx, ten.ID, rcv.URL, []string{"*"}, ""); err != nil {
		t.Fatal(err)
	}
	im := intake.Import{ID: 1, TenantID: ten.ID, Status: intake.StatusFailed}
	if err := st.Jobs(ctx, ten.ID, func(tx store.JobTx) error { return open.ImportEnded(ctx, tx, im) }); err != nil || len(*ids) != 1 {
		t.Fatalf("emit: %v %v", err, *ids)
	}
	if err := strict.Deliver(ctx, ten.ID, (*ids)[0], 1); err == nil || !strings.Contains(err.Error(), "private, local or reserved") {
		t.Fatalf("a loopback delivery without the switch: %v", err)
	}
}
