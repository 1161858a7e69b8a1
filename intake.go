// Package intake holds Intake's domain: contacts, tenants, import options and
// outcomes, and the one error type every layer speaks. It imports nothing of
// ours, so every other package can depend on it and none of it depends on
// HTTP, SQL or file formats.
package intake

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Error codes. They are stable: clients may switch on them. The HTTP layer
// maps them to statuses in one place (internal/http).
const (
	EINVALID      = "invalid"       // the request or a value in it is malformed
	ENOTFOUND     = "not_found"     // the thing does not exist for this tenant
	ECONFLICT     = "conflict"      // a unique value is taken
	EUNAUTHORIZED = "unauthorized"  // no or bad credentials
	EFORBIDDEN    = "forbidden"     // credentials lack a scope
	ETOOLARGE     = "too_large"     // over a size or count limit
	EINTERNAL     = "internal"      // anything else; its message is never shown
	EUNSUPPORTED  = "unsupported"   // a file format or option value we do not take
	ESTATE        = "invalid_state" // the operation does not fit the object's state
	EGONE         = "gone"          // it existed, and was deleted for good (retention)
)

// Error is an application error with a stable Code and a Message that is safe
// to show to the person who caused it. Fields lists the values at fault,
// when the error is about some of a request's values.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
}

// FieldError is one value of a request that is wrong: where (a dotted path
// such as "mapping.Email" or "file"), the value and why.
type FieldError struct {
	Field   string
	Value   string
	Code    string // optional finer code, e.g. a reader's "malformed_csv"
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("intake: %s: %s", e.Code, e.Message) }

// Errorf returns an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID *Error for request values: msg, and fields
// as its field errors. A single field error's message is the error's own
// when msg is "".
func Invalid(msg string, fields ...FieldError) *Error {
	if msg == "" && len(fields) > 0 {
		msg = fields[0].Message
	}
	return &Error{Code: EINVALID, Message: msg, Fields: fields}
}

// ErrorCode returns the code of the *Error in err's chain, EINTERNAL for any
// other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the message of the *Error in err's chain, or a generic
// sentence for internal errors so that nothing internal leaks to a client.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// Tenant is one organisation; every record belongs to exactly one.
type Tenant struct {
	ID        int64     `json:"id"`
	Slug      string    `json:"slug"`
	CreatedAt time.Time `json:"created_at"`
}

// Scopes an API key may carry.
const (
	ScopeContacts     = "contacts"
	ScopeParticipants = "participants"
	ScopeImports      = "imports"
	ScopeAdmin        = "admin"
)

// KnownScopes lists every scope a key may be given.
var KnownScopes = []string{ScopeContacts, ScopeParticipants, ScopeImports, ScopeAdmin}

// Principal is who is calling: the tenant a key belongs to and its scopes.
type Principal struct {
	Tenant Tenant
	Scopes []string
	// KeyID is the id of the API key that authenticated (0 if none).
	KeyID int64
}

// Has reports whether the principal carries scope (admin carries all).
func (p Principal) Has(scope string) bool {
	for _, s := range p.Scopes {
		if s == scope || s == ScopeAdmin {
			return true
		}
	}
	return false
}

type principalKey struct{}

// NewContextWithPrincipal returns ctx carrying p.
func NewContextWithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFromContext returns the caller stored by NewContextWithPrincipal.
func PrincipalFromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
