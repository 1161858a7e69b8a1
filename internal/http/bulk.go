package http

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
)

// The Plandocket bulk-import dialect: synchronous, at most 1000 records a
// call, request and response shaped exactly as its docs
// (shared/seeds/000_…): {records, field_mapping, mode, match_field,
// skip_on_error} → {total, created, updated, skipped, errors, details}.

// MaxBulkRecords is the most records one synchronous call may carry.
const MaxBulkRecords = 1000

// BulkRequest is the Plandocket bulk-import request.
type BulkRequest struct {
	Records      []map[string]any  `json:"records" doc:"Array of records to import (max 1000). Keys are Intake field names (email, first_name, last_name, name, customer_number, phone, company, address, city, postal_code, country, notes, tags, custom.NAME, alternate_emails_work, …) or source names mapped by field_mapping."`
	FieldMapping map[string]string `json:"field_mapping,omitempty" doc:"Object mapping source field names to target field names."`
	Mode         string            `json:"mode,omitempty" doc:"Import mode: create, update, upsert, ignore_or_add, delete or validate (aliases: store, add, merge, \"update or add\", \"ignore or add\"). Default create."`
	MatchField   string            `json:"match_field,omitempty" doc:"Field to match existing records: email, customer_number, phone, name or custom.NAME; several as a comma list. Default email."`
	SkipOnError  *bool             `json:"skip_on_error,omitempty" doc:"Skip records with errors and continue (default true). false = all or nothing: one invalid record and nothing is written (422)."`
	// Intake extensions, with the design's defaults.
	IgnoreEmptyFields *bool  `json:"ignore_empty_fields,omitempty" doc:"Intake extension: empty values keep stored ones (default true)."`
	Duplicates        string `json:"duplicates,omitempty" doc:"Intake extension: records sharing a match key: use_first, use_last (default), ignore_all or error."`
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
	ID     int64  `json:"id,omitempty" doc:"The contact's id, when there is one."`
	Code   string `json:"code,omitempty" doc:"Why a record was skipped or failed."`
	Reason string `json:"reason,omitempty"`
}

// BulkResponse is the Plandocket bulk-import response. In validate mode the
// counts say what would happen and nothing is written.
type BulkResponse struct {
	Total    int          `json:"total"`
	Created  int          `json:"created"`
	Updated  int          `json:"updated"`
	Skipped  int          `json:"skipped" doc:"Records not written: already existing (create), not found (update), duplicates and failed records."`
	Deleted  int          `json:"deleted,omitempty" doc:"Intake extension: records deleted (mode delete)."`
	Errors   []BulkError  `json:"errors"`
	Details  []BulkDetail `json:"details"`
	Warnings []string     `json:"warnings,omitempty" doc:"Intake extension: keys that were ignored."`
}

func (s *Server) registerBulk() {
	huma.Register(s.api, huma.Operation{
		OperationID: "bulk-import-contacts", Method: http.MethodPost, Path: "/api/v1/bulk-import/contacts",
		Summary: "Import contacts (synchronous, max 1000)", Tags: []string{"Bulk import"},
		Security: secured(intake.ScopeContacts), MaxBodyBytes: 32 << 20,
		Description: "Plandocket's bulk import. Runs in one transaction and answers with per-record outcomes. " +
			"More than 1000 records → 413. skip_on_error=false and any invalid record → 422 and nothing written.",
		Errors: []int{401, 403, 413, 422},
	}, func(ctx context.Context, in *struct{ Body BulkRequest }) (*struct{ Body BulkResponse }, error) {
		return s.bulkImport(ctx, &in.Body)
	})
}

// bulkOptions translates a Plandocket request into importer options.
func bulkOptions(req *BulkRequest) (intake.Options, []error) {
	opts := intake.DefaultOptions()
	var errs []error
	var err error
	if opts.Mode, err = intake.ParseMode(req.Mode, intake.ModeCreate); err != nil {
		errs = append(errs, &huma.ErrorDetail{Location: "body.mode", Value: req.Mode, Message: intake.ErrorMessage(err)})
	}
	if opts.MatchFields, err = intake.ParseMatchFields(req.MatchField); err != nil {
		errs = append(errs, &huma.ErrorDetail{Location: "body.match_field", Value: req.MatchField, Message: intake.ErrorMessage(err)})
	}
	if opts.Duplicates, err = intake.ParseDuplicates(req.Duplicates); err != nil {
		errs = append(errs, &huma.ErrorDetail{Location: "body.duplicates", Value: req.Duplicates, Message: intake.ErrorMessage(err)})
	}
	if req.SkipOnError != nil {
		opts.SkipOnError = *req.SkipOnError
	}
	if req.IgnoreEmptyFields != nil {
		opts.IgnoreEmptyFields = *req.IgnoreEmptyFields
	}
	keys := make([]string, 0, len(req.FieldMapping))
	for k := range req.FieldMapping {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v := req.FieldMapping[k]; !importer.ValidTarget(v) {
			errs = append(errs, &huma.ErrorDetail{Location: "body.field_mapping." + k, Value: v,
				Message: fmt.Sprintf("Unknown target field %q: use a contact field (email, first_name, …), custom.NAME or an alternate_* field.", v)})
		}
	}
	opts.Mapping = req.FieldMapping
	return opts, errs
}

// bulkRecords maps each record's keys to Intake fields. Keys that are
// neither mapped nor field names are ignored and reported as warnings.
func bulkRecords(req *BulkRequest) ([]importer.Record, []string) {
	recs := make([]importer.Record, len(req.Records))
	var ignored []string
	for i, raw := range req.Records {
		fields := make(map[string]string, len(raw))
		for k, v := range raw {
			target, ok := req.FieldMapping[k]
			if !ok {
				target = k
			}
			if !importer.ValidTarget(target) {
				if !slices.Contains(ignored, k) {
					ignored = append(ignored, k)
				}
				continue
			}
			fields[target] = importer.CellString(v)
		}
		recs[i] = importer.Record{Index: i, Fields: fields}
	}
	sort.Strings(ignored)
	var warnings []string
	for _, k := range ignored {
		warnings = append(warnings, fmt.Sprintf("Key %q is not a contact field and is not in field_mapping; it was ignored.", k))
	}
	return recs, warnings
}

func (s *Server) bulkImport(ctx context.Context, req *BulkRequest) (*struct{ Body BulkResponse }, error) {
	if len(req.Records) > MaxBulkRecords {
		return nil, huma.NewError(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("Too many records: %d sent, at most %d a call. Split the import, or upload a file to /api/v1/imports.", len(req.Records), MaxBulkRecords))
	}
	opts, errs := bulkOptions(req)
	if len(errs) > 0 {
		return nil, huma.NewError(http.StatusUnprocessableEntity, "The import options are not valid.", errs...)
	}
	recs, warnings := bulkRecords(req)
	res, err := s.Engine.Import(ctx, tenant(ctx), opts, recs)
	if err != nil && intake.ErrorCode(err) != intake.EINVALID {
		return nil, s.problem(ctx, err)
	}
	out := BulkResponse{Total: res.Total, Created: res.Created, Updated: res.Updated, Deleted: res.Deleted,
		Skipped: res.Skipped + res.Failed, Errors: []BulkError{}, Details: make([]BulkDetail, 0, len(res.Items)), Warnings: warnings}
	var details []error
	for _, it := range res.Items {
		d := BulkDetail{Index: it.Index, Status: string(it.Outcome), ID: it.Contact.ID}
		if it.Err != nil {
			d.Code, d.Reason = it.Err.Code, it.Err.Message
		}
		out.Details = append(out.Details, d)
		if !it.Failed() {
			continue
		}
		for _, e := range it.Errs {
			out.Errors = append(out.Errors, BulkError{Index: it.Index, Field: e.Field, Code: e.Code, Message: e.Message})
			details = append(details, &huma.ErrorDetail{Location: fmt.Sprintf("body.records[%d].%s", it.Index, e.Field), Value: e.Value, Message: e.Message})
		}
		if len(it.Errs) == 0 && it.Err != nil {
			e := it.Err
			out.Errors = append(out.Errors, BulkError{Index: it.Index, Field: e.Field, Code: e.Code, Message: e.Message})
			details = append(details, &huma.ErrorDetail{Location: fmt.Sprintf("body.records[%d].%s", it.Index, e.Field), Value: e.Value, Message: e.Message})
		}
	}
	if err != nil {
		// skip_on_error=false and something failed: nothing was written.
		return nil, huma.NewError(http.StatusUnprocessableEntity, intake.ErrorMessage(err), details...)
	}
	return &struct{ Body BulkResponse }{Body: out}, nil
}
