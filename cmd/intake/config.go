package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	intakehttp "github.com/intake/intake/internal/http"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/imports"
	"github.com/intake/intake/internal/jobs"
	"github.com/intake/intake/internal/source"
)

// Config is the program's configuration: flags with environment fallbacks.
type Config struct {
	// Addr is where serve listens. Env INTAKE_ADDR; default ":8080".
	Addr string
	// DatabaseURL is "sqlite:PATH" or "postgres://…". Env
	// INTAKE_DATABASE_URL; default "sqlite:intake.db".
	DatabaseURL string
	// UploadDir is the local folder uploads are kept in. Env
	// INTAKE_UPLOAD_DIR; default "uploads".
	UploadDir string
	// Region is the phone region for numbers without a country code. Env
	// INTAKE_DEFAULT_REGION; default "NL".
	Region string
	// LogLevel is debug, info, warn or error. Env INTAKE_LOG_LEVEL; default info.
	LogLevel string
	// MaxUploadBytes caps one upload. Env INTAKE_MAX_UPLOAD_BYTES; default 1 GiB.
	MaxUploadBytes int64
	// Workers is how many imports this process runs at once. Env
	// INTAKE_WORKERS; default 2 (the machine has 2 cores, and the database,
	// not Go, is the bottleneck).
	Workers int
	// ChunkSize is the rows per import transaction. Env INTAKE_CHUNK_SIZE;
	// default importer.DefaultChunkSize.
	ChunkSize int
	// LocationPrivate allows import location URLs on private networks. Env
	// INTAKE_LOCATION_ALLOW_PRIVATE; default false.
	LocationPrivate bool
	// Webhooks tunes webhook delivery (webhooks.go).
	Webhooks WebhookConfig
	// RescueAfter is how long a job may look running before another worker
	// takes it over (its process died). Env INTAKE_RESCUE_AFTER; default 5m.
	RescueAfter time.Duration
	// BodyIdle is how long a request body may stall before the request is
	// cut off. Env INTAKE_BODY_IDLE_TIMEOUT; default 60s.
	BodyIdle time.Duration
	// BodyMinRate is the slowest average rate, bytes a second, a request
	// body may arrive at after BodyRateGrace. Env INTAKE_BODY_MIN_RATE;
	// default 4096.
	BodyMinRate int64
	// BodyRateGrace is how long a body may arrive at any rate. Env
	// INTAKE_BODY_RATE_GRACE; default 30s.
	BodyRateGrace time.Duration
	// InflightJSONBytes bounds the JSON bodies handled at once. Env
	// INTAKE_MAX_INFLIGHT_JSON_BYTES; default 64 MiB.
	InflightJSONBytes int64
	// InflightWait is how long a JSON body waits for room before a 503.
	// Env INTAKE_INFLIGHT_WAIT; default 10s.
	InflightWait time.Duration
	// ParkedTTL is how long a job may await its mapping unchanged. Env
	// INTAKE_PARKED_TTL; default 72h.
	ParkedTTL time.Duration
	// MaxParkedBytes caps a tenant's uploads awaiting their mapping. Env
	// INTAKE_MAX_PARKED_BYTES; default 2 GiB.
	MaxParkedBytes int64
	// StaleAfter is how long a process may miss heartbeats (sent every
	// fifth of it) before its running jobs and in-flight idempotency keys
	// are taken over. Env INTAKE_STALE_AFTER; default 10s.
	StaleAfter time.Duration
	// IdempotencyTTL is how long an Idempotency-Key's answer is kept. Env
	// INTAKE_IDEMPOTENCY_TTL; default 24h.
	IdempotencyTTL time.Duration
	// ShutdownGrace is how long SIGTERM waits for running imports to
	// commit the chunk in flight (and requests to end) before cancelling
	// them. Env INTAKE_SHUTDOWN_GRACE; default 30s.
	ShutdownGrace time.Duration
	// LogFormat is text or json. Env INTAKE_LOG_FORMAT; default text.
	LogFormat string
	// Retention is how long a job's upload and error report are kept after
	// the job ends. Env INTAKE_RETENTION; default 720h (30 days).
	Retention time.Duration
	// SweepEvery is how often the retention sweep runs. Env
	// INTAKE_SWEEP_EVERY; default 1h.
	SweepEvery time.Duration
	// MaxReportRows caps the row errors stored per job. Env
	// INTAKE_MAX_REPORT_ROWS; default 100000.
	MaxReportRows int
	// MaxXLSXUnzipped caps what an XLSX workbook's read parts may unpack
	// to. Env INTAKE_MAX_XLSX_UNZIPPED_BYTES; default 1 GiB.
	MaxXLSXUnzipped int64
	// TempDir is where workbooks are spooled and unzipped. Env
	// INTAKE_TEMP_DIR; default the system's temporary folder.
	TempDir string
}

// DefaultConfig returns the zero-configuration defaults: embedded SQLite in
// the working directory.
func DefaultConfig() Config {
	return Config{Addr: ":8080", DatabaseURL: "sqlite:intake.db", UploadDir: "uploads", Region: imports.DefaultRegion, LogLevel: "info",
		MaxUploadBytes: imports.DefaultMaxUploadBytes, Workers: jobs.DefaultWorkers, ChunkSize: importer.DefaultChunkSize,
		RescueAfter: jobs.DefaultRescueAfter, BodyIdle: intakehttp.DefaultBodyIdle, StaleAfter: jobs.DefaultStaleAfter,
		IdempotencyTTL: intakehttp.DefaultIdempotencyTTL, ShutdownGrace: 30 * time.Second, LogFormat: "text",
		Retention: imports.DefaultRetention, SweepEvery: jobs.DefaultSweepEvery, MaxReportRows: imports.DefaultMaxReportRows,
		MaxXLSXUnzipped: source.DefaultMaxUnzippedBytes, BodyMinRate: intakehttp.DefaultBodyMinRate,
		BodyRateGrace: intakehttp.DefaultBodyRateGrace, InflightJSONBytes: intakehttp.DefaultInflightJSONBytes,
		InflightWait: intakehttp.DefaultInflightWait, ParkedTTL: imports.DefaultParkedTTL, MaxParkedBytes: imports.DefaultMaxParkedBytes}
}

// envOr returns the environment variable name, or def when it is unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// bind registers the flags shared by the commands that open the database.
func (c *Config) bind(fs *flag.FlagSet) {
	d := *c
	fs.StringVar(&c.DatabaseURL, "database-url", envOr("INTAKE_DATABASE_URL", d.DatabaseURL), "sqlite:PATH or postgres://… (env INTAKE_DATABASE_URL)")
	fs.StringVar(&c.UploadDir, "upload-dir", envOr("INTAKE_UPLOAD_DIR", d.UploadDir), "folder for uploaded files (env INTAKE_UPLOAD_DIR)")
	fs.StringVar(&c.Region, "region", envOr("INTAKE_DEFAULT_REGION", d.Region), "default phone region, ISO alpha-2 (env INTAKE_DEFAULT_REGION)")
	fs.DurationVar(&c.BodyIdle, "body-idle-timeout", envDuration("INTAKE_BODY_IDLE_TIMEOUT", d.BodyIdle), "cut off a request whose body stalls this long (env INTAKE_BODY_IDLE_TIMEOUT)")
	fs.StringVar(&c.LogLevel, "log-level", envOr("INTAKE_LOG_LEVEL", d.LogLevel), "debug, info, warn or error (env INTAKE_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", envOr("INTAKE_LOG_FORMAT", d.LogFormat), "text or json (env INTAKE_LOG_FORMAT)")
}

// bindWorkers registers the flags of commands that run import workers.
func (c *Config) bindWorkers(fs *flag.FlagSet) {
	fs.Int64Var(&c.MaxUploadBytes, "max-upload-bytes", envInt("INTAKE_MAX_UPLOAD_BYTES", c.MaxUploadBytes), "largest upload accepted (env INTAKE_MAX_UPLOAD_BYTES)")
	fs.IntVar(&c.Workers, "workers", int(envInt("INTAKE_WORKERS", int64(c.Workers))), "imports run at once (env INTAKE_WORKERS)")
	fs.BoolVar(&c.LocationPrivate, "location-allow-private", os.Getenv("INTAKE_LOCATION_ALLOW_PRIVATE") == "true", "let import location URLs reach private and loopback addresses (env INTAKE_LOCATION_ALLOW_PRIVATE)")
	fs.DurationVar(&c.RescueAfter, "rescue-after", envDuration("INTAKE_RESCUE_AFTER", c.RescueAfter), "take over jobs that look running this long (env INTAKE_RESCUE_AFTER)")
	fs.IntVar(&c.ChunkSize, "chunk-size", int(envInt("INTAKE_CHUNK_SIZE", int64(c.ChunkSize))), "rows per import transaction (env INTAKE_CHUNK_SIZE)")
	fs.DurationVar(&c.StaleAfter, "stale-after", envDuration("INTAKE_STALE_AFTER", c.StaleAfter), "take over the jobs of a process silent this long (env INTAKE_STALE_AFTER)")
	fs.DurationVar(&c.IdempotencyTTL, "idempotency-ttl", envDuration("INTAKE_IDEMPOTENCY_TTL", c.IdempotencyTTL), "keep Idempotency-Key answers this long (env INTAKE_IDEMPOTENCY_TTL)")
	fs.DurationVar(&c.ShutdownGrace, "shutdown-grace", envDuration("INTAKE_SHUTDOWN_GRACE", c.ShutdownGrace), "on SIGTERM, wait this long for imports to commit their chunk (env INTAKE_SHUTDOWN_GRACE)")
	fs.DurationVar(&c.Retention, "retention", envDuration("INTAKE_RETENTION", c.Retention), "keep a job's upload and error report this long after it ends (env INTAKE_RETENTION)")
	fs.DurationVar(&c.SweepEvery, "sweep-every", envDuration("INTAKE_SWEEP_EVERY", c.SweepEvery), "run the retention sweep this often (env INTAKE_SWEEP_EVERY)")
	fs.IntVar(&c.MaxReportRows, "max-report-rows", int(envInt("INTAKE_MAX_REPORT_ROWS", int64(c.MaxReportRows))), "row errors stored per job at most; the rest are counted (env INTAKE_MAX_REPORT_ROWS)")
	fs.Int64Var(&c.MaxXLSXUnzipped, "max-xlsx-unzipped-bytes", envInt("INTAKE_MAX_XLSX_UNZIPPED_BYTES", c.MaxXLSXUnzipped), "most an XLSX workbook may unpack to (env INTAKE_MAX_XLSX_UNZIPPED_BYTES)")
	fs.DurationVar(&c.ParkedTTL, "parked-ttl", envDuration("INTAKE_PARKED_TTL", c.ParkedTTL), "fail a job awaiting its mapping unchanged this long and delete its upload (env INTAKE_PARKED_TTL)")
	fs.Int64Var(&c.MaxParkedBytes, "max-parked-bytes", envInt("INTAKE_MAX_PARKED_BYTES", c.MaxParkedBytes), "upload bytes a tenant's jobs awaiting their mapping may hold (env INTAKE_MAX_PARKED_BYTES)")
	c.Webhooks.bind(fs)
	fs.StringVar(&c.TempDir, "temp-dir", envOr("INTAKE_TEMP_DIR", c.TempDir), "folder for spooled and unzipped workbooks; default the system's (env INTAKE_TEMP_DIR)")
}

// bindHTTP registers the flags of the HTTP server's request limits.
func (c *Config) bindHTTP(fs *flag.FlagSet) {
	fs.Int64Var(&c.BodyMinRate, "body-min-rate", envInt("INTAKE_BODY_MIN_RATE", c.BodyMinRate), "cut off a request body averaging fewer bytes a second after the grace period; -1 off (env INTAKE_BODY_MIN_RATE)")
	fs.DurationVar(&c.BodyRateGrace, "body-rate-grace", envDuration("INTAKE_BODY_RATE_GRACE", c.BodyRateGrace), "how long a request body may arrive at any rate (env INTAKE_BODY_RATE_GRACE)")
	fs.Int64Var(&c.InflightJSONBytes, "max-inflight-json-bytes", envInt("INTAKE_MAX_INFLIGHT_JSON_BYTES", c.InflightJSONBytes), "bytes of JSON bodies (bulk calls, JSON imports) handled at once (env INTAKE_MAX_INFLIGHT_JSON_BYTES)")
	fs.DurationVar(&c.InflightWait, "inflight-wait", envDuration("INTAKE_INFLIGHT_WAIT", c.InflightWait), "how long a JSON body waits for room before a 503 (env INTAKE_INFLIGHT_WAIT)")
}

// limits is the HTTP server's Limits from the configuration.
func (c *Config) limits() intakehttp.Limits {
	return intakehttp.Limits{BodyMinRate: c.BodyMinRate, BodyRateGrace: c.BodyRateGrace, InflightJSONBytes: c.InflightJSONBytes,
		InflightWait: c.InflightWait}
}

func envInt(name string, def int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if !knownDatabase(c.DatabaseURL) {
		return fmt.Errorf("database url %q: want sqlite:PATH or postgres://…", c.DatabaseURL)
	}
	if len(c.Region) != 2 {
		return fmt.Errorf("region %q: want an ISO 3166-1 alpha-2 code such as NL or US", c.Region)
	}
	if c.MaxUploadBytes <= 0 || c.Workers <= 0 || c.ChunkSize <= 0 || c.RescueAfter <= 0 || c.BodyIdle < 0 {
		return fmt.Errorf("max upload bytes, workers, chunk size and rescue-after must be positive")
	}
	if c.StaleAfter < time.Second || c.IdempotencyTTL <= 0 || c.ShutdownGrace < 0 {
		return fmt.Errorf("stale-after must be at least 1s, idempotency-ttl positive and shutdown-grace not negative")
	}
	if c.Retention <= 0 || c.SweepEvery <= 0 || c.MaxReportRows <= 0 || c.MaxXLSXUnzipped <= 0 {
		return fmt.Errorf("retention, sweep-every, max-report-rows and max-xlsx-unzipped-bytes must be positive")
	}
	if c.BodyMinRate == 0 || c.BodyRateGrace <= 0 || c.InflightJSONBytes <= 0 || c.InflightWait <= 0 || c.ParkedTTL <= 0 || c.MaxParkedBytes <= 0 {
		return fmt.Errorf("body-min-rate must be positive (or -1: off); body-rate-grace, max-inflight-json-bytes, inflight-wait, parked-ttl and max-parked-bytes positive")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("log format %q: want text or json", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log level %q: want debug, info, warn or error", c.LogLevel)
	}
	return nil
}
