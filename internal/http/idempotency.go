package http

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// Defaults of the idempotency settings in Config.
const (
	// DefaultIdempotencyTTL is how long a key's first answer is kept.
	DefaultIdempotencyTTL = 24 * time.Hour
	// DefaultStaleAfter is how long a process may miss heartbeats before a
	// key it holds in flight is freed (as the job queue's StaleAfter).
	DefaultStaleAfter = 10 * time.Second
	// maxKeyLen bounds an Idempotency-Key.
	maxKeyLen = 255
	// maxStoredAnswer bounds an answer kept for replay; a larger one is not
	// kept (creates answer far less).
	maxStoredAnswer = 1 << 20
)

// idempotent makes a create route honour the Idempotency-Key header and
// returns op with the header documented. It is the one way a route adopts
// it, for huma operations and plain handlers alike:
//
//	huma.Register(s.api, s.idempotent(huma.Operation{OperationID: "create-x", Method: http.MethodPost, Path: "/x", …}), handler)
//
//	op := s.idempotent(huma.Operation{…}) // a plain handler: document it, then mount the handler as usual
//	s.api.OpenAPI().AddOperation(&op)
//	s.mux.HandleFunc("POST /x", handler)
//
// A dialect route mounted at its own path adopts it the same way. The
// route's key is read as every route reads it (credentialsOf: Bearer,
// PX-API-KEY or ?access_token=); a request without one valid key runs as if
// it had no Idempotency-Key, and the route's own auth answers it.
func (s *Server) idempotent(op huma.Operation) huma.Operation {
	s.idempotentRoutes[strings.ToUpper(op.Method)+" "+op.Path] = true
	op.Parameters = append(op.Parameters, &huma.Param{Name: "Idempotency-Key", In: "header",
		Description: "Any unique string (at most 255 characters, e.g. a UUID). A retry with the same key and body " +
			"answers the first response again (with `Idempotent-Replayed: true`) and writes nothing; the same key " +
			"with another body is 422; while the first request runs, 409. Keys are per tenant and kept " +
			"for 24 hours (--idempotency-ttl).",
		Schema: &huma.Schema{Type: "string", MaxLength: ptr(maxKeyLen)}})
	return op
}

func ptr[T any](v T) *T { return &v }

// idempotency serves the routes adopted with idempotent: the first request
// under a key runs and its answer is kept; a retry with the same route and
// body gets that answer again and runs nothing; another body under the key
// is a 422; a retry while the first runs is a 409. Answers of 5xx, 401,
// 403 and 413 are not kept, so a retry runs again.
func (s *Server) idempotency(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			next.ServeHTTP(w, r)
			return
		}
		_, pattern := s.mux.Handler(r)
		if !s.idempotentRoutes[pattern] {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > maxKeyLen {
			s.writeProblem(w, r, huma.NewError(http.StatusUnprocessableEntity, "The Idempotency-Key header is longer than 255 characters.",
				&ErrorDetail{Location: "header.Idempotency-Key", Message: "At most 255 characters."}))
			return
		}
		apiKey, err := credentialsOf(r).key()
		var p intake.Principal
		if err == nil {
			p, err = s.Store.Authenticate(r.Context(), intake.HashAPIKey(apiKey))
		}
		if err != nil {
			next.ServeHTTP(w, r) // the route's own auth answers
			return
		}
		s.serveIdempotent(w, r, next, p.Tenant.ID, key, pattern)
	})
}

func (s *Server) serveIdempotent(w http.ResponseWriter, r *http.Request, next http.Handler, tenantID int64, key, route string) {
	ctx := r.Context()
	now := time.Now()
	token := make([]byte, 12)
	rand.Read(token)
	res := store.IdempotencyReservation{TenantID: tenantID, Key: key, Token: hex.EncodeToString(token), Owner: s.ProcessID,
		Now: now, ExpiresAt: now.Add(s.IdempotencyTTL), LiveSince: now.Add(-s.StaleAfter)}
	rec, reserved, err := s.Store.ReserveIdempotencyKey(ctx, res)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if !reserved {
		s.replay(w, r, rec, route)
		return
	}
	h := newBodyHash(route, r.Header.Get("Content-Type"))
	r.Body = &teeBody{ReadCloser: r.Body, w: h}
	rw := &recorder{ResponseWriter: w, status: http.StatusOK}
	next.ServeHTTP(rw, r)

	// The hash covers the whole body, also what the handler did not read.
	rest, _ := io.Copy(h, io.LimitReader(r.Body, maxStoredAnswer))
	bg := context.WithoutCancel(ctx)
	if keep(rw.status) && !rw.overflow && rest < maxStoredAnswer {
		err = s.Store.CompleteIdempotencyKey(bg, tenantID, key, res.Token, store.IdempotencyRecord{RequestHash: h.Sum(),
			Status: rw.status, Headers: replayedHeaders(rw.Header()), Body: rw.body.Bytes()})
	} else {
		h.Sum()
		err = s.Store.ReleaseIdempotencyKey(bg, tenantID, key, res.Token)
	}
	if err != nil {
		s.Logger.ErrorContext(ctx, "idempotency key not saved", "key", key, "err", err)
	}
}

// keep reports whether an answer is kept for replay: one a retry would get
// again. Server errors, auth failures and oversize uploads are not: a retry
// after them should run.
func keep(status int) bool {
	return status < 500 && status != http.StatusUnauthorized && status != http.StatusForbidden &&
		status != http.StatusRequestEntityTooLarge && status != 499
}

// replay answers a request whose key is held: 409 while the first request
// runs, 422 if this one differs from it, else the first answer.
func (s *Server) replay(w http.ResponseWriter, r *http.Request, rec store.IdempotencyRecord, route string) {
	if rec.Status == 0 {
		w.Header().Set("Retry-After", "1")
		s.writeProblem(w, r, intake.Errorf(intake.ECONFLICT,
			"A request with this Idempotency-Key is still in progress; retry when it has finished."))
		return
	}
	h := newBodyHash(route, r.Header.Get("Content-Type"))
	io.Copy(h, r.Body)
	if h.Sum() != rec.RequestHash {
		s.writeProblem(w, r, huma.NewError(http.StatusUnprocessableEntity, "This Idempotency-Key was already used for another "+
			"request (another route or body); send a new key with a new request.", &ErrorDetail{Location: "header.Idempotency-Key",
			Code: "idempotency_key_reused", Message: "Used before with another request."}))
		return
	}
	if hdr, err := textproto.NewReader(bufio.NewReader(strings.NewReader(rec.Headers + "\r\n"))).ReadMIMEHeader(); err == nil {
		for k, v := range hdr {
			w.Header()[k] = v
		}
	}
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(rec.Status)
	w.Write(rec.Body)
}

// replayed are the answer headers a replay repeats: what says what was
// created (Copernica's X-Created, Location) and how the body reads.
var replayed = []string{"Content-Type", "Location", "X-Created"}

// replayedHeaders renders the replayed headers of h as MIME header lines.
func replayedHeaders(h http.Header) string {
	var b strings.Builder
	for _, k := range replayed {
		for _, v := range h.Values(k) {
			b.WriteString(k + ": " + strings.NewReplacer("\r", "", "\n", "").Replace(v) + "\r\n")
		}
	}
	return b.String()
}

// recorder passes a response through and keeps its status and body.
type recorder struct {
	http.ResponseWriter
	status   int
	wrote    bool
	body     bytes.Buffer
	overflow bool
}

func (rw *recorder) WriteHeader(code int) {
	if !rw.wrote {
		rw.status, rw.wrote = code, true
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recorder) Write(p []byte) (int, error) {
	rw.wrote = true
	if rw.body.Len()+len(p) <= maxStoredAnswer {
		rw.body.Write(p)
	} else {
		rw.overflow = true
	}
	return rw.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// teeBody copies what the handler reads into w.
type teeBody struct {
	io.ReadCloser
	w io.Writer
}

func (t *teeBody) Read(p []byte) (int, error) {
	n, err := t.ReadCloser.Read(p)
	if n > 0 {
		t.w.Write(p[:n])
	}
	return n, err
}

// bodyHash identifies a request by its route and body. A multipart body is
// hashed by its parts (names, file names, contents), not its bytes: a
// client sending the same file again picks a new random boundary, and that
// must still be the same request.
type bodyHash struct {
	h    hash.Hash
	pw   *io.PipeWriter
	done chan struct{}
}

func newBodyHash(route, contentType string) *bodyHash {
	b := &bodyHash{h: sha256.New()}
	mt, params, _ := mime.ParseMediaType(contentType)
	io.WriteString(b.h, route+"\n"+mt+"\n")
	if mt == "multipart/form-data" && params["boundary"] != "" {
		pr, pw := io.Pipe()
		b.pw, b.done = pw, make(chan struct{})
		go func() {
			defer close(b.done)
			hashParts(b.h, pr, params["boundary"])
			io.Copy(b.h, pr) // a malformed tail counts as bytes
		}()
	}
	return b
}

// hashParts hashes each part's form name, file name and content, length
// prefixed so no two different bodies run together.
func hashParts(h hash.Hash, r io.Reader, boundary string) {
	mr := multipart.NewReader(r, boundary)
	for {
		part, err := mr.NextPart()
		if err != nil {
			return
		}
		for _, s := range []string{part.FormName(), part.FileName()} {
			binary.Write(h, binary.LittleEndian, uint64(len(s)))
			io.WriteString(h, s)
		}
		n, err := io.Copy(io.Discard, io.TeeReader(part, h))
		binary.Write(h, binary.LittleEndian, uint64(n))
		if err != nil {
			return
		}
	}
}

func (b *bodyHash) Write(p []byte) (int, error) {
	if b.pw != nil {
		return b.pw.Write(p)
	}
	return b.h.Write(p)
}

// Sum ends the body and returns its hash; call it once.
func (b *bodyHash) Sum() string {
	if b.pw != nil {
		b.pw.Close()
		<-b.done
	}
	return hex.EncodeToString(b.h.Sum(nil))
}
