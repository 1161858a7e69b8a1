package native

import (
	"fmt"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
)

// ImportView is an import job as our API shows it (Plannr's shape, with our
// counters): the job, its mapping, progress and the first 25 row errors.
type ImportView struct {
	intake.Import
	Resource       string            `json:"resource"`
	Mode           intake.Mode       `json:"mode"`
	MatchFields    []string          `json:"match_fields"`
	Mapping        map[string]string `json:"mapping"`
	Progress       int               `json:"progress" doc:"0–100"`
	HasErrors      bool              `json:"has_errors" doc:"Some rows failed, were skipped or were written in part, or remove_missing removed contacts; see errors and error_report_url."`
	Errors         []intake.RowError `json:"errors"`
	ErrorReportURL string            `json:"error_report_url"`
	// Recognition is what the server read in the file's columns (lifted
	// from the job's options to the top level, as DESIGN §4a shows it).
	Columns       []intake.ColumnDecision `json:"columns" doc:"Per column: target, reason (header, content, remembered, saved, given), confidence 0–1, samples."`
	PreviewRows   [][]string              `json:"preview_rows" doc:"The first rows as read."`
	MappingSource *intake.MappingSource   `json:"mapping_source" doc:"{\"import_id\": N}, {\"saved\": NAME} or null."`
	// Detected is what the reader chose (DESIGN §4a); the options sheet,
	// path, header_row, delimiter and encoding override each part.
	Detected Detected `json:"detected"`
	// ContactsCreated shadows the job's own field so that only a
	// participants job shows it.
	ContactsCreated *int `json:"contacts_created,omitempty" doc:"Participants jobs: the contacts created for rows whose contact did not exist."`
}

// View renders a job with its first row errors (nil: none loaded).
func View(im intake.Import, errs []intake.RowError) ImportView {
	v := ImportView{Import: im, Resource: im.Spec.Resource, Mode: im.Spec.Mode, MatchFields: im.Spec.MatchFields,
		Mapping: map[string]string{}, Progress: im.Progress(), HasErrors: im.HasReport(),
		ErrorReportURL: fmt.Sprintf("/api/v1/imports/%d/errors.csv", im.ID), Errors: []intake.RowError{}}
	for h, f := range im.Spec.Mapping {
		if f != "" { // columns left out are in the warnings
			v.Mapping[h] = f
		}
	}
	v.Detected = Detected{Format: im.Format, Sheet: im.Sheet, Path: im.Spec.Path, HeaderRow: im.Spec.HeaderRow,
		Delimiter: im.Delimiter, Encoding: im.Encoding}
	v.Columns, v.PreviewRows = []intake.ColumnDecision{}, [][]string{}
	if rec := im.Spec.Recognition; rec != nil {
		v.Columns, v.MappingSource = append(v.Columns, rec.Columns...), rec.MappingSource
		v.PreviewRows = append(v.PreviewRows, rec.PreviewRows...)
		v.Import.Spec.Recognition = nil // shown once, at the top
	}
	if k, _, ok := importer.KindOf(v.Resource); ok && k.CreatesContacts {
		v.ContactsCreated = &im.ContactsCreated
	}
	if v.Resource == "" {
		v.Resource = intake.ResourceContacts
	}
	if v.Headers == nil {
		v.Headers = []string{}
	}
	v.Errors = append(v.Errors, errs...)
	return v
}

// Detected is how the file was read: its format, the sheet of a workbook,
// the path of the records in a JSON document, the header row (1-based),
// and a text file's delimiter and encoding.
type Detected struct {
	Format    string `json:"format"`
	Sheet     string `json:"sheet,omitempty"`
	Path      string `json:"path,omitempty"`
	HeaderRow int    `json:"header_row,omitempty"`
	Delimiter string `json:"delimiter,omitempty"`
	Encoding  string `json:"encoding,omitempty"`
}
