package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/intake/intake"
)

// localServer is the service booted in-process for `intake import` on the
// local database: the same server, workers and store `intake serve` runs,
// on a loopback port, reached with a key made for this run and revoked
// after it. So the command line and a server import a file one way.
type localServer struct {
	client *apiClient
	stop   func()
}

func (m *Main) startLocal(ctx context.Context, tenant string) (*localServer, error) {
	be, err := openBackend(ctx, m.Config.DatabaseURL)
	if err != nil {
		return nil, err
	}
	m.store, m.newQueue, m.newNotifier = be.store, be.newQueue, be.newNotifier
	t, err := m.store.EnsureTenant(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("tenant %s: %w", tenant, err)
	}
	key, hash := intake.NewAPIKey()
	if err := m.store.CreateAPIKey(ctx, t.ID, hash, []string{intake.ScopeImports, intake.ScopeContacts, intake.ScopeParticipants}); err != nil {
		return nil, err
	}
	p, err := m.store.Authenticate(ctx, hash)
	if err != nil {
		return nil, err
	}
	// The in-process server logs warnings and errors only, unless asked
	// for debug: its request lines are not what the user asked to see.
	if m.Config.LogLevel == "info" {
		m.Config.LogLevel = "warn"
	}
	m.Config.Addr = "127.0.0.1:0"
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() { done <- m.serve(sctx) }()
	select {
	case <-m.ready:
	case err := <-done:
		cancel()
		return nil, err
	}
	stop := func() {
		m.store.RevokeAPIKey(context.Background(), 0, p.KeyID)
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintln(m.Stderr, "intake: local server:", err)
		}
	}
	return &localServer{client: newAPIClient(m.URL(), key), stop: stop}, nil
}
