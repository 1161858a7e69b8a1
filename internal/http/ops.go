package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"
)

// registerOps mounts /readyz and, with Config.Metrics, /metrics. Neither
// takes a key: they are for load balancers and Prometheus, and show no
// tenant's data (counts only). Put them behind the proxy's own rules when
// the API is public.
func (s *Server) registerOps() {
	s.mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain")
		if err := s.Store.Ready(ctx); err != nil {
			s.Logger.WarnContext(ctx, "not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("not ready: " + err.Error() + "\n"))
			return
		}
		w.Write([]byte("ready\n"))
	})
	if s.Metrics != nil {
		s.mux.Handle("GET /metrics", s.Metrics)
	}
}

func randomID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

type logAttrsKey struct{}

// WithLogAttrs returns ctx carrying key-value pairs that LogHandler adds to
// every record logged with that context (request_id, import_id, …).
func WithLogAttrs(ctx context.Context, args ...any) context.Context {
	prev, _ := ctx.Value(logAttrsKey{}).([]any)
	return context.WithValue(ctx, logAttrsKey{}, append(append([]any(nil), prev...), args...))
}

// LogHandler wraps a slog.Handler so records logged with a context carry
// the context's attributes (WithLogAttrs): a request's lines all have its
// request_id.
type LogHandler struct{ slog.Handler }

// Handle implements slog.Handler.
func (h LogHandler) Handle(ctx context.Context, r slog.Record) error {
	if args, ok := ctx.Value(logAttrsKey{}).([]any); ok {
		r.Add(args...)
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h LogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return LogHandler{h.Handler.WithAttrs(as)}
}

// WithGroup implements slog.Handler.
func (h LogHandler) WithGroup(name string) slog.Handler { return LogHandler{h.Handler.WithGroup(name)} }
