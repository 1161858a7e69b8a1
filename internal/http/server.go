// Package http is Intake's HTTP API: routes, API-key auth, problem+json
// errors, and one thin adapter per vendor dialect that translates its names
// into importer options. It holds no SQL and no import logic.
package http

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/intake/intake"
	"github.com/intake/intake/internal/imports"
	"github.com/intake/intake/internal/store"
)

// Config is what the server serves from.
type Config struct {
	// Store answers reads of contacts and authenticates keys.
	Store store.Store
	// Imports runs imports: bulk requests and file jobs.
	Imports *imports.Service
	Logger  *slog.Logger
	// Pprof mounts net/http/pprof at /debug/pprof/ (off by default: it
	// is for operators profiling a live server, not for the public).
	Pprof bool
	// BodyIdle is how long a request body may send nothing before the
	// request is cut off; default DefaultBodyIdle.
	BodyIdle time.Duration
}

// DefaultBodyIdle is Config.BodyIdle's default.
const DefaultBodyIdle = time.Minute

// Server serves the API.
type Server struct {
	Config
	mux *http.ServeMux
	api huma.API
}

// NewServer builds the routes.
func NewServer(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{Config: cfg, mux: http.NewServeMux()}
	hc := huma.DefaultConfig("Intake", "1.0.0")
	hc.Info.Description = "Bulk import of contacts from JSON, CSV/TSV and XLSX. " +
		"Authenticate with `Authorization: Bearer KEY` (create one with `intake keys create`). " +
		"Errors are application/problem+json with a list of field errors."
	// No $schema links in bodies: responses keep exactly the dialects' shapes.
	hc.CreateHooks = nil
	hc.OpenAPIPath = "/openapi"
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "An Intake API key."},
	}
	s.api = humago.New(s.mux, hc)
	s.api.UseMiddleware(s.authenticate)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("ok\n"))
	})
	if cfg.Pprof {
		s.mux.HandleFunc("/debug/pprof/", pprof.Index)
		s.mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	}
	s.registerContacts()
	s.registerContactWrites()
	s.registerFields()
	s.registerBulk()
	s.registerImports()
	s.registerEvents()
	s.registerGroups()
	return s
}

// Handler returns the server's root handler.
func (s *Server) Handler() http.Handler { return s.logRequests(s.idleBodies(s.mux)) }

// idleBodies gives every request body a read deadline that moves with each
// read: an upload may take as long as it needs while it sends, but one that
// sends nothing for BodyIdle fails its next read, so stalled clients cannot
// hold connections, goroutines and file descriptors.
func (s *Server) idleBodies(next http.Handler) http.Handler {
	idle := s.BodyIdle
	if idle <= 0 {
		idle = DefaultBodyIdle
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &idleBody{ReadCloser: r.Body, rc: http.NewResponseController(w), idle: idle}
		}
		next.ServeHTTP(w, r)
	})
}

type idleBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	idle time.Duration
}

func (b *idleBody) Read(p []byte) (int, error) {
	b.rc.SetReadDeadline(time.Now().Add(b.idle)) // unsupported writers just have no deadline
	return b.ReadCloser.Read(p)
}

// API exposes the huma API, for the OpenAPI document.
func (s *Server) API() huma.API { return s.api }

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: 200}
		next.ServeHTTP(sw, r)
		s.Logger.Debug("http", "method", r.Method, "path", r.URL.Path, "status", sw.status, "dur", time.Since(start))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// secured returns the security requirement for an operation needing scope.
func secured(scope string) []map[string][]string {
	return []map[string][]string{{"bearer": {scope}}}
}

// authenticate checks the bearer key of every operation that declares a
// security requirement, and its scope; the principal goes into the context.
func (s *Server) authenticate(ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	if op == nil || len(op.Security) == 0 {
		next(ctx)
		return
	}
	p, err := s.principal(ctx.Context(), ctx.Header("Authorization"))
	if err != nil {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="intake"`)
		huma.WriteErr(s.api, ctx, http.StatusUnauthorized, intake.ErrorMessage(err))
		return
	}
	for _, req := range op.Security {
		for _, scope := range req["bearer"] {
			if err := authorize(p, scope); err != nil {
				huma.WriteErr(s.api, ctx, http.StatusForbidden, intake.ErrorMessage(err))
				return
			}
		}
	}
	next(huma.WithContext(ctx, intake.NewContextWithPrincipal(ctx.Context(), p)))
}

func (s *Server) principal(ctx context.Context, header string) (intake.Principal, error) {
	// The scheme is case-insensitive (RFC 9110 §11.1): "bearer KEY" is fine.
	scheme, key, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(key) == "" {
		return intake.Principal{}, intake.Errorf(intake.EUNAUTHORIZED, "Send an API key as Authorization: Bearer KEY.")
	}
	return s.Store.Authenticate(ctx, intake.HashAPIKey(strings.TrimSpace(key)))
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
