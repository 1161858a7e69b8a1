package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/postgres"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/store/storetest"
	"github.com/intake/intake/internal/testdb"
)

func TestStore(t *testing.T) {
	t.Parallel()
	storetest.RunStore(t, func(t testing.TB) store.Store { return testdb.OpenPostgres(t) })
}

// setup opens a store in a fresh schema with one tenant.
func setup(t testing.TB) (*postgres.DB, intake.Tenant) {
	t.Helper()
	db := testdb.OpenPostgres(t)
	a, err := db.EnsureTenant(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	return db, a
}

func contacts(n int, prefix string) []*intake.Contact {
	cs := make([]*intake.Contact, n)
	for i := range cs {
		cs[i] = &intake.Contact{Email: fmt.Sprintf("%s%d@example.com", prefix, i), CustomerNumber: fmt.Sprintf("%s-%d", prefix, i),
			FirstName: "Ann", LastName: "Lee", Name: "Ann Lee", City: "Oslo", Tags: []string{"lead"},
			Custom: map[string]string{"member id": fmt.Sprint(i)}}
	}
	return cs
}

func TestBulkInsertThenFindByEveryEmail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, a := setup(t)
	cs := contacts(5000, "bulk")
	if err := db.Write(ctx, a.ID, func(tx store.Tx) error { return tx.InsertContacts(ctx, cs) }); err != nil {
		t.Fatal(err)
	}
	want := make(map[string]int64, len(cs))
	emails := make([]string, len(cs))
	for i, c := range cs {
		if c.ID == 0 || c.CreatedAt.IsZero() || !c.UpdatedAt.Equal(c.CreatedAt) {
			t.Fatalf("contact %d: id/timestamps not set: %+v", i, c)
		}
		want[c.Email] = c.ID
		emails[i] = c.Email
	}
	if len(want) != len(cs) {
		t.Fatalf("duplicate emails in test data")
	}
	err := db.Write(ctx, a.ID, func(tx store.Tx) error {
		found, err := tx.FindContacts(ctx, store.Lookup{Emails: emails})
		if err != nil {
			return err
		}
		if len(found) != len(cs) {
			return fmt.Errorf("found %d contacts, want %d", len(found), len(cs))
		}
		ids := map[int64]bool{}
		for _, f := range found {
			if want[f.Email] != f.ID {
				return fmt.Errorf("%s: id %d, want %d", f.Email, f.ID, want[f.Email])
			}
			if ids[f.ID] {
				return fmt.Errorf("id %d found twice", f.ID)
			}
			ids[f.ID] = true
		}
		// The values set in memory are the stored ones, to the microsecond.
		if !found[0].CreatedAt.Equal(cs[0].CreatedAt) {
			return fmt.Errorf("created_at stored %v, set %v", found[0].CreatedAt, cs[0].CreatedAt)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWritesToTwoTenantsDoNotBlockEachOther(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, a := setup(t)
	b, err := db.EnsureTenant(ctx, "globex")
	if err != nil {
		t.Fatal(err)
	}
	locked, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	var errA error
	wg.Go(func() {
		errA = db.Write(ctx, a.ID, func(tx store.Tx) error {
			close(locked)
			<-release // hold tenant a's lock until tenant b's write is done
			return tx.InsertContacts(ctx, contacts(1, "a"))
		})
	})
	<-locked
	bctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	errB := db.Write(bctx, b.ID, func(tx store.Tx) error { return tx.InsertContacts(bctx, contacts(1, "b")) })
	close(release)
	wg.Wait()
	if errB != nil {
		t.Fatalf("tenant b's write while tenant a's is open: %v", errB)
	}
	if errA != nil {
		t.Fatal(errA)
	}
}

func TestWriteToOneTenantWaitsForTheOther(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, a := setup(t)
	locked, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- db.Write(ctx, a.ID, func(tx store.Tx) error {
			close(locked)
			<-release
			return nil
		})
	}()
	<-locked
	// While the first write holds the lock a second one cannot start; its
	// context ends first.
	wctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	ran := false
	err := db.Write(wctx, a.ID, func(store.Tx) error { ran = true; return nil })
	close(release)
	if err == nil || ran {
		t.Fatalf("second write ran while the tenant was locked (err %v)", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestJobsDoNotWaitForTheTenantWriteLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, a := setup(t)
	locked, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- db.Write(ctx, a.ID, func(tx store.Tx) error {
			close(locked)
			<-release // an all-or-nothing import holds the lock for minutes
			return nil
		})
	}()
	<-locked
	jctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	im := &intake.Import{TenantID: a.ID, Status: intake.StatusQueued, Spec: intake.DefaultSpec()}
	err := db.Jobs(jctx, a.ID, func(tx store.JobTx) error {
		if err := tx.CreateImport(jctx, im); err != nil {
			return err
		}
		_, err := tx.UpdateImport(jctx, im.ID, func(im *intake.Import) error { im.Status = intake.StatusRunning; return nil })
		return err
	})
	close(release)
	if err != nil {
		t.Fatalf("job bookkeeping while the tenant's write lock is held: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestUpdateContacts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, a := setup(t)
	cs := contacts(3, "u")
	if err := db.Write(ctx, a.ID, func(tx store.Tx) error { return tx.InsertContacts(ctx, cs) }); err != nil {
		t.Fatal(err)
	}

	t.Run("twice in one transaction, last value of an id wins", func(t *testing.T) {
		first, second, again := *cs[0], *cs[1], *cs[0]
		first.City, second.City, again.City = "Bergen", "Rome", "Paris"
		err := db.Write(ctx, a.ID, func(tx store.Tx) error {
			if err := tx.UpdateContacts(ctx, []*intake.Contact{&first}); err != nil {
				return err
			}
			return tx.UpdateContacts(ctx, []*intake.Contact{&second, &again})
		})
		if err != nil {
			t.Fatal(err)
		}
		for id, city := range map[int64]string{cs[0].ID: "Paris", cs[1].ID: "Rome", cs[2].ID: "Oslo"} {
			got, err := db.GetContact(ctx, a.ID, id)
			if err != nil || got.City != city {
				t.Errorf("contact %d: city %q (%v), want %q", id, got.City, err, city)
			}
		}
	})

	t.Run("taking another contact's email is a conflict", func(t *testing.T) {
		u := *cs[2]
		u.Email = cs[1].Email
		err := db.Write(ctx, a.ID, func(tx store.Tx) error { return tx.UpdateContacts(ctx, []*intake.Contact{&u}) })
		if intake.ErrorCode(err) != intake.ECONFLICT || !strings.Contains(intake.ErrorMessage(err), cs[1].Email) {
			t.Fatalf("err = %v, want a conflict naming %s", err, cs[1].Email)
		}
	})

	t.Run("another tenant's id is left alone", func(t *testing.T) {
		b, err := db.EnsureTenant(ctx, "globex")
		if err != nil {
			t.Fatal(err)
		}
		u := *cs[2]
		u.City = "Hijacked"
		if err := db.Write(ctx, b.ID, func(tx store.Tx) error { return tx.UpdateContacts(ctx, []*intake.Contact{&u}) }); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.GetContact(ctx, a.ID, cs[2].ID); got.City != "Oslo" {
			t.Fatalf("tenant b updated tenant a's contact: %+v", got)
		}
	})
}

func TestInsertConflictNamesTheField(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, a := setup(t)
	for _, tc := range []struct {
		name string
		cs   []*intake.Contact
		want string
	}{
		{"customer number within the batch", []*intake.Contact{{CustomerNumber: "C1"}, {CustomerNumber: "C1"}}, `customer number "C1"`},
		{"email within the batch", []*intake.Contact{{Email: "x@example.com"}, {Email: "x@example.com"}}, `email "x@example.com"`},
	} {
		err := db.Write(ctx, a.ID, func(tx store.Tx) error { return tx.InsertContacts(ctx, tc.cs) })
		if intake.ErrorCode(err) != intake.ECONFLICT || !strings.Contains(intake.ErrorMessage(err), tc.want) {
			t.Errorf("%s: err = %v, want a conflict naming %s", tc.name, err, tc.want)
		}
	}
}

func TestOpenTwiceMigratesOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testdb.PostgresSchemaURL(t)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() {
			db, err := postgres.Open(ctx, url)
			if err == nil {
				db.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkInsertContacts1000 measures the COPY insert path: one Write with
// one InsertContacts of 1000 new contacts per op.
func BenchmarkInsertContacts1000(b *testing.B) {
	ctx := context.Background()
	db, a := setup(b)
	n := 0
	for b.Loop() {
		cs := contacts(1000, fmt.Sprintf("b%d-", n))
		n++
		if err := db.Write(ctx, a.ID, func(tx store.Tx) error { return tx.InsertContacts(ctx, cs) }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(1000*n)/b.Elapsed().Seconds(), "contacts/s")
}
