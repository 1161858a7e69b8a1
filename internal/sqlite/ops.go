package sqlite

import (
	"context"
	"errors"
	"fmt"

	"github.com/pressly/goose/v3"
)

// Ready implements store.Ops: the reader pool answers and goose finds no
// pending migration (a reader suffices, so the check never waits for the
// one writer).
func (db *DB) Ready(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.read, mustSub(migrations, "migrations"),
		goose.WithGoMigrations(autoincrementMigration()))
	if err != nil {
		return fmt.Errorf("sqlite migrations: %w", err)
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("sqlite migrations: %w", err)
	}
	if pending {
		return errors.New("sqlite: migrations pending; run intake migrate")
	}
	return nil
}
