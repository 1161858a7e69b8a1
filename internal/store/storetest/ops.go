package storetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// testKeyRevocation checks key listing per tenant and that revocation is
// immediate (Authenticate has no cache to outlive it) and tenant-scoped.
func testKeyRevocation(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, b := setup(t, open)
	for _, k := range []struct {
		tenant int64
		hash   string
	}{{a.ID, "ha1"}, {a.ID, "ha2"}, {b.ID, "hb1"}} {
		if err := s.CreateAPIKey(ctx, k.tenant, k.hash, []string{"contacts"}); err != nil {
			t.Fatal(err)
		}
	}
	p, err := s.Authenticate(ctx, "ha1")
	if err != nil || p.KeyID == 0 {
		t.Fatalf("authenticate: %+v, %v", p, err)
	}
	keys, err := s.ListAPIKeys(ctx, a.ID)
	if err != nil || len(keys) != 2 || keys[0].ID != p.KeyID || keys[0].TenantSlug != "acme" || keys[0].RevokedAt != nil {
		t.Fatalf("acme's keys = %+v, %v", keys, err)
	}
	if all, _ := s.ListAPIKeys(ctx, 0); len(all) != 3 {
		t.Fatalf("every key: %d, want 3", len(all))
	}
	// globex cannot revoke acme's key.
	if err := s.RevokeAPIKey(ctx, b.ID, p.KeyID); intake.ErrorCode(err) != intake.ENOTFOUND {
		t.Fatalf("cross-tenant revoke: %v, want not found", err)
	}
	if _, err := s.Authenticate(ctx, "ha1"); err != nil {
		t.Fatalf("key revoked by another tenant: %v", err)
	}
	if err := s.RevokeAPIKey(ctx, a.ID, p.KeyID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "ha1"); intake.ErrorCode(err) != intake.EUNAUTHORIZED {
		t.Fatalf("revoked key: %v, want unauthorized", err)
	}
	if err := s.RevokeAPIKey(ctx, 0, p.KeyID); err != nil {
		t.Fatalf("revoking twice: %v", err)
	}
	if _, err := s.Authenticate(ctx, "ha2"); err != nil {
		t.Fatalf("the other key: %v", err)
	}
	keys, _ = s.ListAPIKeys(ctx, a.ID)
	if keys[0].RevokedAt == nil || keys[1].RevokedAt != nil {
		t.Fatalf("after revoke: %+v", keys)
	}
	if err := s.RevokeAPIKey(ctx, 0, 999999); intake.ErrorCode(err) != intake.ENOTFOUND {
		t.Fatalf("unknown key: %v", err)
	}
}

func testHeartbeats(t *testing.T, open opener) {
	ctx := context.Background()
	s := open(t)
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	if err := s.BeatWorker(ctx, "old", t0.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.BeatWorker(ctx, "new", t0.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.BeatWorker(ctx, "new", t0); err != nil {
		t.Fatal(err)
	}
	live, err := s.LiveWorkers(ctx, t0.Add(-10*time.Second))
	if err != nil || !slices.Equal(live, []string{"new"}) {
		t.Fatalf("live = %v, %v", live, err)
	}
	if err := s.ForgetWorker(ctx, "new"); err != nil {
		t.Fatal(err)
	}
	if live, _ := s.LiveWorkers(ctx, t0.Add(-time.Hour)); !slices.Equal(live, []string{"old"}) {
		t.Fatalf("after forget: %v", live)
	}
}

// testIdempotencyKeys checks Idempotency-Key reservations: one winner of
// a race, per tenant, completed only by its token, free again once expired,
// taken over from a dead owner, released, purged.
func testIdempotencyKeys(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, b := setup(t, open)
	now := time.Now().UTC().Truncate(time.Millisecond)
	if err := s.BeatWorker(ctx, "p1", now); err != nil {
		t.Fatal(err)
	}
	raceForKey(t, s, a.ID, now)
	held, ok, err := s.ReserveIdempotencyKey(ctx, reservation(a.ID, "k1", "late", "p1", now))
	if err != nil || ok || held.Status != 0 || held.Owner != "p1" {
		t.Fatalf("in flight: %+v %v %v", held, ok, err)
	}
	// Keys are per tenant.
	if _, ok, _ := s.ReserveIdempotencyKey(ctx, reservation(b.ID, "k1", "other", "p1", now)); !ok {
		t.Fatal("globex could not use acme's key name")
	}
	checkKeyCompletion(t, s, a.ID, held.Token, now)
	checkKeyTakeover(t, s, a.ID, now)
}

// reservation is a request's reservation of key at at, for an hour, with
// owners that beat in the last 15 seconds counted live.
func reservation(tenant int64, key, token, owner string, at time.Time) store.IdempotencyReservation {
	return store.IdempotencyReservation{TenantID: tenant, Key: key, Token: token, Owner: owner, Now: at,
		ExpiresAt: at.Add(time.Hour), LiveSince: at.Add(-15 * time.Second)}
}

// raceForKey: eight requests race for key k1; exactly one gets it.
func raceForKey(t *testing.T, s store.Store, a int64, now time.Time) {
	ctx := context.Background()
	res := reservation
	var mu sync.Mutex
	won := 0
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := s.ReserveIdempotencyKey(ctx, res(a, "k1", "t"+string(rune('a'+i)), "p1", now))
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d requests reserved one key, want 1", won)
	}
}

// checkKeyCompletion: only the holder's token completes k1; the answer is
// then replayed, until the key expires.
func checkKeyCompletion(t *testing.T, s store.Store, a int64, token string, now time.Time) {
	ctx := context.Background()
	res := reservation
	rec := store.IdempotencyRecord{RequestHash: "h", Status: 201, Headers: "Content-Type: application/json\r\n", Body: []byte(`{"id":1}`)}
	if err := s.CompleteIdempotencyKey(ctx, a, "k1", "wrong-token", rec); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.ReserveIdempotencyKey(ctx, res(a, "k1", "x", "p1", now)); got.Status != 0 {
		t.Fatalf("a wrong token completed the key: %+v", got)
	}
	if err := s.CompleteIdempotencyKey(ctx, a, "k1", token, rec); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.ReserveIdempotencyKey(ctx, res(a, "k1", "x", "p1", now.Add(time.Minute)))
	if err != nil || ok || got.Status != 201 || got.RequestHash != "h" || string(got.Body) != `{"id":1}` || got.Headers != "Content-Type: application/json\r\n" {
		t.Fatalf("answered: %+v %v %v", got, ok, err)
	}
	// After it expires the key is free again.
	if _, ok, _ := s.ReserveIdempotencyKey(ctx, res(a, "k1", "y", "p1", now.Add(2*time.Hour))); !ok {
		t.Fatal("an expired key was not free")
	}
}

// checkKeyTakeover: a reservation whose owner stopped beating is taken
// over, a live one is not; a released key is free; expired keys are purged.
func checkKeyTakeover(t *testing.T, s store.Store, a int64, now time.Time) {
	ctx := context.Background()
	res := reservation
	// A reservation whose owner stopped beating is taken over; a live one is not.
	if _, ok, _ := s.ReserveIdempotencyKey(ctx, res(a, "k2", "d1", "dead", now)); !ok {
		t.Fatal("k2")
	}
	if _, ok, _ := s.ReserveIdempotencyKey(ctx, res(a, "k2", "d2", "p1", now)); !ok {
		t.Fatal("a reservation of a process with no heartbeat was not taken over")
	}
	if _, ok, _ := s.ReserveIdempotencyKey(ctx, res(a, "k2", "d3", "p2", now)); ok {
		t.Fatal("a live owner's reservation was taken over")
	}
	if err := s.ReleaseIdempotencyKey(ctx, a, "k2", "d2"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.ReserveIdempotencyKey(ctx, res(a, "k2", "d4", "p1", now)); !ok {
		t.Fatal("a released key was not free")
	}
	n, err := s.PurgeIdempotencyKeys(ctx, now.Add(3*time.Hour))
	if err != nil || n < 2 {
		t.Fatalf("purged %d, %v", n, err)
	}
}

func testOpsCounts(t *testing.T, open opener) {
	ctx := context.Background()
	s, a, _ := setup(t, open)
	for _, st := range []intake.ImportStatus{intake.StatusQueued, intake.StatusQueued, intake.StatusAwaitingMapping} {
		im := intake.Import{TenantID: a.ID, Status: st, Spec: intake.DefaultSpec()}
		if err := store.CreateImport(ctx, s, &im); err != nil {
			t.Fatal(err)
		}
	}
	counts, err := s.ImportStatusCounts(ctx)
	if err != nil || counts[intake.StatusQueued] != 2 || counts[intake.StatusAwaitingMapping] != 1 || counts[intake.StatusRunning] != 0 {
		t.Fatalf("counts = %v, %v", counts, err)
	}
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("ready: %v", err)
	}
}
