package sqlite_test

import (
	"testing"

	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/store/storetest"
)

func TestStore(t *testing.T) {
	t.Parallel()
	storetest.RunStore(t, func(t testing.TB) store.Store { return storetest.OpenSQLite(t) })
}
