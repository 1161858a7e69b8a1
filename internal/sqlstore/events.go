package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

const eventCols = `id, key, name, starts_at, created_at, updated_at`

func scanEvent(s Row) (intake.Event, error) {
	var e intake.Event
	err := s.Scan(&e.ID, &e.Key, &e.Name, NullTime(&e.StartsAt), Time(&e.CreatedAt), Time(&e.UpdatedAt))
	return e, err
}

// CreateEvent implements store.Events.
func (db *DB) CreateEvent(ctx context.Context, tenantID int64, e *intake.Event) error {
	now := db.Clock()
	err := db.Writer.QueryRow(ctx, `INSERT INTO events (tenant_id, key, name, starts_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5) RETURNING starts_at, id`, tenantID, e.Key, e.Name, db.Dialect.NullTime(e.StartsAt),
		db.Dialect.Time(now)).Scan(NullTime(&e.StartsAt), &e.ID)
	if err != nil {
		if db.Dialect.IsUniqueViolation(err) {
			return intake.Errorf(intake.ECONFLICT, "An event with key %q already exists.", e.Key)
		}
		return fmt.Errorf("create event %q: %w", e.Key, err)
	}
	e.CreatedAt, e.UpdatedAt = now, now
	return nil
}

// GetEvent implements store.Events.
func (db *DB) GetEvent(ctx context.Context, tenantID int64, key string) (intake.Event, error) {
	return eventByKey(ctx, db.Reader, tenantID, key)
}

func eventByKey(ctx context.Context, q Querier, tenantID int64, key string) (intake.Event, error) {
	e, err := scanEvent(q.QueryRow(ctx, `SELECT `+eventCols+` FROM events WHERE tenant_id = $1 AND key = $2`, tenantID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return e, intake.Errorf(intake.ENOTFOUND, "Event %q not found.", key)
	}
	if err != nil {
		return e, fmt.Errorf("get event %q: %w", key, err)
	}
	return e, nil
}

// ListEvents implements store.Events.
func (db *DB) ListEvents(ctx context.Context, tenantID, after int64, limit int) ([]intake.Event, error) {
	rows, err := db.Reader.Query(ctx, `SELECT `+eventCols+` FROM events WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
		tenantID, after, limit)
	out, err := collect(rows, err, scanEvent)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return out, nil
}

// DeleteEvent implements store.Events. Participants go with it (ON DELETE
// CASCADE; SQLite turns foreign keys on for every connection).
func (db *DB) DeleteEvent(ctx context.Context, tenantID int64, key string) error {
	n, err := db.Writer.Exec(ctx, `DELETE FROM events WHERE tenant_id = $1 AND key = $2`, tenantID, key)
	if err != nil {
		return fmt.Errorf("delete event %q: %w", key, err)
	}
	if n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Event %q not found.", key)
	}
	return nil
}

const participantCols = `id, event_id, contact_id, status, created_at, updated_at`

func scanParticipant(s Row) (intake.Participant, error) {
	var p intake.Participant
	err := s.Scan(&p.ID, &p.EventID, &p.ContactID, &p.Status, Time(&p.CreatedAt), Time(&p.UpdatedAt))
	return p, err
}

// ListParticipants implements store.Events: a page of participants, then
// their contacts in one more statement.
func (db *DB) ListParticipants(ctx context.Context, tenantID, eventID int64, f store.ParticipantFilter) ([]intake.Participant, error) {
	rows, err := db.Reader.Query(ctx, `SELECT `+participantCols+` FROM participants
		WHERE tenant_id = $1 AND event_id = $2 AND id > $3 AND ($4 = '' OR status = $4) ORDER BY id LIMIT $5`,
		tenantID, eventID, f.After, f.Status, f.Limit)
	ps, err := collect(rows, err, scanParticipant)
	if err != nil {
		return nil, fmt.Errorf("list participants: %w", err)
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ContactID
	}
	rows, err = db.Reader.Query(ctx, `SELECT `+db.contactCols()+` FROM contacts WHERE tenant_id = $1 AND `+db.Dialect.In("id", "$2"),
		tenantID, db.Dialect.List(ids))
	cs, err := collect(rows, err, scanContact)
	if err != nil {
		return nil, fmt.Errorf("list participants' contacts: %w", err)
	}
	byID := make(map[int64]*intake.Contact, len(cs))
	for i := range cs {
		byID[cs[i].ID] = &cs[i]
	}
	for i := range ps {
		ps[i].Contact = byID[ps[i].ContactID]
	}
	return ps, nil
}

// contactEvents lists the events a contact takes part in, by key.
func contactEvents(ctx context.Context, q Querier, tenantID, contactID int64) ([]intake.ContactEvent, error) {
	rows, err := q.Query(ctx, `SELECT e.key, e.name, p.status FROM participants p JOIN events e ON e.id = p.event_id
		WHERE p.tenant_id = $1 AND p.contact_id = $2 ORDER BY e.key`, tenantID, contactID)
	out, err := collect(rows, err, func(r Row) (intake.ContactEvent, error) {
		var e intake.ContactEvent
		err := r.Scan(&e.Key, &e.Name, &e.Status)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("contact %d events: %w", contactID, err)
	}
	return out, nil
}

// EventByKey implements store.ParticipantTx.
func (t *Tx) EventByKey(ctx context.Context, key string) (intake.Event, error) {
	return eventByKey(ctx, t.Q, t.TenantID, key)
}

// FindParticipants implements store.ParticipantTx.
func (t *Tx) FindParticipants(ctx context.Context, eventID int64, contactIDs []int64) ([]intake.Participant, error) {
	if len(contactIDs) == 0 {
		return nil, nil
	}
	rows, err := t.Q.Query(ctx, `SELECT `+participantCols+` FROM participants
		WHERE tenant_id = $1 AND event_id = $2 AND `+t.Dialect.In("contact_id", "$3"), t.TenantID, eventID, t.Dialect.List(contactIDs))
	ps, err := collect(rows, err, scanParticipant)
	if err != nil {
		return nil, fmt.Errorf("find participants: %w", err)
	}
	return ps, nil
}

// participantRow is one participant as the batch statements' JSON carries it.
type participantRow struct {
	ID      int64  `json:"i"`
	Event   int64  `json:"e"`
	Contact int64  `json:"c"`
	Status  string `json:"s"`
}

func participantJSON(ps []*intake.Participant) string {
	rows := make([]participantRow, len(ps))
	for i, p := range ps {
		rows[i] = participantRow{ID: p.ID, Event: p.EventID, Contact: p.ContactID, Status: p.Status}
	}
	b, _ := json.Marshal(rows)
	return string(b)
}

// InsertParticipants implements store.ParticipantTx in one statement: the
// batch is one JSON parameter (Dialect.Records).
func (t *Tx) InsertParticipants(ctx context.Context, ps []*intake.Participant) error {
	if len(ps) == 0 {
		return nil
	}
	rows, err := t.Q.Query(ctx, `INSERT INTO participants (tenant_id, event_id, contact_id, status, created_at, updated_at)
		SELECT $1, u.e, u.c, u.s, $2, $2 FROM `+t.Dialect.Records("$3", "e bigint", "c bigint", "s text")+`
		RETURNING id, event_id, contact_id`, t.TenantID, t.now(), participantJSON(ps))
	type returned struct {
		id int64
		k  store.ParticipantKey
	}
	got, err := collect(rows, err, func(r Row) (returned, error) {
		var v returned
		err := r.Scan(&v.id, &v.k.EventID, &v.k.ContactID)
		return v, err
	})
	if err != nil {
		if t.Dialect.IsUniqueViolation(err) {
			return intake.Errorf(intake.ECONFLICT, "A contact already takes part in this event.")
		}
		return fmt.Errorf("insert participants: %w", err)
	}
	ids := make(map[store.ParticipantKey]int64, len(got))
	for _, v := range got {
		ids[v.k] = v.id
	}
	return store.SetParticipantIDs(ps, ids, t.Now)
}

// UpdateParticipants implements store.ParticipantTx in one UPDATE … FROM.
func (t *Tx) UpdateParticipants(ctx context.Context, ps []*intake.Participant) error {
	if len(ps) == 0 {
		return nil
	}
	if _, err := t.Q.Exec(ctx, `UPDATE participants SET status = u.s, updated_at = $1
		FROM `+t.Dialect.Records("$2", "i bigint", "s text")+`
		WHERE participants.tenant_id = $3 AND participants.id = u.i`, t.now(), participantJSON(ps), t.TenantID); err != nil {
		return fmt.Errorf("update participants: %w", err)
	}
	for _, p := range ps {
		p.UpdatedAt = t.Now
	}
	return nil
}

// DeleteParticipants implements store.ParticipantTx.
func (t *Tx) DeleteParticipants(ctx context.Context, ids []int64) error {
	_, err := t.DeleteIDs(ctx, "participants", ids)
	return err
}
