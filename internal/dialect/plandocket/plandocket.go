// Package plandocket is the Plandocket bulk-import dialect
// (shared/seeds/000_…): synchronous, at most 1000 records a call,
// {records, field_mapping, mode, match_field, skip_on_error} →
// {total, created, updated, skipped, errors, details}, with the seed's
// defaults (mode create, match_field email, skip_on_error true).
package plandocket

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
	"github.com/intake/intake/internal/importer"
)

// BulkRequest is the Plandocket bulk-import request.
type BulkRequest struct {
	Records      []dialect.Record  `json:"records" doc:"Array of records to import (max 1000). Keys are Intake field names (email, first_name, last_name, name, customer_number, phone, company, address, city, postal_code, country, notes, tags, custom.NAME, alternate_emails_work, …), their common synonyms (Email, E-mail, First Name, …), or source names mapped by field_mapping."`
	FieldMapping map[string]string `json:"field_mapping,omitempty" doc:"Object mapping source field names to target field names."`
	Mode         string            `json:"mode,omitempty" doc:"Import mode: create, update, upsert, ignore_or_add, delete or validate (aliases: store, add, merge, \"update or add\", \"ignore or add\"). Default create."`
	MatchField   string            `json:"match_field,omitempty" doc:"Field to match existing records: email, customer_number, phone, name or custom.NAME; several as a comma list. Default email."`
	SkipOnError  *bool             `json:"skip_on_error,omitempty" doc:"Skip records with errors and continue (default true). false = all or nothing: one invalid record and nothing is written (422)."`
	EventKey     string            `json:"event_key,omitempty" doc:"Event key for participant import (required for participants; /contacts ignores it)."`
	// CreateContacts is a pointer: absent means the seed's default, true.
	CreateContacts *bool `json:"create_contacts,omitempty" doc:"Whether to create contacts that do not exist during participant import (default true; /contacts ignores it). The participants scope covers creating them; existing contacts are never changed."`
	// Intake extensions, with the design's defaults.
	IgnoreEmptyFields *bool  `json:"ignore_empty_fields,omitempty" doc:"Intake extension: empty values keep stored ones (default true)."`
	Duplicates        string `json:"duplicates,omitempty" doc:"Intake extension: records sharing a match key: use_first, use_last (default), ignore_all or error."`
	Followups         *bool  `json:"followups,omitempty" doc:"Intake extension: send the records' webhook events (contact.created, contact.updated with before → after, …) to the tenant's webhooks."`
	Rebuild           *bool  `json:"rebuild,omitempty" doc:"Intake extension: rebuild the tenant's selections when the call has written."`
}

// BulkError is one rejected record.
type BulkError struct {
	Index   int    `json:"index" doc:"0-based position in records."`
	Field   string `json:"field,omitempty"`
	Code    string `json:"code" doc:"Stable error code, e.g. invalid_email, missing_match_key, value_taken, duplicate_in_file."`
	Message string `json:"message"`
}

// BulkDetail is what happened to one record.
type BulkDetail struct {
	Index  int    `json:"index"`
	Status string `json:"status" enum:"created,updated,deleted,skipped,failed"`
	ID     int64  `json:"id,omitempty" doc:"The contact's id, when there is one (participants: the participant's id)."`
	// ContactID and ContactCreated are the participants endpoint's.
	ContactID      int64  `json:"contact_id,omitempty" doc:"Participants: the participant's contact."`
	ContactCreated bool   `json:"contact_created,omitempty" doc:"Participants: the record created its contact."`
	Code           string `json:"code,omitempty" doc:"Why a record was skipped or failed."`
	Reason         string `json:"reason,omitempty"`
}

// BulkResponse is the Plandocket bulk-import response. In validate mode the
// counts say what would happen and nothing is written.
type BulkResponse struct {
	Total   int `json:"total"`
	Created int `json:"created"`
	Updated int `json:"updated"`
	Skipped int `json:"skipped" doc:"Records not written: already existing (create), not found (update), duplicates and failed records."`
	Deleted int `json:"deleted,omitempty" doc:"Intake extension: records deleted (mode delete)."`
	// ContactsCreated is in both endpoints' answers, as the seed's one
	// response schema has it: /contacts counts the contacts it created.
	ContactsCreated int          `json:"contacts_created" doc:"Contacts created: /contacts the records created; /participants the contacts made for records whose contact did not exist (create_contacts)."`
	Errors          []BulkError  `json:"errors"`
	Details         []BulkDetail `json:"details"`
	Warnings        []string     `json:"warnings,omitempty" doc:"Intake extension: keys that were ignored."`
}

// Translate turns a request into a spec and records. Record keys map by
// the one mapping rule (importer.Column): field_mapping first, then the
// key's own name or a synonym; keys that map to no field are ignored and
// named in the warnings. reg is the tenant's fields: their custom fields
// are mapping targets and match fields by name. Errors: EINVALID with a
// field error per bad option.
func Translate(req *BulkRequest, reg *intake.Registry) (intake.ImportSpec, importer.Records, []string, error) {
	return translate(req, intake.ResourceContacts, reg)
}

// TranslateParticipants is Translate for /bulk-import/participants: the
// same request, plus event_key (required) and create_contacts (default
// true); status is a field of its records. Whether the event exists is the
// import service's to say: this is a pure translation.
func TranslateParticipants(req *BulkRequest, reg *intake.Registry) (intake.ImportSpec, importer.Records, []string, error) {
	return translate(req, intake.ResourceParticipants, reg)
}

func translate(req *BulkRequest, resource string, reg *intake.Registry) (intake.ImportSpec, importer.Records, []string, error) {
	spec := intake.DefaultSpec()
	spec.Resource = resource
	// The seed skips a record with a validation error whole: its clients
	// count on skipped + errors, so no record is written in part.
	spec.InvalidFields = intake.InvalidFieldsSkipRow
	var errs dialect.Errors
	var err error
	if resource == intake.ResourceParticipants {
		if spec.EventKey = strings.TrimSpace(req.EventKey); spec.EventKey == "" {
			errs.Add("event_key", req.EventKey, "event_key is required: the key of the event the participants are added to.")
		}
		if req.CreateContacts != nil {
			spec.CreateContacts = *req.CreateContacts
		}
	}
	if spec.Mode, err = intake.ParseMode(req.Mode, intake.ModeCreate); err != nil {
		errs.Add("mode", req.Mode, intake.ErrorMessage(err))
	}
	if spec.MatchFields, err = reg.ParseMatchFields(req.MatchField); err != nil {
		errs.Add("match_field", req.MatchField, intake.ErrorMessage(err))
	}
	if spec.Duplicates, err = intake.ParseDuplicates(req.Duplicates); err != nil {
		errs.Add("duplicates", req.Duplicates, intake.ErrorMessage(err))
	}
	if req.SkipOnError != nil {
		spec.SkipOnError = *req.SkipOnError
	}
	if req.IgnoreEmptyFields != nil {
		spec.IgnoreEmptyFields = *req.IgnoreEmptyFields
	}
	spec.Followups = req.Followups != nil && *req.Followups
	spec.Rebuild = req.Rebuild != nil && *req.Rebuild
	spec.Mapping = map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(req.FieldMapping)) {
		v := req.FieldMapping[k]
		target, ok := importer.TargetFor(resource, reg, v)
		if !ok {
			errs.Add("field_mapping."+k, v, fmt.Sprintf("Unknown target field %q: use a contact field (email, first_name, …), custom.NAME or an alternate_* field.", v))
		}
		spec.Mapping[k] = target
	}
	if err := errs.Err("The import options are not valid."); err != nil {
		return spec, nil, nil, err
	}
	recs, warnings := records(req, resource, reg, spec.Mapping)
	return spec, recs, warnings, nil
}

// records maps each request record's keys to fields, and warns once per
// key that maps to none.
func records(req *BulkRequest, resource string, reg *intake.Registry, mapping map[string]string) (importer.Records, []string) {
	recs := make(importer.Records, len(req.Records))
	var ignored []string
	for i, raw := range req.Records {
		fields := make(map[string]string, len(raw))
		for k, v := range raw {
			target := importer.ColumnFor(resource, reg, mapping, k)
			if target == "" {
				ignored = append(ignored, k)
				continue
			}
			fields[target] = dialect.CellString(v)
		}
		recs[i] = importer.Record{Row: i, Fields: fields}
	}
	// Sorted and compacted once, not de-duplicated key by key: a record
	// with many unknown keys costs n log n, not n².
	slices.Sort(ignored)
	ignored = slices.Compact(ignored)
	warnings := make([]string, len(ignored))
	for i, k := range ignored {
		warnings[i] = fmt.Sprintf("Key %q is not a contact field and is not in field_mapping; it was ignored.", k)
	}
	return recs, warnings
}

// Respond renders a result and its items. A rejected import (skip_on_error
// false and a record failed) is an EINVALID error whose field errors point
// at the failed records; nothing was written.
func Respond(res importer.Result, items []*importer.Item, warnings []string) (BulkResponse, error) {
	out := BulkResponse{Total: res.Rows, Created: res.Created, Updated: res.Updated, Deleted: res.Deleted,
		Skipped: res.Skipped + res.Failed, ContactsCreated: res.Created, Errors: []BulkError{}, Details: make([]BulkDetail, 0, len(items)), Warnings: warnings}
	var fields []intake.FieldError
	for _, it := range items {
		d := BulkDetail{Index: it.Row, Status: string(it.Outcome), ID: it.ID}
		if e := it.Err(); e != nil {
			d.Code, d.Reason = e.Code, e.Message
		}
		out.Details = append(out.Details, d)
		if !it.Failed() {
			continue
		}
		for _, e := range it.Errs {
			out.Errors = append(out.Errors, BulkError{Index: it.Row, Field: e.Field, Code: e.Code, Message: e.Message})
			fields = append(fields, intake.FieldError{Field: fmt.Sprintf("records[%d].%s", it.Row, e.Field), Value: e.Value, Code: e.Code, Message: e.Message})
		}
	}
	if res.Rejected {
		return out, intake.Invalid(fmt.Sprintf("%d of %d records are invalid and skip_on_error is false, so nothing was written.", res.Failed, res.Rows), fields...)
	}
	return out, nil
}

// ParticipantsResponse is the participants endpoint's response: the
// contacts response, whose counts are of participants and whose
// contacts_created counts the contacts made for them.
type ParticipantsResponse = BulkResponse

// RespondParticipants renders a participants result as Respond does, with
// each record's contact and the contacts created.
func RespondParticipants(res importer.Result, items []*importer.Item, warnings []string) (ParticipantsResponse, error) {
	out, err := Respond(res, items, warnings)
	for i, it := range items {
		if c, ok := it.Data.(*intake.Contact); ok && !it.Failed() {
			out.Details[i].ContactID = c.ID
		}
		out.Details[i].ContactCreated = it.ContactCreated
	}
	out.ContactsCreated = res.ContactsCreated
	return out, err
}
