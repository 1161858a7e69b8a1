package plannr

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/intake/intake"
)

// The uuid kinds: each names a different thing, so the same number gives
// different uuids for an import, its error report and an account.
const (
	kindImport  = "import"
	kindReport  = "error_report"
	kindAccount = "account"
)

// UUID is an import job's Plannr uuid. It is derived, not stored: an
// RFC 9562 version 8 UUID whose last 62 bits are the job's id and whose
// first 58 are a SHA-256 of the tenant and the id. So it is stable, needs no
// column, is found again by ParseUUID without a lookup table, and a uuid
// of another tenant (or a made-up one) finds nothing. It is not a secret:
// the id in it is as visible as in /api/v1/imports/{id}.
func UUID(tenantID, id int64) string { return derive(kindImport, tenantID, id) }

// ParseUUID returns the job id an import uuid of the tenant names; false
// when it is no such uuid.
func ParseUUID(tenantID int64, s string) (int64, bool) {
	b, err := hex.DecodeString(strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", ""))
	if err != nil || len(b) != 16 {
		return 0, false
	}
	id := int64(binary.BigEndian.Uint64(b[8:]) &^ (3 << 62))
	if id <= 0 || derive(kindImport, tenantID, id) != format(b) {
		return 0, false
	}
	return id, true
}

func derive(kind string, tenantID, id int64) string {
	h := sha256.Sum256(fmt.Appendf(nil, "intake plannr %s %d %d", kind, tenantID, id))
	var b [16]byte
	copy(b[:8], h[:8])
	binary.BigEndian.PutUint64(b[8:], uint64(id))
	b[6] = 0x80 | b[6]&0x0f // version 8
	b[8] = 0x80 | b[8]&0x3f // variant 10
	return format(b[:])
}

func format(b []byte) string {
	x := hex.EncodeToString(b)
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

// Account is the account that initiated an import: the key's tenant.
type Account struct {
	UUID      string `json:"uuid"`
	Name      string `json:"name" doc:"The tenant's name."`
	Type      string `json:"type" enum:"tenant"`
	CreatedAt string `json:"created_at"`
}

// AccountOf renders a tenant as an import's account.
func AccountOf(t intake.Tenant) Account {
	return Account{UUID: derive(kindAccount, t.ID, t.ID), Name: t.Slug, Type: "tenant", CreatedAt: stamp(t.CreatedAt)}
}

// ErrorReport is the errors CSV of an import: the original columns of
// every row not written, its row number, outcome and reason.
type ErrorReport struct {
	UUID        string `json:"uuid"`
	Filename    string `json:"filename"`
	Size        string `json:"size" doc:"Bytes, as a string (as the seed's example); \"\" while the import runs."`
	Extension   string `json:"extension"`
	Status      string `json:"status" enum:"uploaded"`
	DownloadURL string `json:"download_url" doc:"GET it with the same key."`
}

// Report describes an import's error report for View: its size in bytes
// (-1 when not known yet) and where to download it.
type Report struct {
	Size int64
	URL  string
}

// Error is one record that failed: the record as the file had it (header →
// cell) under the type's singular (client, charge, …), and its reasons per
// field.
type Error map[string]any

// Importer is the seed's import object ("the importer", as the seed calls
// it): the summary the index route lists, plus headers and mapping.
type Importer struct {
	Summary
	Headers []string          `json:"headers"`
	Mapping map[string]string `json:"mapping" doc:"Header → field."`
}

// Summary is an import as the index route (GET /api/v1/import) lists it:
// the import object without headers and mapping, which the seed says are
// "not visible on index route".
type Summary struct {
	UUID          string       `json:"uuid"`
	Type          string       `json:"type"`
	Mode          string       `json:"mode" enum:"store,update,validate"`
	Status        string       `json:"status" doc:"awaiting_mapping (until POST …/start), queued, processing, completed, failed, cancelled."`
	TotalJobs     int          `json:"total_jobs" doc:"Records (data rows) in the file; 0 until the import starts counting."`
	Progress      int          `json:"progress" doc:"0–100."`
	FailedJobs    int          `json:"failed_jobs" doc:"Records not written (failed or skipped with a reason)."`
	JobsRemaining int          `json:"jobs_remaining"`
	Errors        []Error      `json:"errors" doc:"The first 25 records not written (or written without some fields), each with its reasons per field."`
	ErrorReport   *ErrorReport `json:"error_report" doc:"null while no record has an error."`
	Account       Account      `json:"account"`
	Warnings      []string     `json:"warnings,omitempty"`
	ID            int64        `json:"id" doc:"The job's id in Intake's own routes (/api/v1/imports/{id})."`
	CreatedAt     string       `json:"created_at"`
	UpdatedAt     string       `json:"updated_at"`
}

// MaxErrors is how many records the errors list shows.
const MaxErrors = 25

// View renders a job: errs are its first row errors (several may be of one
// row: they are grouped into one record, at most MaxErrors records).
func View(im intake.Import, errs []intake.RowError, acct Account, rep Report) Importer {
	v := Importer{Summary: Summarize(im, errs, acct, rep), Headers: im.Headers, Mapping: map[string]string{}}
	if v.Headers == nil {
		v.Headers = []string{}
	}
	for h, f := range im.Spec.Mapping {
		if f != "" {
			v.Mapping[h] = f
		}
	}
	return v
}

// Summarize renders a job as the index route lists it (see View).
func Summarize(im intake.Import, errs []intake.RowError, acct Account, rep Report) Summary {
	v := Summary{UUID: UUID(im.TenantID, im.ID), ID: im.ID, Type: TypeOf(im.Spec.Resource), Mode: ModeOf(im.Spec.Mode),
		Status: status(im.Status), TotalJobs: im.TotalRows,
		Progress: im.Progress(), FailedJobs: im.FailedRows + im.Skipped, JobsRemaining: max(0, im.TotalRows-im.ProcessedRows),
		Errors: failedRecords(im, errs), Account: acct, Warnings: im.Warnings, CreatedAt: stamp(im.CreatedAt), UpdatedAt: stamp(im.UpdatedAt)}
	if im.HasReport() {
		v.ErrorReport = &ErrorReport{UUID: derive(kindReport, im.TenantID, im.ID), Filename: fmt.Sprintf("import-%d-errors.csv", im.ID),
			Extension: "csv", Status: "uploaded", DownloadURL: rep.URL}
		if rep.Size >= 0 {
			v.ErrorReport.Size = fmt.Sprint(rep.Size)
		}
	}
	return v
}

// status is a job's status in Plannr's words: a running import is
// processing (the seed's example), a validate run that ended (previewed)
// is completed, as Plannr's client expects of any finished import; the
// others keep Intake's names.
func status(s intake.ImportStatus) string {
	switch s {
	case intake.StatusRunning:
		return "processing"
	case intake.StatusPreviewed:
		return string(intake.StatusCompleted)
	}
	return string(s)
}

// failedRecords groups row errors into records with their reasons per field.
func failedRecords(im intake.Import, errs []intake.RowError) []Error {
	out := []Error{}
	byRow := map[int]Error{}
	what := Singular(TypeOf(im.Spec.Resource))
	for _, e := range errs {
		rec, ok := byRow[e.Row]
		if !ok {
			if len(out) == MaxErrors {
				continue
			}
			rec = Error{"row": e.Row, what: record(im.Headers, e), "errors": map[string][]string{}, "outcome": string(e.Outcome)}
			byRow[e.Row] = rec
			out = append(out, rec)
		}
		field := e.Field
		if field == "" {
			field = e.Column
		}
		if field == "" {
			field = "record"
		}
		reasons := rec["errors"].(map[string][]string)
		reasons[field] = append(reasons[field], e.Message)
	}
	return out
}

// record is a failed row as header → cell (the column at fault alone when
// the row's cells were not kept).
func record(headers []string, e intake.RowError) map[string]string {
	m := map[string]string{}
	for i, v := range e.Values {
		if i < len(headers) {
			m[headers[i]] = v
		}
	}
	if len(m) == 0 && e.Column != "" {
		m[e.Column] = e.Value
	}
	return m
}

// stamp is the seed's time format: ISO 8601 with an offset.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// Failure is a Laravel error body, as Plannr answers: a message and, for a
// 422, the messages per field.
type Failure struct {
	Message string              `json:"message"`
	Errors  map[string][]string `json:"errors,omitempty"`
}

// FailureOf renders an error's message and field errors in Laravel's
// shape: the message is the first field's, with "(and N more errors)".
func FailureOf(msg string, fields []intake.FieldError) Failure {
	f := Failure{Message: msg}
	if len(fields) == 0 {
		return f
	}
	f.Errors = map[string][]string{}
	for _, fe := range fields {
		k := fe.Field
		if k == "" {
			k = "request"
		}
		f.Errors[k] = append(f.Errors[k], fe.Message)
	}
	f.Message = fields[0].Message
	if n := len(fields) - 1; n == 1 {
		f.Message += " (and 1 more error)"
	} else if n > 1 {
		f.Message += fmt.Sprintf(" (and %d more errors)", n)
	}
	return f
}

// Page is the index route's answer, in the shape of Laravel's cursor
// paginator (Plannr is a Laravel API): data, links and meta. Pages go
// newest first; links.next (and meta.next_cursor) fetch the next one, null
// on the last. first, last and prev are null, as Laravel's cursor pages
// have them.
type Page struct {
	Data  []Summary `json:"data"`
	Links Links     `json:"links"`
	Meta  PageMeta  `json:"meta"`
}

// Links are a page's links.
type Links struct {
	First *string `json:"first"`
	Last  *string `json:"last"`
	Prev  *string `json:"prev"`
	Next  *string `json:"next"`
}

// PageMeta is a page's meta.
type PageMeta struct {
	Path       string  `json:"path"`
	PerPage    int     `json:"per_page"`
	NextCursor *string `json:"next_cursor"`
	PrevCursor *string `json:"prev_cursor"`
}

// Pagination bounds of the index route: Laravel's default page size, and
// the most a page may hold.
const (
	DefaultPerPage = 15
	MaxPerPage     = 100
)

// PageOf is a page of imports at path (the index URL), perPage long; next
// is the next page's cursor, "" on the last page.
func PageOf(items []Summary, path string, perPage int, next string) Page {
	p := Page{Data: items, Meta: PageMeta{Path: path, PerPage: perPage}}
	if p.Data == nil {
		p.Data = []Summary{}
	}
	if next != "" {
		u := fmt.Sprintf("%s?cursor=%s&per_page=%d", path, next, perPage)
		p.Links.Next, p.Meta.NextCursor = &u, &next
	}
	return p
}
