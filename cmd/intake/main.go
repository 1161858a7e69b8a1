// Command intake is the Intake bulk-import service: `intake serve` runs the
// API and the import workers; `intake keys create` makes API keys;
// `intake migrate` applies the schema.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"

	"github.com/intake/intake"
	intakehttp "github.com/intake/intake/internal/http"
	"github.com/intake/intake/internal/imports"
	"github.com/intake/intake/internal/jobs"
	"github.com/intake/intake/internal/metrics"
	"github.com/intake/intake/internal/notify"
	"github.com/intake/intake/internal/selection"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/webhook"
)

const usage = `intake: bulk import of people data

usage:
  intake serve [--addr :8080] [--database-url URL]   run the API and workers
  intake worker [--database-url URL]                  run import workers only (scale out on PostgreSQL)
  intake migrate [--database-url URL]                 apply schema migrations
  intake keys create --tenant T --scopes a,b          create an API key (printed alone on stdout)
  intake keys list [--tenant T]                       list API keys (ids, scopes, dates; never secrets)
  intake keys revoke --id N                           revoke an API key at once
  intake import FILE [--mode upsert …]                import a file: on the local database, or --server URL --key KEY
  intake imports list|show ID|cancel ID               a server's import jobs (--server URL --key KEY)
  intake sample ROWS [--messy]                        write a sample contacts CSV to stdout
  intake version                                      print the version (also --version)

intake COMMAND --help lists a command's flags with their defaults.

Every flag has an environment fallback: INTAKE_ADDR, INTAKE_DATABASE_URL,
INTAKE_UPLOAD_DIR, INTAKE_DEFAULT_REGION, INTAKE_LOG_LEVEL, INTAKE_MAX_UPLOAD_BYTES,
INTAKE_WORKERS, INTAKE_CHUNK_SIZE, INTAKE_STALE_AFTER, INTAKE_IDEMPOTENCY_TTL,
INTAKE_SHUTDOWN_GRACE, INTAKE_LOG_FORMAT.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain(os.Stdout, os.Stderr)
	if err := m.ParseFlags(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "intake:", err)
		os.Exit(2)
	}
	err := m.Run(ctx)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if msg := err.Error(); msg != "" && !strings.HasPrefix(msg, "exit ") {
			fmt.Fprintln(os.Stderr, "intake:", msg)
		}
		os.Exit(exitCode(err))
	}
}

// Main is the program: ParseFlags, Run, Close. Tests boot it on :0.
type Main struct {
	Config Config
	Stdout io.Writer
	Stderr io.Writer

	command string
	tenant  string
	scopes  string
	keyID   int64

	store    store.Store
	newQueue func(ctx context.Context, r jobs.Runner, cfg jobs.QueueConfig) (jobs.Queue, error) // on the store's database
	// newNotifier and closeNotifier start and stop the job-change notifier.
	newNotifier   func(ctx context.Context) (notify.Notifier, func() error, error)
	closeNotifier func() error
	bucket        *blob.Bucket
	queue         jobs.Queue
	listener      net.Listener
	server        *http.Server
	ready         chan struct{}
	// stopping is closed when a shutdown begins: imports stop after the
	// chunk in flight, sync requests stop waiting.
	stopping chan struct{}
	// processID names this process in the heartbeat table and to River.
	processID string
	prom      *metrics.Metrics
	// cli runs a client command (import, imports, sample, version) in
	// place of the database commands; see parseCLI.
	cli       func(ctx context.Context) error
	webhooks  *webhook.Service
	selection *selection.Service
}

// NewMain returns a Main with the default configuration.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{Config: DefaultConfig(), Stdout: stdout, Stderr: stderr, ready: make(chan struct{}),
		stopping: make(chan struct{}), processID: jobs.NewProcessID()}
}

// ParseFlags reads the command and its flags.
func (m *Main) ParseFlags(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	if ok, err := m.parseCLI(cmd, rest); ok {
		return err
	}
	if cmd == "keys" {
		if len(rest) > 0 && (rest[0] == "--help" || rest[0] == "-h" || rest[0] == "-help") {
			fmt.Fprint(m.Stderr, "usage: intake keys create|list|revoke [flags]\n\nintake keys create --help (list, revoke) lists each one's flags.\n")
			return flag.ErrHelp
		}
		if len(rest) == 0 || (rest[0] != "create" && rest[0] != "list" && rest[0] != "revoke") {
			return errors.New("usage: intake keys create|list|revoke (intake help for the flags)")
		}
		cmd, rest = "keys "+rest[0], rest[1:]
	}
	fs := flag.NewFlagSet("intake "+cmd, flag.ContinueOnError)
	m.Config.bind(fs)
	switch cmd {
	case "serve":
		fs.StringVar(&m.Config.Addr, "addr", envOr("INTAKE_ADDR", m.Config.Addr), "listen address (env INTAKE_ADDR)")
		m.Config.bindWorkers(fs)
		m.Config.bindHTTP(fs)
	case "migrate":
	case "worker":
		m.Config.bindWorkers(fs)
	case "keys create":
		fs.StringVar(&m.tenant, "tenant", "", "tenant slug; created if new")
		fs.StringVar(&m.scopes, "scopes", "contacts", "comma list of scopes: "+strings.Join(intake.KnownScopes, ", "))
	case "keys list":
		fs.StringVar(&m.tenant, "tenant", "", "only this tenant's keys (default: every tenant's)")
	case "keys revoke":
		fs.Int64Var(&m.keyID, "id", 0, "id of the key to revoke (see intake keys list)")
	case "help", "-h", "--help":
		fmt.Fprint(m.Stderr, usage)
		return flag.ErrHelp
	default:
		return fmt.Errorf("unknown command %q (intake help lists the commands)", cmd)
	}
	pos, err := m.parseFlags(fs, rest, "intake "+cmd+" [flags]")
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("unexpected arguments: %v", pos)
	}
	m.command = cmd
	return m.Config.Validate()
}

// logger logs to Stderr, as text or JSON, with every record logged with a
// request's context carrying its request_id.
func (m *Main) logger() *slog.Logger {
	var lvl slog.Level
	lvl.UnmarshalText([]byte(m.Config.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	var h slog.Handler = slog.NewTextHandler(m.Stderr, opts)
	if m.Config.LogFormat == "json" {
		h = slog.NewJSONHandler(m.Stderr, opts)
	}
	return slog.New(intakehttp.LogHandler{Handler: h}).With("process", m.processID)
}

// Run runs the command until it finishes or ctx is cancelled.
func (m *Main) Run(ctx context.Context) error {
	if m.cli != nil {
		return m.cli(ctx)
	}
	be, err := openBackend(ctx, m.Config.DatabaseURL)
	if err != nil {
		return err
	}
	m.store, m.newQueue, m.newNotifier = be.store, be.newQueue, be.newNotifier
	switch m.command {
	case "migrate":
		fmt.Fprintln(m.Stderr, "intake: migrations applied")
		return nil
	case "keys create":
		return m.createKey(ctx)
	case "keys list":
		return m.listKeys(ctx)
	case "keys revoke":
		return m.revokeKey(ctx)
	case "worker":
		return m.work(ctx)
	}
	return m.serve(ctx)
}

func (m *Main) createKey(ctx context.Context) error {
	if strings.TrimSpace(m.tenant) == "" {
		return unusable("--tenant is required (intake keys create --help lists the flags)")
	}
	scopes, err := intake.ParseScopes(m.scopes)
	if err != nil {
		return unusable("%s", intake.ErrorMessage(err))
	}
	t, err := m.store.EnsureTenant(ctx, strings.TrimSpace(m.tenant))
	if err != nil {
		return err
	}
	key, hash := intake.NewAPIKey()
	if err := m.store.CreateAPIKey(ctx, t.ID, hash, scopes); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, key)
	if p, err := m.store.Authenticate(ctx, hash); err == nil {
		fmt.Fprintf(m.Stderr, "intake: key %d created for tenant %s (scopes %s); it is shown only now\n", p.KeyID, t.Slug, strings.Join(scopes, ","))
	}
	return nil
}

// parts builds the upload bucket, the import service and its job queue.
func (m *Main) parts(ctx context.Context, logger *slog.Logger) (*imports.Service, jobs.Queue, error) {
	bucket, err := fileblob.OpenBucket(m.Config.UploadDir, &fileblob.Options{CreateDir: true, NoTempDir: true})
	if err != nil {
		return nil, nil, fmt.Errorf("upload dir %s: %w", m.Config.UploadDir, err)
	}
	m.bucket = bucket
	svc := imports.New(m.store, bucket, m.Config.Region, m.Config.ChunkSize)
	svc.Logger, svc.MaxUploadBytes, svc.LocationPrivate = logger, m.Config.MaxUploadBytes, m.Config.LocationPrivate
	svc.Stopping, svc.Observer = m.stopping, m.metrics(logger)
	svc.Retention, svc.MaxReportRows, svc.MaxXLSXUnzipped = m.Config.Retention, m.Config.MaxReportRows, m.Config.MaxXLSXUnzipped
	svc.UploadDir, svc.TempDir = m.Config.UploadDir, m.Config.TempDir
	svc.ParkedTTL, svc.MaxParkedBytes = m.Config.ParkedTTL, m.Config.MaxParkedBytes
	if svc.Notifier, m.closeNotifier, err = m.newNotifier(ctx); err != nil {
		return nil, nil, err
	}
	if m.Config.TempDir != "" {
		if err := os.MkdirAll(m.Config.TempDir, 0o700); err != nil {
			return nil, nil, fmt.Errorf("temp dir: %w", err)
		}
	}
	if n := svc.CleanTemp(ctx); n > 0 {
		logger.Info("removed stale temporary files", "count", n)
	}
	m.webhooks, m.selection = m.followups(logger)
	svc.Followups = m.webhooks
	q, err := m.newQueue(ctx, svc, jobs.QueueConfig{Workers: m.Config.Workers, RescueAfter: m.Config.RescueAfter, Logger: logger,
		ProcessID: m.processID, Heartbeats: m.store, StaleAfter: m.Config.StaleAfter, Sweeper: svc, SweepEvery: m.Config.SweepEvery,
		Deliverer: m.webhooks})
	if err != nil {
		return nil, nil, err
	}
	svc.Queue = q
	return svc, q, nil
}

// work runs import workers only, until ctx ends.
func (m *Main) work(ctx context.Context) error {
	logger := m.logger()
	_, q, err := m.parts(ctx, logger)
	if err != nil {
		return err
	}
	// Not ctx: River cancels running jobs when its start context ends, and a
	// shutdown must let them commit their chunk first (see serve).
	if err := q.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	logger.Info("intake worker running", "database", redact(m.Config.DatabaseURL), "workers", m.Config.Workers)
	close(m.ready)
	<-ctx.Done()
	close(m.stopping)
	stop, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownGrace)
	defer cancel()
	return q.Stop(stop)
}

func (m *Main) serve(ctx context.Context) error {
	logger := m.logger()
	svc, q, err := m.parts(ctx, logger)
	if err != nil {
		return err
	}
	srv := intakehttp.NewServer(intakehttp.Config{Store: m.store, Imports: svc, Logger: logger, Pprof: os.Getenv("INTAKE_PPROF") == "1",
		BodyIdle: m.Config.BodyIdle, Limits: m.Config.limits(), ProcessID: m.processID, IdempotencyTTL: m.Config.IdempotencyTTL,
		StaleAfter: m.Config.StaleAfter, Metrics: m.metrics(logger), Webhooks: m.webhooks, Selections: m.selection})
	// Not ctx: River cancels running jobs when its start context ends, and a
	// shutdown must let them commit their chunk first (see serve).
	if err := q.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	m.queue = q
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	m.listener = ln
	// Headers must arrive within 10 s and an idle keep-alive connection is
	// closed after 2 min; a body's stalls are bounded by the handler
	// (Config.BodyIdle), since an upload may legitimately take an hour.
	m.server = &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	logger.Info("intake serving", "addr", ln.Addr().String(), "database", redact(m.Config.DatabaseURL))
	close(m.ready)
	errc := make(chan error, 1)
	go func() { errc <- m.server.Serve(ln) }()
	go m.purgeIdempotencyKeys(ctx, logger)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Graceful shutdown: running imports stop after the chunk in flight
	// commits (with its checkpoint) and sync requests answer with their job
	// as it is; the listener stops taking requests and waits for those in
	// flight; then the queue waits for its imports, cancelling them after
	// the grace. A stopped import resumes from its checkpoint on the next
	// start of any process.
	logger.Info("intake stopping", "grace", m.Config.ShutdownGrace)
	close(m.stopping)
	shutdown, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownGrace)
	defer cancel()
	err = m.server.Shutdown(shutdown)
	err = errors.Join(err, q.Stop(shutdown))
	logger.Info("intake stopped")
	return err
}

// URL returns the base URL serve listens on, once it does.
func (m *Main) URL() string {
	<-m.ready
	return "http://" + m.listener.Addr().String()
}

// Close releases what Run opened.
func (m *Main) Close() error {
	var errs []error
	if m.closeNotifier != nil {
		errs = append(errs, m.closeNotifier())
	}
	if m.bucket != nil {
		errs = append(errs, m.bucket.Close())
	}
	if m.store != nil {
		errs = append(errs, m.store.Close())
	}
	return errors.Join(errs...)
}

// redact hides a password in a database URL for logs.
func redact(u string) string {
	if i := strings.Index(u, "@"); i > 0 {
		if j := strings.Index(u, "://"); j > 0 && j < i {
			return u[:j+3] + "…" + u[i:]
		}
	}
	return u
}
