package http

import (
	"github.com/intake/intake"
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
