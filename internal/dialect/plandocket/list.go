package plandocket

import (
	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
)

// Record is the trace of a bulk import that ran: its spec and result, and
// the key that sent it.
func Record(tenantID, keyID int64, spec intake.ImportSpec, res importer.Result) intake.BulkImport {
	b := intake.BulkImport{TenantID: tenantID, KeyID: keyID, Resource: spec.Resource, Mode: spec.Mode, EventKey: spec.EventKey,
		Rejected: res.Rejected, Total: res.Rows, Created: res.Created, Updated: res.Updated, Deleted: res.Deleted,
		Skipped: res.Skipped, Failed: res.Failed, ContactsCreated: res.Created}
	if spec.Resource == intake.ResourceParticipants {
		b.ContactsCreated = res.ContactsCreated
	}
	return b
}

// BulkImportView is a past bulk import in the seed's shape: its id as
// bulk-import_id and its timestamps as Unix seconds, plus what it did.
type BulkImportView struct {
	ID        int64  `json:"bulk-import_id"`
	CreatedAt int64  `json:"created_at" doc:"Unix seconds."`
	UpdatedAt int64  `json:"updated_at" doc:"Unix seconds."`
	Resource  string `json:"resource" doc:"contacts or participants: the endpoint it was sent to."`
	Mode      string `json:"mode"`
	EventKey  string `json:"event_key,omitempty"`
	KeyID     int64  `json:"key_id" doc:"The API key that sent it."`
	Rejected  bool   `json:"rejected" doc:"skip_on_error was false and a record failed: nothing was written."`
	Total     int    `json:"total"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Deleted   int    `json:"deleted"`
	Skipped   int    `json:"skipped" doc:"Records not written, failed ones included, as in the import's response."`
	// ContactsCreated counts contacts, whatever the resource.
	ContactsCreated int `json:"contacts_created"`
}

// Meta is the seed's envelope metadata.
type Meta struct {
	RequestID  string `json:"request_id"`
	NextCursor string `json:"next_cursor,omitempty" doc:"Pass as ?cursor= for the next page; absent on the last."`
}

// BulkImportList is GET /api/v1/bulk-import's answer.
type BulkImportList struct {
	Data []BulkImportView `json:"data"`
	Meta Meta             `json:"meta"`
}

// BulkImportOne is GET /api/v1/bulk-import/{id}'s answer, the seed's sample.
type BulkImportOne struct {
	Data BulkImportView `json:"data"`
	Meta Meta           `json:"meta"`
}

// View renders one recorded bulk import.
func View(b intake.BulkImport) BulkImportView {
	return BulkImportView{ID: b.ID, CreatedAt: b.CreatedAt.Unix(), UpdatedAt: b.UpdatedAt.Unix(), Resource: b.Resource,
		Mode: string(b.Mode), EventKey: b.EventKey, KeyID: b.KeyID, Rejected: b.Rejected, Total: b.Total, Created: b.Created,
		Updated: b.Updated, Deleted: b.Deleted, Skipped: b.Skipped + b.Failed, ContactsCreated: b.ContactsCreated}
}

// List renders a page of recorded bulk imports.
func List(bs []intake.BulkImport, requestID, next string) BulkImportList {
	out := BulkImportList{Data: make([]BulkImportView, len(bs)), Meta: Meta{RequestID: requestID, NextCursor: next}}
	for i, b := range bs {
		out.Data[i] = View(b)
	}
	return out
}
