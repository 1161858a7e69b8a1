package intake

import "time"

// ImportStatus is where an import job is in its life.
type ImportStatus string

// Import statuses. completed is final even when rows failed (HasErrors says
// so); failed means the file itself could not be used.
const (
	StatusAwaitingMapping ImportStatus = "awaiting_mapping"
	StatusQueued          ImportStatus = "queued"
	StatusRunning         ImportStatus = "running"
	StatusCompleted       ImportStatus = "completed"
	StatusFailed          ImportStatus = "failed"
	StatusCancelled       ImportStatus = "cancelled"
)

// Final reports whether s is an end state.
func (s ImportStatus) Final() bool {
	return s == StatusCompleted || s == StatusFailed || s == StatusCancelled
}

// Import is an import job: an uploaded file, how to read and map it, and
// its progress. ProcessedRows is also the checkpoint: the number of data
// rows whose outcome is committed, so a resumed job starts after them.
type Import struct {
	ID            int64        `json:"id"`
	TenantID      int64        `json:"-"`
	Name          string       `json:"name,omitempty"`
	Resource      string       `json:"resource"`
	Status        ImportStatus `json:"status"`
	FileName      string       `json:"file_name,omitempty"`
	FileKey       string       `json:"-"`
	FileSize      int64        `json:"file_size"`
	Format        string       `json:"format"`
	Delimiter     string       `json:"delimiter,omitempty"`
	Encoding      string       `json:"encoding,omitempty"`
	Sheet         string       `json:"sheet,omitempty"`
	Region        string       `json:"region,omitempty"`
	Options       Options      `json:"options"`
	Headers       []string     `json:"headers"`
	TotalRows     int          `json:"total_rows"`
	ProcessedRows int          `json:"processed_rows"`
	Created       int          `json:"created"`
	Updated       int          `json:"updated"`
	Deleted       int          `json:"deleted"`
	Skipped       int          `json:"skipped"`
	FailedRows    int          `json:"failed_rows"`
	Warnings      []string     `json:"warnings,omitempty"`
	Error         string       `json:"error,omitempty"` // why the job failed
	CreatedAt     time.Time    `json:"created_at"`
	UpdatedAt     time.Time    `json:"updated_at"`
	StartedAt     *time.Time   `json:"started_at,omitempty"`
	FinishedAt    *time.Time   `json:"finished_at,omitempty"`
}

// Progress is the share of rows processed, 0–100.
func (im *Import) Progress() int {
	switch {
	case im.Status == StatusCompleted:
		return 100
	case im.TotalRows <= 0:
		return 0
	}
	return min(100, im.ProcessedRows*100/im.TotalRows)
}

// ImportRowError is a row of an import that was not written: where it is
// in the file (the header is row 1), which column, what is wrong, whether
// it failed or was skipped, and the row's original values for errors.csv.
type ImportRowError struct {
	Row     int      `json:"row"`
	Column  string   `json:"column,omitempty"`
	Value   string   `json:"value,omitempty"`
	Code    string   `json:"code"`
	Message string   `json:"message"`
	Outcome Outcome  `json:"outcome"`
	Values  []string `json:"-"`
}
