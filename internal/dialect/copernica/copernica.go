// Package copernica is the Copernica REST v3 import dialect
// (shared/seeds/003_…): POST or PUT /v3/imports?access_token=… with a JSON
// or form-encoded body, and GET /v3/import/{id}. It translates Copernica's
// parameters into an intake.ImportRequest and a job into Copernica's view.
// database names a contact group of the tenant (created on first use):
// every row joins it, and removeMissing works within it, so imports into
// two databases stay apart.
package copernica

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
)

// Rules are Copernica's: action defaults to add (create), and it sends CSV
// or JSON only.
var Rules = dialect.Rules{Name: "copernica", Mode: intake.ModeCreate, Formats: []string{"csv", "json"}}

// Translate turns a request's parameters (dialect.Params as the body sent
// them) into an import request and warnings (a dialect.Translate).
// Errors: EINVALID with a field error per bad parameter.
func Translate(in dialect.Request) (dialect.Translation, error) {
	if !in.HasFile {
		msg := "source (the data) or location (a URL of the file) is required."
		return dialect.Translation{}, intake.Invalid(msg, intake.FieldError{Field: "source", Message: msg})
	}
	p, reg := in.Params, in.Registry
	req := intake.ImportRequest{Spec: Rules.Spec(), Autostart: true, Remap: true}
	spec := &req.Spec
	var errs dialect.Errors
	var warnings, keyFields []string
	action, deleteTarget := "", ""
	for _, x := range p {
		v := strings.TrimSpace(x.Value)
		switch x.Key {
		case "database":
			spec.JoinGroup = v
		case "name":
			req.Name = v
		case "action":
			action = v
		case "keyFields", "keyfields", "keyFields[]":
			keyFields = append(keyFields, dialect.List(v)...)
		case "ignoreEmptyFields":
			setBool(&spec.IgnoreEmptyFields, errs.Bool(x.Key, v))
		case "removeMissing":
			setBool(&spec.RemoveMissing, errs.Bool(x.Key, v))
		case "autostart":
			setBool(&req.Autostart, errs.Bool(x.Key, v))
		case "followups":
			// Follow-ups are the record webhooks (contact.created, …).
			setBool(&spec.Followups, errs.Bool(x.Key, v))
		case "rebuild":
			setBool(&spec.Rebuild, errs.Bool(x.Key, v))
		case "deleteTarget":
			deleteTarget = strings.ToLower(v)
		case "format":
			req.Format = errs.Format(Rules, x.Key, v)
		case "delimiter":
			req.Delimiter = delimiter(&errs, x.Value) // "\t" as a tab or as two characters; never trimmed away
		}
	}
	if p.Has("source") && p.Has("location") {
		errs.Add("location", "", "Send source (the data) or location (a URL of the file), not both.")
	}
	spec.Mode = parseAction(&errs, action)
	match, collection, columns, warn := keys(keyFields, reg)
	warnings = append(warnings, warn...)
	spec.MatchFields, req.Columns.ByHeader = match, columns
	checkTargets(&errs, spec, deleteTarget, collection)
	if err := errs.Err("The import parameters are not valid."); err != nil {
		return dialect.Translation{}, err
	}
	spec.Required = append([]string(nil), spec.MatchFields...)
	return dialect.Translation{ImportRequest: req, Warnings: warnings}, nil
}

// Actions are Copernica's documented actions and the modes they are; no
// other value is accepted (Intake's own names such as upsert are not
// Copernica's, and a client sending one has a bug it should hear about).
var Actions = map[string]intake.Mode{"add": intake.ModeCreate, "update": intake.ModeUpdate,
	"update or add": intake.ModeUpsert, "ignore or add": intake.ModeIgnoreOrAdd, "delete": intake.ModeDelete}

const actionList = `add, update, "update or add", "ignore or add" or delete`

// parseAction reads action (case and spaces ignored; "" is add).
func parseAction(errs *dialect.Errors, action string) intake.Mode {
	v := strings.Join(strings.Fields(strings.ToLower(action)), " ")
	if v == "" {
		return Rules.Mode
	}
	m, ok := Actions[v]
	if !ok {
		errs.Add("action", action, fmt.Sprintf("action %q is not one of Copernica's actions: use %s.", action, actionList))
	}
	return m
}

// delimiter reads delimiter: one of the documented "\t", "," and ";"
// (a tab also as the two characters \t or "tab").
func delimiter(errs *dialect.Errors, v string) string {
	d := dialect.Delimiter(v)
	switch d {
	case "", "\t", ",", ";":
		return d
	}
	errs.Add("delimiter", v, fmt.Sprintf(`delimiter %q is not one of Copernica's delimiters: use "\t", "," or ";".`, v))
	return ""
}

// checkTargets checks deleteTarget and removeMissing against the action
// and the key fields, and sets what they ask for.
func checkTargets(errs *dialect.Errors, spec *intake.ImportSpec, deleteTarget, collection string) {
	switch {
	case deleteTarget == "" || deleteTarget == "profile":
	case deleteTarget != "subprofile":
		errs.Add("deleteTarget", deleteTarget, "deleteTarget must be profile or subprofile.")
	case collection == "":
		errs.Add("deleteTarget", deleteTarget, "deleteTarget subprofile needs a subprofile key field such as Order.OrderID in keyFields.")
	case spec.Mode != intake.ModeDelete:
		errs.Add("deleteTarget", deleteTarget, "deleteTarget only applies when action is delete.")
	}
	if deleteTarget == "subprofile" {
		// Only the matching child records go; the profiles stay.
		spec.DeleteTarget = intake.DeleteSubprofile
	}
	// A subprofile key (Order.OrderID) keeps this a contact import: the
	// engine finds or creates the profile by the other keys and updates or
	// adds its child record in the collection by the dotted ones.
	if spec.RemoveMissing {
		spec.RemoveMissingGroup = spec.JoinGroup
		if spec.Mode == intake.ModeDelete {
			errs.Add("removeMissing", "true", "removeMissing cannot be combined with action delete: it would delete every profile.")
		}
	}
}

// customName is what a Copernica field name becomes as a custom field name.
var notName = regexp.MustCompile(`[^a-z0-9_]+`)

// keys resolves Copernica's keyFields: a field Intake knows by that name or
// a synonym (Email → email, Contactpersoon → name) matches on it; a dotted
// name (Order.OrderID) is a subprofile key, whose collection is returned
// with the dotted names kept; any other name is a custom field of that name
// (custom.NAME), matched if the tenant defined it and kept as untyped text
// with a warning if not. The columns returned map such a name's column to
// its custom field.
func keys(names []string, reg *intake.Registry) (match []string, collection string, columns map[string]string, warnings []string) {
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if coll, _, ok := strings.Cut(n, "."); ok && !strings.HasPrefix(strings.ToLower(n), intake.CustomPrefix) {
			collection = coll
			match = append(match, n)
			continue
		}
		if f, err := reg.ParseMatchFields(n); err == nil && len(f) == 1 {
			match = append(match, f[0])
			continue
		}
		custom := intake.CustomPrefix + strings.Trim(notName.ReplaceAllString(strings.ToLower(n), "_"), "_")
		match = append(match, custom)
		if columns == nil {
			columns = map[string]string{}
		}
		columns[n] = custom
		warnings = append(warnings, fmt.Sprintf("keyField %q is not a field Intake knows: it matches on custom field %s (text; define it with POST /api/v1/fields to type it).", n, custom))
	}
	if len(match) == 0 {
		match = []string{intake.FieldEmail}
	}
	return match, collection, columns, warnings
}

func setBool(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}
