package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// BatchSize is the most records one record event carries in data.records.
const BatchSize = 100

// Event is a delivery's body: DESIGN §4a's {"id", "type", "created_at",
// "data"}.
type Event struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Data      any       `json:"data"`
}

// ImportData is the data of an import.* event: the job's counts and links.
type ImportData struct {
	Import ImportSummary     `json:"import"`
	Links  map[string]string `json:"links"`
}

// ImportSummary is the job as an import event shows it.
type ImportSummary struct {
	ID            int64               `json:"id"`
	Name          string              `json:"name,omitempty"`
	Status        intake.ImportStatus `json:"status"`
	Resource      string              `json:"resource"`
	TotalRows     int                 `json:"total_rows"`
	ProcessedRows int                 `json:"processed_rows"`
	Created       int                 `json:"created"`
	Updated       int                 `json:"updated"`
	Deleted       int                 `json:"deleted"`
	Skipped       int                 `json:"skipped"`
	FailedRows    int                 `json:"failed_rows"`
	Warnings      []string            `json:"warnings,omitempty"`
	Error         string              `json:"error,omitempty"`
	FinishedAt    *time.Time          `json:"finished_at,omitempty"`
}

// RecordsData is the data of a record event.
type RecordsData struct {
	ImportID   int64                `json:"import_id,omitempty"`
	Resource   string               `json:"resource"`
	Collection string               `json:"collection,omitempty"`
	Records    []intake.EventRecord `json:"records"`
}

// emit stores one event in tx's outbox, with a delivery per webhook that
// takes its type, and enqueues those deliveries in tx.
func (s *Service) emit(ctx context.Context, tx store.FollowupTx, tenantID int64, typ string, data any) error {
	ev := Event{ID: newEventID(), Type: typ, CreatedAt: s.now().Truncate(time.Microsecond), Data: data}
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("event %s: %w", typ, err)
	}
	ids, err := tx.AddWebhookEvent(ctx, store.WebhookEvent{ID: ev.ID, Type: typ, Body: body, At: ev.CreatedAt})
	if err != nil || len(ids) == 0 {
		return err
	}
	return tx.EnqueueDeliveries(ctx, ids)
}

// importEvents are the event types of a job's final statuses.
var importEvents = map[intake.ImportStatus]string{
	intake.StatusCompleted: intake.EventImportCompleted,
	intake.StatusFailed:    intake.EventImportFailed,
	intake.StatusCancelled: intake.EventImportCancelled,
}

// ImportEnded runs, in the transaction that ends a job, what follows its
// end: the selections are rebuilt when a completed import asked for it
// (ImportSpec.Rebuild), and import.completed, import.failed or
// import.cancelled is emitted.
func (s *Service) ImportEnded(ctx context.Context, tx store.FollowupTx, im intake.Import) error {
	if im.Status == intake.StatusCompleted && im.Spec.Rebuild {
		if err := tx.RebuildSelections(ctx); err != nil {
			return fmt.Errorf("rebuild selections after import %d: %w", im.ID, err)
		}
	}
	typ, ok := importEvents[im.Status]
	if !ok {
		return nil
	}
	return s.EmitImport(ctx, tx, typ, im)
}

// EmitImport emits an import event of type typ about im in tx: the undo
// job calls it with intake.EventImportUndone in the transaction that ends
// the undo (im is the undone import, or the undo job itself).
func (s *Service) EmitImport(ctx context.Context, tx store.FollowupTx, typ string, im intake.Import) error {
	base := fmt.Sprintf("/api/v1/imports/%d", im.ID)
	data := ImportData{
		Import: ImportSummary{ID: im.ID, Name: im.Name, Status: im.Status, Resource: orDefault(im.Spec.Resource, intake.ResourceContacts),
			TotalRows: im.TotalRows, ProcessedRows: im.ProcessedRows, Created: im.Created, Updated: im.Updated, Deleted: im.Deleted,
			Skipped: im.Skipped, FailedRows: im.FailedRows, Warnings: im.Warnings, Error: im.Error, FinishedAt: im.FinishedAt},
		Links: map[string]string{"self": base, "errors": base + "/errors", "errors_csv": base + "/errors.csv"},
	}
	return s.emit(ctx, tx, im.TenantID, typ, data)
}

// recordNouns name a resource's records in event types.
func recordNoun(resource string) (noun, collection string) {
	if name, ok := intake.ParseCollectionResource(resource); ok {
		return "record", name
	}
	switch resource {
	case intake.ResourceParticipants:
		return "participant", ""
	case "", intake.ResourceContacts:
		return "contact", ""
	}
	return "", ""
}

// Records emits the record events of a chunk of an import run with
// follow-ups on, in the chunk's transaction: per outcome (created, updated,
// deleted or removed) one event per BatchSize records. recs may carry
// before → after changes where the engine captured them.
func (s *Service) Records(ctx context.Context, tx store.FollowupTx, im *intake.Import, recs []intake.EventRecord) error {
	noun, collection := recordNoun(im.Spec.Resource)
	if noun == "" || len(recs) == 0 || im.Spec.Mode == intake.ModeValidate {
		return nil
	}
	byType := map[string][]intake.EventRecord{}
	var order []string
	for _, r := range recs {
		var verb string
		switch r.Outcome {
		case intake.OutcomeCreated:
			verb = "created"
		case intake.OutcomeUpdated:
			verb = "updated"
		case intake.OutcomeDeleted, intake.OutcomeRemoved:
			verb = "deleted"
		default:
			continue
		}
		typ := noun + "." + verb
		if _, seen := byType[typ]; !seen {
			order = append(order, typ)
		}
		byType[typ] = append(byType[typ], r)
	}
	for _, typ := range order {
		all := byType[typ]
		for i := 0; i < len(all); i += BatchSize {
			batch := all[i:min(i+BatchSize, len(all))]
			data := RecordsData{ImportID: im.ID, Resource: orDefault(im.Spec.Resource, intake.ResourceContacts), Collection: collection, Records: batch}
			if err := s.emit(ctx, tx, im.TenantID, typ, data); err != nil {
				return err
			}
		}
	}
	return nil
}
