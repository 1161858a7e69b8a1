package http

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"golang.org/x/sync/semaphore"
)

// Limits bound what requests may cost the server beyond each route's own
// size limit: how slowly a body may arrive, and how many bytes of JSON
// bodies are held in memory at once. docs/limits.md lists every limit.
type Limits struct {
	// BodyMinRate is the slowest average rate, in bytes a second, a request
	// body may arrive at once BodyRateGrace has passed since its first read;
	// a slower one is cut off (408). 0 is DefaultBodyMinRate, negative off.
	BodyMinRate int64
	// BodyRateGrace is how long a body may arrive at any rate before
	// BodyMinRate applies; default DefaultBodyRateGrace.
	BodyRateGrace time.Duration
	// InflightJSONBytes bounds the bytes of JSON request bodies (bulk calls,
	// JSON import bodies) being decoded and run at once, counted by their
	// declared length (their route's limit when undeclared); default
	// DefaultInflightJSONBytes.
	InflightJSONBytes int64
	// InflightWait is how long a JSON body waits for room in
	// InflightJSONBytes before it is answered 503 with Retry-After; default
	// DefaultInflightWait.
	InflightWait time.Duration
}

// Defaults of Limits.
const (
	// DefaultBodyMinRate is 4 KiB/s (32 kbit/s): slower than any working
	// uplink, so only a trickle trips it, and a 1 GiB upload may still take
	// three days.
	DefaultBodyMinRate = 4 << 10
	// DefaultBodyRateGrace lets a client start slowly (TLS, a busy phone).
	DefaultBodyRateGrace = 30 * time.Second
	// DefaultInflightJSONBytes holds two bulk calls at their 32 MiB limit
	// (each costs about three times its body in memory while it runs), or
	// one JSON import body at its 64 MiB limit, or many small calls.
	DefaultInflightJSONBytes = 64 << 20
	// DefaultInflightWait is how long a call waits for room: long enough to
	// ride out a burst, short enough that a client is not left hanging.
	DefaultInflightWait = 10 * time.Second
)

func (l Limits) withDefaults() Limits {
	if l.BodyMinRate == 0 {
		l.BodyMinRate = DefaultBodyMinRate
	}
	if l.BodyRateGrace <= 0 {
		l.BodyRateGrace = DefaultBodyRateGrace
	}
	if l.InflightJSONBytes <= 0 {
		l.InflightJSONBytes = DefaultInflightJSONBytes
	}
	if l.InflightWait <= 0 {
		l.InflightWait = DefaultInflightWait
	}
	return l
}

// jsonBudget bounds the bytes of JSON bodies held in memory at once: a
// JSON body is decoded whole, so each one in flight costs a multiple of its
// size, and nothing else would bound how many run together. A call takes
// its weight before it reads its body, so a waiting call costs nothing but
// its connection.
type jsonBudget struct {
	sem  *semaphore.Weighted
	size int64
	wait time.Duration
}

func newJSONBudget(l Limits) *jsonBudget {
	return &jsonBudget{sem: semaphore.NewWeighted(l.InflightJSONBytes), size: l.InflightJSONBytes, wait: l.InflightWait}
}

// weight is what a body counts against the budget: its declared length, or
// max (its route's limit) when it declares none or more (a body over max
// is refused once max is read). One larger than the whole budget counts as
// the whole budget: it runs alone.
func (b *jsonBudget) weight(r *http.Request, max int64) int64 {
	n := r.ContentLength
	if n < 0 || n > max {
		n = max
	}
	return min(n, b.size)
}

// acquire waits up to the budget's wait for n bytes of room; release gives
// them back. A call that finds no room in time gets a 503 (busy) and sets
// Retry-After through header.
func (b *jsonBudget) acquire(ctx context.Context, n int64, header http.Header) (release func(), err error) {
	if n <= 0 {
		return func() {}, nil
	}
	wctx, cancel := context.WithTimeout(ctx, b.wait)
	defer cancel()
	if err := b.sem.Acquire(wctx, n); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("wait for room for a JSON body: %w", ctx.Err())
		}
		header.Set("Retry-After", strconv.Itoa(b.retryAfter()))
		return nil, huma.NewError(http.StatusServiceUnavailable, fmt.Sprintf("The server is busy with other large requests "+
			"(at most %d bytes of JSON bodies are handled at once); retry in %d seconds.", b.size, b.retryAfter()))
	}
	return func() { b.sem.Release(n) }, nil
}

// retryAfter is the Retry-After of a busy answer, in seconds: the wait a
// call was given, for a bulk call at the limit takes seconds to run.
func (b *jsonBudget) retryAfter() int {
	return max(1, int(b.wait/time.Second))
}

// metaJSONBudget marks a huma operation whose JSON body counts against the
// budget (see budgeted).
const metaJSONBudget = "intake.jsonBudget"

// budgeted makes a huma operation's body count against the JSON budget for
// the whole call: the decoded body lives until the handler returns.
func budgeted(op huma.Operation) huma.Operation {
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	op.Metadata[metaJSONBudget] = true
	return op
}

// admitJSON is the huma middleware that holds a budgeted operation's body
// weight from before its body is read until its handler returns.
func (s *Server) admitJSON(ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	if op == nil || op.Metadata[metaJSONBudget] != true {
		next(ctx)
		return
	}
	r, w := humago.Unwrap(ctx)
	release, err := s.budget.acquire(ctx.Context(), s.budget.weight(r, op.MaxBodyBytes), w.Header())
	if err != nil {
		var se huma.StatusError
		if errors.As(err, &se) {
			huma.WriteErr(s.api, ctx, se.GetStatus(), se.Error())
		}
		return
	}
	defer release()
	next(ctx)
}

// bodyClock is a request body under the time limits: each read must bring
// data within the idle timeout, and once the grace period has passed since
// the first read the body must have averaged the minimum rate. Both are
// one read deadline on the connection, moved with every read, so a
// trickle is cut off when it falls behind, not only when it stops.
type bodyClock struct {
	io.ReadCloser
	rc      *http.ResponseController
	idle    time.Duration
	minRate int64
	grace   time.Duration
	start   time.Time
	read    int64
	// cut is why the body was cut off, once it was.
	cut *bodyCutError
}

func (b *bodyClock) Read(p []byte) (int, error) {
	now := time.Now()
	if b.start.IsZero() {
		b.start = now
	}
	deadline, slow := now.Add(b.idle), false
	if b.minRate > 0 {
		// With no more data the average falls below minRate at
		// start + read/minRate, and is checked from start + grace.
		due := b.start.Add(max(b.grace, time.Duration(float64(b.read)/float64(b.minRate)*float64(time.Second))))
		if due.Before(deadline) {
			deadline, slow = due, true
		}
	}
	b.rc.SetReadDeadline(deadline) // unsupported writers just have no deadline
	n, err := b.ReadCloser.Read(p)
	b.read += int64(n)
	if err != nil && isTimeout(err) {
		b.cut = b.cutError(slow)
		return n, b.cut
	}
	return n, err
}

func (b *bodyClock) cutError(slow bool) *bodyCutError {
	if !slow {
		return &bodyCutError{fmt.Sprintf("The request body stalled: no data arrived for %s.", b.idle)}
	}
	took := time.Since(b.start).Round(time.Second)
	return &bodyCutError{fmt.Sprintf("The request body arrived too slowly: %d bytes in %s, below the minimum of %d bytes a second. "+
		"Send it over a faster connection, or in smaller requests.", b.read, took, b.minRate)}
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// bodyCutError is the read error of a body cut off by its time limits. It
// is a timeout, so every reader that answers a timed-out body with 408
// does so for it, and its message says which limit it met.
type bodyCutError struct{ msg string }

func (e *bodyCutError) Error() string   { return e.msg }
func (e *bodyCutError) Timeout() bool   { return true }
func (e *bodyCutError) Temporary() bool { return false }
func (e *bodyCutError) Unwrap() error   { return os.ErrDeadlineExceeded }

type bodyClockKey struct{}

// bodyCut returns why the request's body was cut off, or nil.
func bodyCut(ctx context.Context) *bodyCutError {
	if b, ok := ctx.Value(bodyClockKey{}).(*bodyClock); ok {
		return b.cut
	}
	return nil
}

func init() {
	// huma answers a timed-out body with 408 "request body read timeout";
	// the answer says which limit the body met instead.
	huma.NewErrorWithContext = func(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		if status == http.StatusRequestTimeout && ctx != nil {
			if cut := bodyCut(ctx.Context()); cut != nil {
				msg = cut.msg
			}
		}
		return huma.NewError(status, msg, errs...)
	}
}
