// Package plannr is the Plannr import dialect (shared/seeds/001_…): POST
// /api/v1/import with a multipart body of type, mode and a CSV file. It
// translates Plannr's record types and modes into an import request, gives
// a job its Plannr uuid, and renders the seed's response object and
// Laravel's error bodies. It knows no HTTP and no SQL.
//
// A Plannr import "must be mapped before it can be started": every import
// waits for its mapping (PUT …/mapping, then POST …/start), even when every
// header was recognised.
package plannr

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
	"github.com/intake/intake/internal/dialect/native"
)

// TypeClients is the one Plannr record type that is contacts.
const TypeClients = "clients"

// Types are the record types the seed lists, in its order. Every type but
// clients is a collection of the same name.
var Types = []string{"business_staff_members", "charges", TypeClients, "group_scheme_members", "notes", "plans",
	"premiums", "tasks", "valuations"}

// Modes are the seed's import modes: store adds records (Intake's create),
// update changes existing ones, validate writes nothing.
var Modes = []string{"store", "update", "validate"}

// Translate checks a create request's type and mode (both required) and
// translates it: clients → contacts matched on email, any other type →
// the collection of that name (matched on its key fields), never started
// until the client starts it. Options besides type, mode and file (mapping,
// delimiter, …) are read as POST /api/v1/imports reads them. A missing
// file is one more field error, so a 422 names every missing field at once,
// as Laravel's. Errors: EINVALID with a field error per bad option.
func Translate(in dialect.Request) (dialect.Translation, error) {
	p := in.Params
	var errs dialect.Errors
	var rest dialect.Params
	typ, mode := "", ""
	var warnings []string
	for _, x := range p {
		v := strings.TrimSpace(x.Value)
		switch x.Key {
		case "type":
			typ = strings.ToLower(v)
		case "mode":
			mode = strings.ToLower(v)
		case "file":
		case "resource", "autostart", "upload_mode", "action":
			// Plannr's type and the two-step start decide these: said, not
			// silently dropped.
			warnings = append(warnings, fmt.Sprintf("%s is not a Plannr import option and was not applied: type and mode say what is imported, and POST /api/v1/import/{uuid}/start starts it.", x.Key))
		default:
			rest.Add(x.Key, x.Value)
		}
	}
	switch {
	case typ == "":
		errs.Add("type", "", "The type field is required.")
	case !slices.Contains(Types, typ):
		errs.Add("type", typ, "The selected type is invalid: use one of "+strings.Join(Types, ", ")+".")
	}
	switch {
	case mode == "":
		errs.Add("mode", "", "The mode field is required.")
	case !slices.Contains(Modes, mode):
		errs.Add("mode", mode, "The selected mode is invalid: use store, update or validate.")
	}
	if err := errs.Err("The import options are not valid."); err != nil {
		return dialect.Translation{}, missingFile(err, in.HasFile)
	}
	rest.Add("mode", mode)
	rest.Add("resource", Resource(typ))
	req, err := native.Translate(Rules, rest, in.Registry)
	req.Sync = false
	if err == nil && !in.HasFile {
		err = intake.Invalid("")
	}
	req.MappingStep = true
	req.Warnings = append(req.Warnings, warnings...)
	return dialect.Translation{ImportRequest: req, Warnings: warnings}, missingFile(err, in.HasFile)
}

// missingFile adds the missing file to err's field errors.
func missingFile(err error, hasFile bool) error {
	var ie *intake.Error
	if hasFile || !errors.As(err, &ie) || ie.Code != intake.EINVALID {
		return err
	}
	return intake.Invalid(ie.Message, append(ie.Fields, intake.FieldError{Field: "file", Message: "The file field is required."})...)
}

// Rules are Plannr's: an import "must be mapped before it can be
// started", so every import waits for its mapping, even when every header
// was recognised; its records match on email (clients) or their key fields.
var Rules = dialect.Rules{Name: "plannr", WaitForMapping: true}

// Resource is the import resource of a Plannr type.
func Resource(typ string) string {
	if typ == TypeClients {
		return intake.ResourceContacts
	}
	return intake.CollectionResource(typ)
}

// TypeOf is the Plannr type of a job's resource (contacts → clients).
func TypeOf(resource string) string {
	if name, ok := intake.ParseCollectionResource(resource); ok {
		return name
	}
	if resource == "" || resource == intake.ResourceContacts {
		return TypeClients
	}
	return resource
}

// ModeOf is the Plannr mode of a job's mode: create is store, as sent.
func ModeOf(m intake.Mode) string {
	if m == intake.ModeCreate {
		return "store"
	}
	return string(m)
}

// Singular names one record of a type in the errors list (clients →
// client, as the seed's example; charges → charge; …).
func Singular(typ string) string {
	switch {
	case strings.HasSuffix(typ, "s"):
		return strings.TrimSuffix(typ, "s")
	case typ == "":
		return "record"
	}
	return typ
}

// Mapping reads the body of PUT …/mapping: {"mapping": {header: field}}
// as JSON text, or the form fields mapping[header]=field. It returns the
// mapping as JSON text for the native PATCH. Errors: EINVALID.
func Mapping(jsonMapping string, form map[string]string) (string, error) {
	var errs dialect.Errors
	m := errs.Object("mapping", jsonMapping)
	if len(form) > 0 {
		if m == nil {
			m = map[string]string{}
		}
		for h, f := range form {
			m[h] = f
		}
	}
	if err := errs.Err("The mapping field must be an object of header → field."); err != nil {
		return "", err
	}
	if m == nil {
		return "", intake.Invalid("The mapping field is required.", intake.FieldError{Field: "mapping", Message: "The mapping field is required."})
	}
	return mappingJSON(m), nil
}

// mappingJSON renders a mapping as JSON (keys in order).
func mappingJSON(m map[string]string) string {
	b, _ := json.Marshal(m)
	return string(b)
}
