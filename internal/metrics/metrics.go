// Package metrics is Intake's Prometheus instrumentation: one registry with
// request latency by route, import rows by outcome, chunk and job
// durations, and job counts by status read from the store at scrape time.
// It observes; it changes nothing. internal/http serves it at /metrics and
// the import service reports to it (imports.Observer).
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/intake/intake"
)

// Stats is what the scrape reads from the store.
type Stats interface {
	// ImportStatusCounts returns how many jobs of every tenant are in
	// each status.
	ImportStatusCounts(ctx context.Context) (map[intake.ImportStatus]int, error)
}

// Metrics is the registry and its instruments.
type Metrics struct {
	reg      *prometheus.Registry
	handler  http.Handler
	requests *prometheus.HistogramVec
	rows     *prometheus.CounterVec
	chunks   *prometheus.HistogramVec
	jobs     *prometheus.HistogramVec
}

// statuses are the job statuses always exported (0 when none), so a
// dashboard's series exist from the start.
var statuses = []intake.ImportStatus{intake.StatusAwaitingMapping, intake.StatusQueued, intake.StatusRunning,
	intake.StatusCompleted, intake.StatusFailed, intake.StatusCancelled}

// New returns the instruments, with job counts read from stats at scrape
// time and Go and process collectors.
func New(stats Stats, logger *slog.Logger) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "intake_http_request_duration_seconds", Help: "HTTP request latency by method, route pattern and status.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"method", "route", "status"})
	m.rows = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "intake_import_rows_total", Help: "Import rows committed, by resource and outcome " +
			"(created, updated, deleted, skipped, failed, removed); rate() of it is rows per second.",
	}, []string{"resource", "outcome"})
	m.chunks = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "intake_import_chunk_duration_seconds", Help: "Time to prepare and commit one chunk of a file import.",
		Buckets: prometheus.ExponentialBuckets(0.01, 2, 12),
	}, []string{"resource"})
	m.jobs = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "intake_import_job_duration_seconds", Help: "Running time of the attempt that ended an import job, by final status.",
		Buckets: prometheus.ExponentialBuckets(0.1, 2, 14),
	}, []string{"status"})
	m.reg.MustRegister(m.requests, m.rows, m.chunks, m.jobs, &jobCollector{stats: stats, logger: logger},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

// ServeHTTP serves the exposition.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) { m.handler.ServeHTTP(w, r) }

// ObserveRequest records one request. route is the mux pattern ("GET
// /api/v1/imports/{id}"), never the raw path, so ids do not explode the
// label set.
func (m *Metrics) ObserveRequest(method, route string, status int, took time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Observe(took.Seconds())
}

// ChunkCommitted implements imports.Observer.
func (m *Metrics) ChunkCommitted(resource string, outcomes map[intake.Outcome]int, took time.Duration) {
	if resource == "" {
		resource = intake.ResourceContacts
	}
	for o, n := range outcomes {
		m.rows.WithLabelValues(resource, string(o)).Add(float64(n))
	}
	m.chunks.WithLabelValues(resource).Observe(took.Seconds())
}

// JobEnded implements imports.Observer.
func (m *Metrics) JobEnded(status intake.ImportStatus, took time.Duration) {
	m.jobs.WithLabelValues(string(status)).Observe(took.Seconds())
}

// jobCollector reads job counts from the store at each scrape: every
// process reports the same database-wide numbers, so they are right
// whichever process Prometheus asks.
type jobCollector struct {
	stats  Stats
	logger *slog.Logger
}

var (
	jobsDesc  = prometheus.NewDesc("intake_import_jobs", "Import jobs by status (every tenant).", []string{"status"}, nil)
	queueDesc = prometheus.NewDesc("intake_import_queue_depth", "Import jobs waiting for a worker (status queued).", nil, nil)
)

func (c *jobCollector) Describe(ch chan<- *prometheus.Desc) { ch <- jobsDesc; ch <- queueDesc }

func (c *jobCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	counts, err := c.stats.ImportStatusCounts(ctx)
	if err != nil {
		if c.logger != nil {
			c.logger.Warn("metrics: count import jobs", "err", err)
		}
		return
	}
	for _, s := range statuses {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(counts[s]), string(s))
	}
	ch <- prometheus.MustNewConstMetric(queueDesc, prometheus.GaugeValue, float64(counts[intake.StatusQueued]))
}
