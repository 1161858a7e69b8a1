package copernica

import (
	"strconv"
	"strings"
	"time"

	"github.com/intake/intake"
)

// Created is the answer to a new import: Copernica's clients read the new
// id from the X-Created header; the body repeats it.
type Created struct {
	ID       int64    `json:"ID"`
	Warnings []string `json:"warnings,omitempty"`
}

// Statistics are an import's counts.
type Statistics struct {
	Total     int `json:"total"`
	Processed int `json:"processed"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Deleted   int `json:"deleted"`
	Skipped   int `json:"skipped"`
	Failed    int `json:"failed"`
}

// Error is one row that was not imported, or a profile removeMissing
// removed: that one is no row of the file, so it has no row but the
// profile's id and its key (field and value).
type Error struct {
	Row     int    `json:"row,omitempty" doc:"The row of the file (the header is row 1); absent for a removed profile."`
	Profile int64  `json:"profile,omitempty" doc:"A profile removeMissing removed: its contact id."`
	Field   string `json:"field,omitempty"`
	Value   string `json:"value,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Import is GET /v3/import/{id}: the import's state in Copernica's style
// (ID, capitalised; times as "YYYY-MM-DD HH:MM:SS" UTC).
type Import struct {
	ID         int64      `json:"ID"`
	Name       string     `json:"name"`
	Database   string     `json:"database"`
	Status     string     `json:"status" doc:"waiting (autostart false or a key field unmapped), queued, running, finished, failed or cancelled."`
	Action     string     `json:"action"`
	KeyFields  []string   `json:"keyFields"`
	Created    string     `json:"created"`
	Started    string     `json:"started"`
	Finished   string     `json:"finished"`
	Progress   int        `json:"progress"`
	Statistics Statistics `json:"statistics"`
	Errors     []Error    `json:"errors"`
	ErrorsCSV  string     `json:"errorsCsv,omitempty"`
	Warnings   []string   `json:"warnings,omitempty"`
	Error      string     `json:"error,omitempty"`
}

var statuses = map[intake.ImportStatus]string{
	intake.StatusAnalyzing: "queued", intake.StatusAwaitingMapping: "waiting", intake.StatusQueued: "queued", intake.StatusRunning: "running",
	intake.StatusCompleted: "finished", intake.StatusFailed: "failed", intake.StatusCancelled: "cancelled",
	intake.StatusPreviewed: "finished", // a validate run has ended
}

var actions = map[intake.Mode]string{
	intake.ModeCreate: "add", intake.ModeUpdate: "update", intake.ModeUpsert: "update or add",
	intake.ModeIgnoreOrAdd: "ignore or add", intake.ModeDelete: "delete", intake.ModeValidate: "validate",
}

func stamp(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateTime)
}

// View renders a job and its first row errors.
func View(im intake.Import, errs []intake.RowError) Import {
	v := Import{ID: im.ID, Name: im.Name, Database: im.Spec.JoinGroup, Status: statuses[im.Status],
		Action: actions[im.Spec.Mode], KeyFields: im.Spec.MatchFields, Created: stamp(&im.CreatedAt),
		Started: stamp(im.StartedAt), Finished: stamp(im.FinishedAt), Progress: im.Progress(),
		Statistics: Statistics{Total: im.TotalRows, Processed: im.ProcessedRows, Created: im.Created, Updated: im.Updated,
			Deleted: im.Deleted, Skipped: im.Skipped, Failed: im.FailedRows},
		Errors: []Error{}, Warnings: im.Warnings, Error: im.Error}
	for _, e := range errs {
		ve := Error{Row: e.Row, Field: e.Field, Value: e.Value, Code: e.Code, Message: e.Message}
		if e.Outcome == intake.OutcomeRemoved {
			ve.Row, ve.Profile = 0, e.ContactID
		}
		v.Errors = append(v.Errors, ve)
	}
	if im.HasReport() {
		v.ErrorsCSV = "/api/v1/imports/" + strconv.FormatInt(im.ID, 10) + "/errors.csv"
	}
	return v
}

// Failure is the body of every failed Copernica request. Copernica answers
// a failed request with 400 Bad Request, and its PHP client treats 400 (and
// only 400) as failure, so Intake answers every request error on these
// routes with 400 and this body; authentication keeps 401/403.
type Failure struct {
	Error Problem `json:"error"`
}

// Problem says what was wrong: a sentence, and each parameter at fault.
type Problem struct {
	Message string         `json:"message"`
	Fields  []FailureField `json:"fields,omitempty"`
}

// FailureField is one parameter at fault, with its value and why.
type FailureField struct {
	Field   string `json:"field"`
	Value   string `json:"value,omitempty"`
	Message string `json:"message"`
}

// FailureOf renders a message and its field errors; a message that does
// not name the first field's value gets that field's reason appended,
// so the one line a log keeps says which parameter and why.
func FailureOf(msg string, fields []intake.FieldError) Failure {
	f := Failure{Error: Problem{Message: msg}}
	for _, fe := range fields {
		f.Error.Fields = append(f.Error.Fields, FailureField{Field: fe.Field, Value: fe.Value, Message: fe.Message})
	}
	if len(fields) > 0 && fields[0].Message != "" && !strings.Contains(msg, fields[0].Message) &&
		(fields[0].Value == "" || !strings.Contains(msg, fields[0].Value)) {
		f.Error.Message = strings.TrimSpace(msg + " " + fields[0].Message)
	}
	return f
}
