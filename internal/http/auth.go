package http

import (
	"net/http"
	"slices"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
)

// authorize is the one place that decides whether a key may use a route
// that declares scope. A key with admin may do anything. Import routes
// declare the imports scope; since an import writes contacts, a key with
// the contacts scope may run imports too, so the two scopes agree on every
// route of a job (create, read, patch, start, cancel, errors).
func authorize(p intake.Principal, scope string) error {
	if p.Has(scope) || (scope == intake.ScopeImports && p.Has(intake.ScopeContacts)) {
		return nil
	}
	if scope == intake.ScopeImports {
		return intake.Errorf(intake.EFORBIDDEN, "This API key lacks the \"imports\" (or \"contacts\") scope.")
	}
	return intake.Errorf(intake.EFORBIDDEN, "This API key lacks the %q scope.", scope)
}

// authorizeImport decides what an import's content needs beyond its
// route's scope: a participants import needs the participants scope. That
// scope covers creating the contacts a participant import needs
// (create_contacts, Plandocket's default): the seed says /participants
// requires the participants scope, and its default request must work with
// it. A participant import never changes a contact that exists (see
// importer's participants), so no contacts scope is asked for.
func authorizeImport(p intake.Principal, spec intake.ImportSpec) error {
	k, _, ok := importer.KindOf(spec.Resource)
	if !ok {
		return nil
	}
	if k.Scope != "" && !p.Has(k.Scope) {
		return intake.Errorf(intake.EFORBIDDEN, "This API key lacks the %q scope, which importing %s needs.", k.Scope, k.Name)
	}
	return nil
}

// pxKeyHeader is PackageX's API key header.
const pxKeyHeader = "PX-API-KEY"

// credentials are the places a key may arrive in, one per seed dialect:
// Authorization: Bearer (Intake, Plandocket, Plannr, TextUs), the
// PX-API-KEY header (PackageX) and the access_token query parameter
// (Copernica). Every route accepts each of them, so a client switches to
// Intake by base URL and key alone.
type credentials struct {
	authorization, pxKey, accessToken string
}

// credentialsOf reads a request's credentials.
func credentialsOf(r *http.Request) credentials {
	return credentials{authorization: r.Header.Get("Authorization"), pxKey: r.Header.Get(pxKeyHeader),
		accessToken: r.URL.Query().Get("access_token")}
}

// key returns the one key the request carries. Two different keys in one
// request are refused rather than one picked: which tenant a request acts
// for must never depend on an order of precedence.
func (c credentials) key() (string, error) {
	var keys []string
	if h := strings.TrimSpace(c.authorization); h != "" {
		// The scheme is case-insensitive (RFC 9110 §11.1): "bearer KEY" is fine.
		scheme, key, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(key) == "" {
			return "", errNoKey
		}
		keys = append(keys, strings.TrimSpace(key))
	}
	for _, k := range []string{c.pxKey, c.accessToken} {
		if k = strings.TrimSpace(k); k != "" {
			keys = append(keys, k)
		}
	}
	switch {
	case len(keys) == 0:
		return "", errNoKey
	case slices.ContainsFunc(keys, func(k string) bool { return k != keys[0] }):
		return "", intake.Errorf(intake.EUNAUTHORIZED, "The request carries two different API keys; send one.")
	}
	return keys[0], nil
}

var errNoKey = intake.Errorf(intake.EUNAUTHORIZED,
	"Send an API key as Authorization: Bearer KEY (or in a PX-API-KEY header, or as ?access_token=KEY).")
