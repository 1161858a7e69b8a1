package sqlite_test

import (
	"testing"

	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/store/storetest"
	"github.com/intake/intake/internal/testdb"
)

func TestStore(t *testing.T) {
	t.Parallel()
	storetest.RunStore(t, func(t testing.TB) store.Store { return testdb.OpenSQLite(t) })
}
