// Package http is Intake's HTTP API: routes, API-key auth, problem+json
// errors, and one thin adapter per vendor dialect that translates its names
// into importer options. It holds no SQL and no import logic.
package http

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/intake/intake"
	"github.com/intake/intake/internal/directory"
	"github.com/intake/intake/internal/imports"
	"github.com/intake/intake/internal/selection"
	"github.com/intake/intake/internal/webhook"
)

// Config is what the server serves from.
type Config struct {
	// Store answers reads of contacts and authenticates keys.
	Store Store
	// Imports runs imports: bulk requests and file jobs.
	Imports *imports.Service
	// Directory keeps contacts, fields, collections, groups, locations,
	// events and settings; default: one over Store and Imports' engine.
	Directory *directory.Service
	Logger    *slog.Logger
	// Pprof mounts net/http/pprof at /debug/pprof/ (off by default: it
	// is for operators profiling a live server, not for the public).
	Pprof bool
	// BodyIdle is how long a request body may send nothing before the
	// request is cut off; default DefaultBodyIdle.
	BodyIdle time.Duration
	// Limits bound body rates and the JSON bodies in flight (limits.go).
	Limits Limits
	// ProcessID names this process in the heartbeat table: an
	// Idempotency-Key it holds in flight is freed if it dies. Default: a
	// random id (its keys are then freed after StaleAfter only if nothing
	// beats under it).
	ProcessID string
	// IdempotencyTTL is how long an Idempotency-Key's first answer is kept;
	// default DefaultIdempotencyTTL.
	IdempotencyTTL time.Duration
	// StaleAfter is the heartbeat horizon; default DefaultStaleAfter.
	StaleAfter time.Duration
	// Metrics, when set, observes every request and is served at /metrics.
	Metrics Metrics
	// Webhooks and Selections, when set, serve /api/v1/webhooks and
	// /api/v1/selections (webhooks.go, selections.go).
	Webhooks   *webhook.Service
	Selections *selection.Service
}

// Metrics records requests and serves the Prometheus exposition.
type Metrics interface {
	http.Handler
	// ObserveRequest records one request by method, route pattern and status.
	ObserveRequest(method, route string, status int, took time.Duration)
}

// DefaultBodyIdle is Config.BodyIdle's default.
const DefaultBodyIdle = time.Minute

// Server serves the API.
type Server struct {
	Config
	mux *http.ServeMux
	api huma.API
	// idempotentRoutes are the mux patterns that honour Idempotency-Key
	// (see idempotent).
	idempotentRoutes map[string]bool
	// budget bounds the JSON bodies in memory at once (limits.go).
	budget *jsonBudget
}

// NewServer builds the routes.
func NewServer(cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{Config: cfg, mux: http.NewServeMux(), idempotentRoutes: map[string]bool{}, budget: newJSONBudget(cfg.Limits)}
	s.api = humago.New(s.mux, apiConfig())
	s.api.UseMiddleware(s.authenticate, s.admitJSON)
	s.registerRoutes()
	return s
}

// withDefaults fills the fields left zero.
func (cfg Config) withDefaults() Config {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.IdempotencyTTL <= 0 {
		cfg.IdempotencyTTL = DefaultIdempotencyTTL
	}
	if cfg.StaleAfter <= 0 {
		cfg.StaleAfter = DefaultStaleAfter
	}
	if cfg.Directory == nil && cfg.Imports != nil {
		cfg.Directory = directory.New(cfg.Store, cfg.Imports.Engine)
	}
	if cfg.ProcessID == "" {
		cfg.ProcessID = "http-" + randomID()
	}
	cfg.Limits = cfg.Limits.withDefaults()
	return cfg
}

// apiConfig is the OpenAPI document's frame: title, description, the
// bearer scheme, and where the document is served.
func apiConfig() huma.Config {
	hc := huma.DefaultConfig("Intake", "1.0.0")
	hc.Info.Description = "Bulk import of contacts from JSON, CSV/TSV and XLSX. " +
		"Authenticate with `Authorization: Bearer KEY` (create one with `intake keys create`); the seed dialects' styles work too: " +
		"a `PX-API-KEY: KEY` header (PackageX) or `?access_token=KEY` (Copernica). " +
		"Errors are application/problem+json with a list of field errors."
	// No $schema links in bodies: responses keep exactly the dialects' shapes.
	hc.CreateHooks = nil
	hc.OpenAPIPath = "/openapi"
	hc.DocsPath = "" // served from internal/web, offline (registerWeb)
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "An Intake API key."},
	}
	return hc
}

// registerRoutes mounts every route on the mux and the API.
func (s *Server) registerRoutes() {
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("ok\n"))
	})
	s.registerOps()
	if s.Pprof {
		s.mux.HandleFunc("/debug/pprof/", pprof.Index)
		s.mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	}
	s.registerContacts()
	s.registerContactWrites()
	s.registerFields()
	s.registerSettings()
	s.registerMappings()
	s.registerBulk()
	s.registerImports()
	s.registerChanges()
	s.registerCreates()
	s.registerEvents()
	s.registerGroups()
	s.registerCollections()
	s.registerCopernica()
	s.registerPackageX()
	s.registerTextUs()
	s.registerPlannr()
	s.registerKeys()
	s.registerMe()
	s.registerWeb()
	completeDocument(s.api.OpenAPI())
	s.registerWebhooks()
	s.registerSelections()
}

// Handler returns the server's root handler.
func (s *Server) Handler() http.Handler {
	return s.trailingSlash(s.logRequests(s.idleBodies(s.idempotency(s.mux))))
}

// trailingSlash serves a path with a trailing slash by the route without
// it when only that one exists: Copernica's PHP client posts to
// "imports/" (POST /v3/imports/?access_token=…), and any seed client may
// build a URL the same way. A path that has a route of its own, or that
// only a subtree pattern ("/v3/") matches, is left alone in the first case
// and rewritten in the second. The query stays as sent.
func (s *Server) trailingSlash(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if len(p) > 1 && strings.HasSuffix(p, "/") {
			if _, own := s.mux.Handler(r); own == "" || strings.HasSuffix(own, "/") {
				r2 := r.Clone(r.Context())
				r2.URL.Path, r2.URL.RawPath = strings.TrimRight(p, "/"), strings.TrimSuffix(r.URL.RawPath, "/")
				if _, route := s.mux.Handler(r2); route != "" && !strings.HasSuffix(route, "/") {
					r = r2
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// idleBodies puts every request body on a clock (bodyClock): one that
// sends nothing for BodyIdle, or trickles below Limits.BodyMinRate after
// the grace period, fails its next read, so slow clients cannot hold
// connections, goroutines and file descriptors.
func (s *Server) idleBodies(next http.Handler) http.Handler {
	idle := s.BodyIdle
	if idle <= 0 {
		idle = DefaultBodyIdle
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			b := &bodyClock{ReadCloser: r.Body, rc: http.NewResponseController(w), idle: idle,
				minRate: s.Limits.BodyMinRate, grace: s.Limits.BodyRateGrace}
			r.Body = b
			r = r.WithContext(context.WithValue(r.Context(), bodyClockKey{}, b))
		}
		next.ServeHTTP(w, r)
	})
}

// API exposes the huma API, for the OpenAPI document.
func (s *Server) API() huma.API { return s.api }

// logRequests gives every request an id (the caller's X-Request-Id when it
// sends a sane one), answers it in X-Request-Id, puts it in the context for
// every log line of the request (see LogHandler), and logs and measures the
// request by its route pattern.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id, sent := r.Header.Get("X-Request-Id"), true
		if id == "" || len(id) > 128 || strings.ContainsAny(id, "\r\n") {
			id, sent = randomID(), false
		}
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(context.WithValue(WithLogAttrs(r.Context(), "request_id", id), requestIDKey{}, requestIDOf{id, sent}))
		sw := &statusWriter{ResponseWriter: w, status: 200}
		next.ServeHTTP(sw, r)
		// The path only, never the query: Copernica's clients send their key
		// as ?access_token=, and a key must not end up in a log.
		_, route := s.mux.Handler(r)
		if route == "" {
			route = "unmatched"
		}
		took := time.Since(start)
		if s.Metrics != nil {
			s.Metrics.ObserveRequest(r.Method, route, sw.status, took)
		}
		// One line per request at debug: at info the log is one line per
		// import start and end (internal/imports), not the polls in between.
		lvl := slog.LevelDebug
		if sw.status >= 500 {
			lvl = slog.LevelError
		}
		s.Logger.Log(r.Context(), lvl, "http", "method", r.Method, "path", r.URL.Path, "route", route, "status", sw.status,
			"dur", took.Round(time.Microsecond))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// secured returns the security requirements for an operation needing one
// of scopes (alternatives: any one admits).
func secured(scopes ...string) []map[string][]string {
	out := make([]map[string][]string, len(scopes))
	for i, scope := range scopes {
		out[i] = map[string][]string{"bearer": {scope}}
	}
	return out
}

// authenticate checks the bearer key of every operation that declares a
// security requirement, and its scope; the principal goes into the context.
func (s *Server) authenticate(ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	if op == nil || len(op.Security) == 0 {
		next(ctx)
		return
	}
	p, err := s.authorizeKey(ctx.Context(), credentials{authorization: ctx.Header("Authorization"),
		pxKey: ctx.Header(pxKeyHeader), accessToken: ctx.Query("access_token")}, op.Security)
	if err != nil {
		status := http.StatusUnauthorized
		if intake.ErrorCode(err) == intake.EFORBIDDEN {
			status = http.StatusForbidden
		} else {
			ctx.SetHeader("WWW-Authenticate", `Bearer realm="intake"`)
		}
		huma.WriteErr(s.api, ctx, status, intake.ErrorMessage(err))
		return
	}
	next(huma.WithContext(ctx, intake.NewContextWithPrincipal(ctx.Context(), p)))
}

func (s *Server) principal(ctx context.Context, c credentials) (intake.Principal, error) {
	key, err := c.key()
	if err != nil {
		return intake.Principal{}, err
	}
	return s.Store.Authenticate(ctx, intake.HashAPIKey(key))
}

// tenant returns the calling tenant; the auth middleware guarantees one.
func tenant(ctx context.Context) int64 {
	p, _ := intake.PrincipalFromContext(ctx)
	return p.Tenant.ID
}

// statusOf maps an application error code to its HTTP status: the one place
// that does.
func statusOf(code string) int {
	switch code {
	case intake.EINVALID, intake.EUNSUPPORTED:
		return http.StatusUnprocessableEntity
	case intake.ENOTFOUND:
		return http.StatusNotFound
	case intake.ECONFLICT, intake.ESTATE:
		return http.StatusConflict
	case intake.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case intake.EFORBIDDEN:
		return http.StatusForbidden
	case intake.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case intake.EGONE:
		return http.StatusGone
	}
	return http.StatusInternalServerError
}

// problem turns an error into a huma status error (problem+json) with the
// error's field errors as details, logging internal errors and never
// showing their text. It is the one place an error becomes a response.
func (s *Server) problem(ctx context.Context, err error) error {
	var se huma.StatusError
	if errors.As(err, &se) {
		return se
	}
	code := intake.ErrorCode(err)
	if code == intake.EINTERNAL {
		if errors.Is(err, context.Canceled) {
			return huma.NewError(499, "Request cancelled.")
		}
		s.Logger.ErrorContext(ctx, "internal error", "err", err)
	}
	var details []error
	var ie *intake.Error
	if errors.As(err, &ie) {
		for _, f := range ie.Fields {
			loc := "body"
			if f.Field != "" {
				loc += "." + f.Field
			}
			details = append(details, &ErrorDetail{Location: loc, Value: f.Value, Message: f.Message, Code: f.Code})
		}
	}
	return huma.NewError(statusOf(code), intake.ErrorMessage(err), details...)
}
