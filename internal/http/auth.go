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

// authorizeImport decides what an import's content needs beyond its
// route's scope: a participants import needs the participants scope, and
// the contacts scope too when it may create contacts (create_contacts),
// since it then writes contacts.
func authorizeImport(p intake.Principal, spec intake.ImportSpec) error {
	if spec.Resource != intake.ResourceParticipants {
		return nil
	}
	if !p.Has(intake.ScopeParticipants) {
		return intake.Errorf(intake.EFORBIDDEN, "This API key lacks the \"participants\" scope, which importing participants needs.")
	}
	if spec.CreateContacts && !p.Has(intake.ScopeContacts) {
		return intake.Errorf(intake.EFORBIDDEN, "Creating contacts needs the \"contacts\" scope too; send create_contacts=false to add only existing contacts.")
	}
	return nil
}
