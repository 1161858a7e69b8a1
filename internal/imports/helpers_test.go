package imports

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
	"github.com/intake/intake/internal/store"
)

// bundle is what a job test needs: a real store, a real bucket, a runner.
type bundle struct {
	store  store.Store
	bucket *blob.Bucket
	svc    *Service
	tenant int64
}

func setup(tb testing.TB, s store.Store) *bundle {
	tb.Helper()
	bucket, err := fileblob.OpenBucket(tb.TempDir(), &fileblob.Options{NoTempDir: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { bucket.Close() })
	tn, err := s.EnsureTenant(context.Background(), fmt.Sprintf("t-%s", strings.ReplaceAll(tb.Name(), "/", "-")))
	if err != nil {
		tb.Fatal(err)
	}
	return &bundle{store: s, bucket: bucket, tenant: tn.ID, svc: New(s, bucket, "NL", 0)}
}

var uploadSeq atomic.Int64

// newImport stores content as an upload and creates a queued job for it.
func (b *bundle) newImport(tb testing.TB, content string, mutate func(*intake.Import)) intake.Import {
	tb.Helper()
	ctx := context.Background()
	key := fmt.Sprintf("imports/%d/%s-%d", b.tenant, strings.ReplaceAll(tb.Name(), "/", "-"), uploadSeq.Add(1))
	if err := b.bucket.WriteAll(ctx, key, []byte(content), nil); err != nil {
		tb.Fatal(err)
	}
	im := intake.Import{TenantID: b.tenant, Status: intake.StatusQueued, FileKey: key,
		FileName: "contacts.csv", Format: "csv", Spec: intake.DefaultSpec()}
	im.Spec.Mapping = map[string]string{}
	im.Headers = strings.Split(strings.SplitN(content, "\n", 2)[0], ",")
	for _, h := range im.Headers {
		if _, ok := intake.LookupField(h); ok {
			im.Spec.Mapping[h] = h
		}
	}
	if mutate != nil {
		mutate(&im)
	}
	if err := store.CreateImport(ctx, b.store, &im); err != nil {
		tb.Fatal(err)
	}
	return im
}

// contactsCSV makes n rows like ../shared/bench/gen_contacts.py --messy:
// every 100th row repeats an earlier email in another case with spaces,
// every 200th has an invalid email. It returns the file and the number of
// distinct valid emails, invalid rows and duplicate rows.
func contactsCSV(n int) (csv string, distinct, invalid, dups int) {
	var b strings.Builder
	b.WriteString("email,first_name,last_name,phone,company,city,country,customer_number,tags\n")
	for i := range n {
		email := fmt.Sprintf("user.%d@example%d.com", i, i%97)
		switch {
		case i > 10 && i%100 == 7:
			email = fmt.Sprintf("  USER.%d@EXAMPLE%d.COM ", i-5, (i-5)%97)
			dups++
		case i%200 == 3:
			email = fmt.Sprintf("user.%d-at-example.com", i)
			invalid++
		default:
			distinct++
		}
		fmt.Fprintf(&b, "%s,Anna,Müller,06-%08d,\"Acme, BV\",Zürich,CH,C%08d,\"vip,lead\"\n", email, 10000000+i, i)
	}
	return b.String(), distinct, invalid, dups
}

// fixed is a translation that always asks for req.
func fixed(req intake.ImportRequest) dialect.Translate {
	return func(dialect.Request) (dialect.Translation, error) {
		return dialect.Translation{ImportRequest: req}, nil
	}
}

// create is the one create path with a fixed translation: the job it made.
func (b *bundle) create(ctx context.Context, up Upload, req intake.ImportRequest) (intake.Import, error) {
	c, err := b.svc.Create(ctx, b.tenant, Input{Upload: up, Translate: fixed(req)})
	return c.Import, err
}
