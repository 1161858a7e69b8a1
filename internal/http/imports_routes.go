package http

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
	"github.com/intake/intake/internal/dialect/native"
	"github.com/intake/intake/internal/imports"
)

// ImportList is a page of import jobs, newest first.
type ImportList struct {
	Data       []native.ImportView `json:"data"`
	NextCursor string              `json:"next_cursor,omitempty"`
}

// RowErrorList is a page of an import's row errors, in file order.
type RowErrorList struct {
	Data       []intake.RowError `json:"data"`
	NextCursor string            `json:"next_cursor,omitempty"`
}

// ImportPatch changes a job that is awaiting its mapping. Absent fields
// keep their values; a mapping given replaces the mapping.
type ImportPatch struct {
	Mapping           map[string]string `json:"mapping,omitempty" doc:"Column header → field (email, first_name, custom.NAME, …; \"\" or \"ignore\" leaves a column out)."`
	ColumnMapping     map[string]string `json:"column_mapping,omitempty" doc:"PackageX's direction: field → column header."`
	Headers           []string          `json:"headers,omitempty" doc:"TextUs: the field of each column, in order."`
	Mode              string            `json:"mode,omitempty"`
	MatchFields       []string          `json:"match_fields,omitempty"`
	Duplicates        string            `json:"duplicates,omitempty"`
	IgnoreEmptyFields *bool             `json:"ignore_empty_fields,omitempty"`
	SkipOnError       *bool             `json:"skip_on_error,omitempty"`
	InvalidFields     string            `json:"invalid_fields,omitempty" enum:"skip_field,skip_row" doc:"skip_field (default): a bad value in a field that is neither a match field nor required is left unset and the row written (outcome partial); skip_row: the row fails."`
	HeaderRow         int               `json:"header_row,omitempty" minimum:"1" maximum:"1000" doc:"The file's header row (1-based); the headers are read again from it."`
	Name              string            `json:"name,omitempty"`
	Delimiter         string            `json:"delimiter,omitempty"`
	Encoding          string            `json:"encoding,omitempty"`
	Sheet             string            `json:"sheet,omitempty"`
	Region            string            `json:"region,omitempty"`
	Resource          string            `json:"resource,omitempty" doc:"contacts or participants (with event_key); what the rows are imported as."`
	EventKey          string            `json:"event_key,omitempty" doc:"Participants imports: the key of the event the rows register for."`
	Preview           *bool             `json:"preview,omitempty" doc:"true: the job decides every row and keeps its change set without writing (ends previewed); POST …/start then applies it."`
}

type importIDInput struct {
	ID int64 `path:"id"`
}

// registerImports registers the import job routes (imports scope), one
// function per route.
func (s *Server) registerImports() {
	s.documentCreateImport()
	s.registerListImports()
	s.registerGetImport()
	s.registerUpdateImport()
	s.registerStartImport()
	s.registerCancelImport()
	s.registerImportErrors()
}

// documentCreateImport adds create-import to the OpenAPI document only: the
// request is multipart or JSON and is served by the one create handler
// (create.go), not by huma.
func (s *Server) documentCreateImport() {
	create := s.idempotent(huma.Operation{
		OperationID: "create-import", Method: http.MethodPost, Path: "/api/v1/imports",
		Summary: "Upload a file to import", Tags: []string{"Imports"}, Security: secured(intake.ScopeImports),
		Description: "multipart/form-data with a `file` part and options as fields (mode, match_fields, mapping as JSON, " +
			"column_mapping, headers, duplicates, ignore_empty_fields, skip_on_error, invalid_fields, header_row, autostart, " +
			"upload_mode, format, delimiter, encoding, sheet, region, name); or JSON with `data` (a base64 data URI), `source` (a JSON array " +
			"or a string) or `location` (an http(s) URL) and the same options. The file is streamed to storage and " +
			"content-sniffed: PDFs, images and other binaries are refused with 422. Answers 201 with the job: " +
			"`awaiting_mapping` when the mapping is incomplete or autostart is false, else `queued` " +
			"(or finished, with upload_mode=sync).",
		Responses: map[string]*huma.Response{
			"201": {Description: "The import job."},
			"413": {Description: "The upload is larger than allowed."},
			"422": {Description: "No file, an unsupported file, bad options or mapping (Missing required headers: …, Invalid headers provided: …)."},
		},
	})
	s.api.OpenAPI().AddOperation(&create)
}

func (s *Server) registerListImports() {
	huma.Register(s.api, huma.Operation{
		OperationID: "list-imports", Method: http.MethodGet, Path: "/api/v1/imports",
		Summary: "List import jobs", Tags: []string{"Imports"}, Security: secured(intake.ScopeImports),
	}, func(ctx context.Context, in *struct {
		Cursor string `query:"cursor"`
		Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20"`
	}) (*struct{ Body ImportList }, error) {
		before, ok := decodeCursor(in.Cursor)
		if !ok {
			return nil, huma.Error422UnprocessableEntity("The cursor is not valid.")
		}
		ims, err := s.Imports.List(ctx, tenant(ctx), before, in.Limit)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &struct{ Body ImportList }{Body: ImportList{Data: []native.ImportView{}}}
		for _, im := range ims {
			v := native.View(im, nil) // the index route leaves errors out, as Plannr's does
			v.Errors = nil
			out.Body.Data = append(out.Body.Data, v)
		}
		if len(ims) == in.Limit {
			out.Body.NextCursor = encodeCursor(ims[len(ims)-1].ID)
		}
		return out, nil
	})
}

func (s *Server) registerGetImport() {
	huma.Register(s.api, huma.Operation{
		OperationID: "get-import", Method: http.MethodGet, Path: "/api/v1/imports/{id}",
		Summary: "Get an import job", Tags: []string{"Imports"}, Security: secured(intake.ScopeImports),
		Description: "Status, counts, progress (0–100) and the first 25 row errors. Poll it while the job runs.",
	}, func(ctx context.Context, in *importIDInput) (*struct{ Body native.ImportView }, error) {
		return s.respondImport(ctx)(s.Imports.Get(ctx, tenant(ctx), in.ID))
	})
}

func (s *Server) registerUpdateImport() {
	huma.Register(s.api, huma.Operation{
		OperationID: "update-import", Method: http.MethodPatch, Path: "/api/v1/imports/{id}",
		Summary: "Set an import's mapping and options", Tags: []string{"Imports"}, Security: secured(intake.ScopeImports),
		Description: "Only while the job is awaiting_mapping. Then start it with POST /start.",
	}, func(ctx context.Context, in *struct {
		ID   int64 `path:"id"`
		Body ImportPatch
	}) (*struct{ Body native.ImportView }, error) {
		return s.respondImport(ctx)(s.patchImport(ctx, tenant(ctx), in.ID, &in.Body))
	})
}

func (s *Server) registerStartImport() {
	huma.Register(s.api, huma.Operation{
		OperationID: "start-import", Method: http.MethodPost, Path: "/api/v1/imports/{id}/start",
		Summary: "Start an import", Tags: []string{"Imports"}, Security: secured(intake.ScopeImports),
		Description: "Queues a job that is awaiting_mapping once its required fields are mapped; 422 names the missing ones.",
	}, func(ctx context.Context, in *importIDInput) (*struct{ Body native.ImportView }, error) {
		return s.respondImport(ctx)(s.Imports.Start(ctx, tenant(ctx), in.ID))
	})
}

func (s *Server) registerCancelImport() {
	huma.Register(s.api, huma.Operation{
		OperationID: "cancel-import", Method: http.MethodPost, Path: "/api/v1/imports/{id}/cancel",
		Summary: "Cancel an import", Tags: []string{"Imports"}, Security: secured(intake.ScopeImports),
		Description: "A running job stops at its next chunk; what earlier chunks wrote stays written, and the counts say what.",
	}, func(ctx context.Context, in *importIDInput) (*struct{ Body native.ImportView }, error) {
		return s.respondImport(ctx)(s.Imports.Cancel(ctx, tenant(ctx), in.ID))
	})
}

// registerImportErrors registers the error report routes.
func (s *Server) registerImportErrors() {
	huma.Register(s.api, huma.Operation{
		OperationID: "list-import-errors", Method: http.MethodGet, Path: "/api/v1/imports/{id}/errors",
		Summary: "List an import's row errors", Tags: []string{"Imports"}, Security: secured(intake.ScopeImports),
		Description: "Every row that was not written (failed or skipped), in file order, cursor-paged. Row numbers count the header as row 1.",
	}, func(ctx context.Context, in *struct {
		ID     int64  `path:"id"`
		Cursor string `query:"cursor"`
		Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"100"`
	}) (*struct{ Body RowErrorList }, error) {
		after, ok := decodeCursor(in.Cursor)
		if !ok || after > math.MaxInt32 { // rows are 32-bit: a forged larger cursor is no row
			return nil, huma.Error422UnprocessableEntity("The cursor is not valid.")
		}
		errs, err := s.Imports.Errors(ctx, tenant(ctx), in.ID, int(after), in.Limit)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &struct{ Body RowErrorList }{Body: RowErrorList{Data: errs}}
		if out.Body.Data == nil {
			out.Body.Data = []intake.RowError{}
		}
		if len(errs) == in.Limit {
			out.Body.NextCursor = encodeCursor(int64(errs[len(errs)-1].Row))
		}
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "import-errors-csv", Method: http.MethodGet, Path: "/api/v1/imports/{id}/errors.csv",
		Summary: "Download the error report", Tags: []string{"Imports"}, Security: secured(intake.ScopeImports),
		Description: "The original columns of every row that was not written, plus row, outcome (failed/skipped) and error, in file order: fix it and upload it again.",
		Responses:   map[string]*huma.Response{"200": {Description: "text/csv", Content: map[string]*huma.MediaType{"text/csv": {}}}},
	}, func(ctx context.Context, in *importIDInput) (*huma.StreamResponse, error) {
		t := tenant(ctx)
		im, err := s.Imports.Get(ctx, t, in.ID)
		if err == nil {
			err = imports.ReportGone(&im)
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &huma.StreamResponse{Body: func(hctx huma.Context) {
			hctx.SetHeader("Content-Type", "text/csv; charset=utf-8")
			hctx.SetHeader("Content-Disposition", fmt.Sprintf(`attachment; filename="import-%d-errors.csv"`, im.ID))
			if err := s.writeErrorsCSV(ctx, hctx.BodyWriter(), im); err != nil {
				s.Logger.ErrorContext(ctx, "errors.csv", "import", im.ID, "err", err)
			}
		}}, nil
	})
}

// writeErrorsCSV writes a job's error report: the original columns of every
// row not written, plus row, outcome and error, in file order, a page of
// errors at a time (memory stays flat whatever the report's size).
func (s *Server) writeErrorsCSV(ctx context.Context, out io.Writer, im intake.Import) error {
	w := csv.NewWriter(out)
	w.Write(append(append([]string{}, im.Headers...), "row", "outcome", "error"))
	after := 0
	for {
		page, err := s.Imports.ErrorsOf(ctx, &im, after, 1000)
		if err != nil {
			w.Flush()
			return err
		}
		for _, e := range page {
			rec := make([]string, len(im.Headers), len(im.Headers)+3)
			copy(rec, e.Values)
			rec = append(rec, strconv.Itoa(e.Row), string(e.Outcome), e.Message)
			for i := range rec {
				rec[i] = spreadsheetSafe(rec[i])
			}
			w.Write(rec)
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].Row
	}
	w.Flush()
	return w.Error()
}

// spreadsheetSafe escapes a cell that a spreadsheet would run as a formula
// by putting a ' before it, as OWASP advises for CSV exports: errors.csv
// holds untrusted cells and is made to be opened in Excel. The importer
// strips the ' again when the report is uploaded (importer.Clean); the
// JSON errors keep the raw value.
func spreadsheetSafe(v string) string {
	if v != "" && strings.IndexByte(intake.FormulaStarts, v[0]) >= 0 {
		return "'" + v
	}
	return v
}

// respondImport answers with a job, or with err as a problem. It returns
// a function so a service call's two results can be passed straight in.
func (s *Server) respondImport(ctx context.Context) func(intake.Import, error) (*struct{ Body native.ImportView }, error) {
	return func(im intake.Import, err error) (*struct{ Body native.ImportView }, error) {
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		v, err := s.view(ctx, im)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body native.ImportView }{Body: v}, nil
	}
}

// patchImport applies a PATCH to a job awaiting its mapping: the patch's
// fields become the native dialect's options, over the job's own.
func (s *Server) patchImport(ctx context.Context, tenantID, id int64, patch *ImportPatch) (intake.Import, error) {
	im, err := s.Imports.Get(ctx, tenantID, id)
	if err != nil {
		return im, err
	}
	raw, _ := json.Marshal(patch)
	var fields map[string]json.RawMessage
	json.Unmarshal(raw, &fields)
	var params dialect.Params
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		var str string
		if json.Unmarshal(fields[k], &str) != nil {
			str = string(fields[k])
		}
		params.Add(k, str)
	}
	reg, err := s.Directory.Registry(ctx, tenantID)
	if err != nil {
		return im, err
	}
	req, err := native.Patch(params, &im, reg)
	if err != nil {
		return im, err
	}
	return s.Imports.Patch(ctx, tenantID, id, req)
}
