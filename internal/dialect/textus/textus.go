// Package textus is the TextUs contact upload dialect (shared/seeds/004_…):
// POST /{account}/contacts/upload with a CSV file and headers, the field of
// each column in order. It translates headers into an import request,
// decides whether the file's first row is a header row, and renders the
// seed's exact error bodies.
package textus

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
)

// Region is the phone region of a TextUs import: TextUs texts North
// American numbers, so a number without a country code is a US one.
const Region = "US"

// The seed's error bodies, exactly.
var (
	ErrFileRequired    = Failure{Error: "File is required."}
	ErrHeadersRequired = Failure{Error: "Headers are a required field."}
	ErrNotCSV          = Failure{Errors: []string{"File must be a CSV (text/csv)."}}
)

// Failure is a TextUs error body: {"error": …} or {"errors": […]}. It is
// an error too: the translation returns it and the route's encoder writes
// it as it is, with status 422.
type Failure struct {
	Error  string   `json:"error,omitempty"`
	Errors []string `json:"errors,omitempty"`
}

// failure is a Failure as an error.
type failure struct{ f Failure }

func (e failure) Error() string {
	if e.f.Error != "" {
		return e.f.Error
	}
	return strings.Join(e.f.Errors, " ")
}

// Unwrap makes a Failure an EINVALID error (422) to every other reader.
func (e failure) Unwrap() error { return intake.Invalid(e.Error()) }

// Fail makes a Failure an error (EINVALID, answered as f by Body).
func Fail(f Failure) error { return failure{f} }

// Rules are TextUs's: CSV only, phones in region US, contacts need a name,
// and a bad value fails its row whole (its clients count failed rows).
// Contacts match on phone when a column holds one, else email, else name.
var Rules = dialect.Rules{Name: "textus", Formats: []string{"csv"}, Region: Region, Required: []string{intake.FieldName},
	InvalidFields: intake.InvalidFieldsSkipRow}

// Headers reads the headers parameter as it may arrive: a JSON array,
// repeated fields, or a comma list. nil means it was not sent (or null).
func Headers(values []string) []string {
	var out []string
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" || v == "null" {
			continue
		}
		out = append(out, dialect.List(v)...)
	}
	return out
}

// Translate checks a request's file and headers (a dialect.Translate) in
// the seed's order: a missing file first, then the headers, then what was
// wrong with the file. Its errors are Failures (see Fail).
func Translate(in dialect.Request) (dialect.Translation, error) {
	if !in.HasFile && in.FileProblem == nil {
		return dialect.Translation{}, Fail(ErrFileRequired)
	}
	var values []string
	for _, x := range in.Params {
		if x.Key == "headers" || x.Key == "headers[]" {
			values = append(values, x.Value)
		}
	}
	headers, reg := Headers(values), in.Registry
	req, f := translate(headers, reg)
	switch {
	case f != nil:
		return dialect.Translation{}, Fail(*f)
	case in.FileProblem != nil:
		return dialect.Translation{}, in.FileProblem
	}
	return dialect.Translation{ImportRequest: req, HeaderRow: func(first []string) bool { return IsHeaderRow(first, headers, reg) }}, nil
}

// Body is the TextUs body of err: the Failure it carries, else
// {"errors": [msg]}.
func Body(err error, msg string) Failure {
	var f failure
	if errors.As(err, &f) {
		return f.f
	}
	return Failure{Errors: []string{msg}}
}

// translate checks headers and returns the import request: contacts, upsert,
// phones in region US, each column mapped by its position. name is the one
// required header (first_name or last_name count for it); every header must
// name a contact field. Contacts match on phone when a column holds one,
// else on email, else on name. reg is the tenant's fields.
func translate(headers []string, reg *intake.Registry) (intake.ImportRequest, *Failure) {
	if len(headers) == 0 {
		f := ErrHeadersRequired
		return intake.ImportRequest{}, &f
	}
	fields := make([]string, len(headers))
	var invalid []string
	for i, h := range headers {
		f, ok := reg.Target(h)
		if !ok {
			invalid = append(invalid, h)
		}
		fields[i] = f
	}
	var msgs []string
	if !slices.Contains(fields, intake.FieldName) && !slices.Contains(fields, intake.FieldFirstName) && !slices.Contains(fields, intake.FieldLastName) {
		msgs = append(msgs, "Missing required headers: name.")
	}
	if len(invalid) > 0 {
		msgs = append(msgs, fmt.Sprintf("Invalid headers provided: %s.", strings.Join(invalid, ", ")))
	}
	if len(msgs) > 0 {
		return intake.ImportRequest{}, &Failure{Errors: msgs}
	}
	req := intake.ImportRequest{Spec: Rules.Spec(), Autostart: true, Remap: true, Format: "csv",
		Columns: intake.ColumnMapping{ByPosition: headers}}
	req.Spec.MatchFields = []string{intake.FieldName}
	for _, key := range []string{intake.FieldEmail, intake.FieldPhone} {
		if slices.Contains(fields, key) {
			req.Spec.MatchFields = []string{key}
		}
	}
	req.Spec.Required = slices.Clone(Rules.Required)
	return req, nil
}

// IsHeaderRow reports whether a file's first row is a header row for
// headers: as many cells, each naming the same field as the header in its
// position (or the header itself, ignoring case). Otherwise the file has
// no header row and its first row is data.
func IsHeaderRow(first, headers []string, reg *intake.Registry) bool {
	if len(first) != len(headers) {
		return false
	}
	for i, cell := range first {
		cell = strings.TrimSpace(strings.TrimPrefix(cell, "\ufeff"))
		if strings.EqualFold(cell, strings.TrimSpace(headers[i])) {
			continue
		}
		want, _ := reg.Target(headers[i])
		if got, ok := reg.Target(cell); !ok || got != want {
			return false
		}
	}
	return true
}

// Slug is an import's contact_import_slug.
func Slug(id int64) string { return fmt.Sprintf("contact-import-%d", id) }

// Created is the answer to an upload: {"contact_import_slug": …}.
func Created(im intake.Import) map[string]string {
	return map[string]string{"contact_import_slug": Slug(im.ID)}
}

// ParseSlug returns the import id a slug names.
func ParseSlug(slug string) (int64, bool) {
	var id int64
	if _, err := fmt.Sscanf(slug, "contact-import-%d", &id); err != nil || Slug(id) != slug {
		return 0, false
	}
	return id, true
}

// Import is a contact import read by its slug.
type Import struct {
	Slug      string   `json:"slug"`
	Status    string   `json:"status"`
	Headers   []string `json:"headers"`
	Total     int      `json:"total"`
	Processed int      `json:"processed"`
	Created   int      `json:"created"`
	Updated   int      `json:"updated"`
	Skipped   int      `json:"skipped"`
	Failed    int      `json:"failed"`
	Errors    []string `json:"errors"`
	CreatedAt string   `json:"created_at"`
	UpdatedAt string   `json:"updated_at"`
}

// View renders a job and its first row errors ("Row N: message").
func View(im intake.Import, errs []intake.RowError) Import {
	v := Import{Slug: Slug(im.ID), Status: string(im.Status), Headers: im.Headers, Total: im.TotalRows, Processed: im.ProcessedRows,
		Created: im.Created, Updated: im.Updated, Skipped: im.Skipped, Failed: im.FailedRows, Errors: []string{},
		CreatedAt: im.CreatedAt.Format("2006-01-02T15:04:05Z07:00"), UpdatedAt: im.UpdatedAt.Format("2006-01-02T15:04:05Z07:00")}
	for _, e := range errs {
		v.Errors = append(v.Errors, fmt.Sprintf("Row %d: %s", e.Row, e.Message))
	}
	return v
}
