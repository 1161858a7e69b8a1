package http

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
	"github.com/intake/intake/internal/dialect/copernica"
	"github.com/intake/intake/internal/dialect/native"
	"github.com/intake/intake/internal/dialect/packagex"
	"github.com/intake/intake/internal/dialect/plannr"
	"github.com/intake/intake/internal/dialect/textus"
	"github.com/intake/intake/internal/imports"
)

// createRoute is one dialect's create route. Every route is served by the
// one create handler (create): authenticate (guard), receive the body,
// hand it to imports.Service.Create with the dialect's translation, and
// answer through the dialect's encoder (answer, shape). Every create route
// honours an Idempotency-Key.
type createRoute struct {
	pattern string
	// scope is what the key needs; "" is imports.
	scope     string
	translate dialect.Translate
	// receive reads the body; nil is receiveAny (multipart, JSON or form).
	receive func(s *Server, w http.ResponseWriter, r *http.Request, tenantID int64) (received, error)
	// answer writes what Create made.
	answer func(s *Server, w http.ResponseWriter, r *http.Request, c imports.Created) error
	// shape is the dialect's media type and error body; zero is Intake's.
	shape shape
	// mapping says the dialect's clients have routes to map and start a
	// job (Intake's own, Plannr's). Without them a job that would wait
	// for its mapping is refused instead (ImportRequest.Unattended): no
	// dialect leaves a job its own client cannot move.
	mapping bool
}

// createRoutes are the file dialects' create routes, one line each.
var createRoutes = []createRoute{
	{pattern: "POST /api/v1/imports", translate: native.Create, answer: answerNative, mapping: true},
	{pattern: "POST /v3/imports", translate: copernica.Translate, answer: answerCopernica, shape: copernicaShape},
	{pattern: "PUT /v3/imports", translate: copernica.Translate, answer: answerCopernica, shape: copernicaShape},
	{pattern: "POST /v1/imports", translate: packagex.Translate, receive: receivePackageX, answer: answerPackageX},
	{pattern: "PUT /v1/imports/uploads/{token}", translate: packagex.Uploaded, receive: receivePackageXUpload, answer: answerPackageX},
	{pattern: "POST /api/v1/import", translate: plannr.Translate, answer: answerPlannr, shape: plannrShape, mapping: true},
	{pattern: "POST /{account}/contacts/upload", scope: intake.ScopeContacts, translate: textus.Translate,
		receive: receiveTextUs, answer: answerWith(textUsShape, textus.Created), shape: textUsShape},
}

// received is a create request's body as read: its options, the stored
// file, and a file problem the dialect answers after its options.
type received struct {
	params      dialect.Params
	upload      imports.Upload
	fileProblem error
}

// registerCreates serves every create route.
func (s *Server) registerCreates() {
	for _, rt := range createRoutes {
		scope := rt.scope
		if scope == "" {
			scope = intake.ScopeImports
		}
		s.idempotentRoutes[rt.pattern] = true
		s.mux.Handle(rt.pattern, s.guard(scope, rt.shape, s.create(rt)))
	}
}

// create is the one create handler.
func (s *Server) create(rt createRoute) http.HandlerFunc {
	receive := rt.receive
	if receive == nil {
		receive = receiveAny
	}
	translate := rt.translate
	if !rt.mapping {
		translate = unattended(rt.translate)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		p, _ := intake.PrincipalFromContext(ctx)
		in, err := receive(s, w, r, p.Tenant.ID)
		if err != nil {
			s.Imports.Discard(ctx, in.upload)
			s.fail(w, r, rt.shape, err)
			return
		}
		c, err := s.Imports.Create(ctx, p.Tenant.ID, imports.Input{Params: in.params, Upload: in.upload, FileProblem: in.fileProblem,
			Translate: translate, Admit: func(spec intake.ImportSpec) error { return authorizeImport(p, spec) }})
		if err == nil {
			err = rt.answer(s, w, r, c)
		}
		if err != nil {
			s.fail(w, r, rt.shape, err)
		}
	}
}

// unattended marks what translate makes as ImportRequest.Unattended.
func unattended(translate dialect.Translate) dialect.Translate {
	return func(in dialect.Request) (dialect.Translation, error) {
		tr, err := translate(in)
		tr.Unattended = true
		return tr, err
	}
}

// receiveAny reads a body in any of the shapes (see receive).
func receiveAny(s *Server, w http.ResponseWriter, r *http.Request, tenantID int64) (received, error) {
	p, up, err := s.receive(w, r, tenantID)
	return received{params: p, upload: up}, err
}

// shape is how a dialect's answers look besides their bodies: its media
// type and its error body. The zero shape is Intake's: application/json
// answers and problem+json errors.
type shape struct {
	// media is the answer's Content-Type; nil is application/json.
	media func(*http.Request) string
	// errorBody renders an error answered with status and msg.
	errorBody func(status int, msg string, err error) any
	// status, when set, turns the status Intake would answer a failure
	// with into the dialect's (Copernica: 400 for every request error).
	status func(int) int
}

// write answers v with status in the shape's media type.
func (s *Server) write(w http.ResponseWriter, r *http.Request, sh shape, status int, v any) {
	if sh.media != nil {
		w.Header().Set("Content-Type", sh.media(r))
		w.WriteHeader(status)
		jsonEncode(w, v)
		return
	}
	writeJSON(w, status, v)
}

// fail is the one error writer of the plain routes: the status from the
// error's code (statusOf) or its huma status, internal errors logged and
// never shown, a WWW-Authenticate challenge with every 401, and the body
// in the route's shape (problem+json by default).
func (s *Server) fail(w http.ResponseWriter, r *http.Request, sh shape, err error) {
	status, msg := statusOf(intake.ErrorCode(err)), intake.ErrorMessage(err)
	var se huma.StatusError
	if errors.As(err, &se) {
		status, msg = se.GetStatus(), se.Error()
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="intake"`)
	}
	if sh.status != nil {
		status = sh.status(status)
	}
	if sh.errorBody == nil {
		s.writeProblem(w, r, err)
		return
	}
	if status == http.StatusInternalServerError {
		s.Logger.ErrorContext(r.Context(), "internal error", "err", err)
	}
	s.write(w, r, sh, status, sh.errorBody(status, msg, err))
}

// guard is the one authentication middleware of the plain routes (huma's
// operations get the same check from authenticate): the key and its scope
// (authorizeKey), the principal into the context, failures in the route's
// shape.
func (s *Server) guard(scope string, sh shape, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authorizeKey(r.Context(), credentialsOf(r), secured(scope))
		if err != nil {
			s.fail(w, r, sh, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(intake.NewContextWithPrincipal(r.Context(), p)))
	})
}

// authorizeKey authenticates credentials and checks them against security
// requirements (alternatives, as in OpenAPI: one the key meets, every
// scope it lists, admits it). Errors: EUNAUTHORIZED, EFORBIDDEN.
func (s *Server) authorizeKey(ctx context.Context, c credentials, security []map[string][]string) (intake.Principal, error) {
	p, err := s.principal(ctx, c)
	if err != nil {
		return p, err
	}
	var denied error
	for _, req := range security {
		var err error
		for _, scope := range req["bearer"] {
			if err = authorize(p, scope); err != nil {
				break
			}
		}
		if err == nil {
			return p, nil
		}
		if denied == nil {
			denied = err
		}
	}
	return p, denied
}

// answerWith answers 201 with a dialect's own view of the new job, in the
// dialect's shape: the encoder of a dialect whose answer is its view alone.
func answerWith[V any](sh shape, view func(intake.Import) V) func(*Server, http.ResponseWriter, *http.Request, imports.Created) error {
	return func(s *Server, w http.ResponseWriter, r *http.Request, c imports.Created) error {
		s.write(w, r, sh, http.StatusCreated, view(c.Import))
		return nil
	}
}
