package intake

import "time"

// BulkImport records one synchronous bulk import (Plandocket's
// /bulk-import endpoints) after it ran: what it imported, with which key,
// what it did and when. A bulk import has no file and no job; this is its
// trace, listed by GET /api/v1/bulk-import.
type BulkImport struct {
	ID       int64 `json:"id"`
	TenantID int64 `json:"-"`
	// KeyID is the API key that sent it.
	KeyID    int64  `json:"key_id"`
	Resource string `json:"resource"`
	Mode     Mode   `json:"mode"`
	EventKey string `json:"event_key,omitempty"`
	// Rejected is set when skip_on_error was false and a record failed, so
	// nothing was written.
	Rejected        bool      `json:"rejected"`
	Total           int       `json:"total"`
	Created         int       `json:"created"`
	Updated         int       `json:"updated"`
	Deleted         int       `json:"deleted"`
	Skipped         int       `json:"skipped"`
	Failed          int       `json:"failed"`
	ContactsCreated int       `json:"contacts_created"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}
