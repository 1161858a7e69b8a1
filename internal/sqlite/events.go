package sqlite

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

func scanEvent(s scanner) (intake.Event, error) {
	var e intake.Event
	var starts sql.NullInt64
	var created, updated int64
	if err := s.Scan(&e.ID, &e.Key, &e.Name, &starts, &created, &updated); err != nil {
		return e, err
	}
	if starts.Valid {
		t := fromMicros(starts.Int64)
		e.StartsAt = &t
	}
	e.CreatedAt, e.UpdatedAt = fromMicros(created), fromMicros(updated)
	return e, nil
}

// CreateEvent implements store.Events.
func (db *DB) CreateEvent(ctx context.Context, tenantID int64, e *intake.Event) error {
	now := db.now().UTC()
	err := db.write.QueryRowContext(ctx, `INSERT INTO events (tenant_id, key, name, starts_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, tenantID, e.Key, e.Name, optTime(e.StartsAt), micros(now), micros(now)).Scan(&e.ID)
	if err != nil {
		if isUniqueViolation(err) {
			return intake.Errorf(intake.ECONFLICT, "An event with key %q already exists.", e.Key)
		}
		return fmt.Errorf("create event %q: %w", e.Key, err)
	}
	e.CreatedAt, e.UpdatedAt = fromMicros(micros(now)), fromMicros(micros(now))
	if e.StartsAt != nil {
		t := fromMicros(micros(*e.StartsAt))
		e.StartsAt = &t
	}
	return nil
}

// GetEvent implements store.Events.
func (db *DB) GetEvent(ctx context.Context, tenantID int64, key string) (intake.Event, error) {
	return eventByKey(ctx, db.read, tenantID, key)
}

func eventByKey(ctx context.Context, q queryer, tenantID int64, key string) (intake.Event, error) {
	e, err := scanEvent(q.QueryRowContext(ctx, `SELECT `+eventCols+` FROM events WHERE tenant_id = ? AND key = ?`, tenantID, key))
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
	rows, err := db.read.QueryContext(ctx, `SELECT `+eventCols+` FROM events WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?`,
		tenantID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	var out []intake.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// DeleteEvent implements store.Events. Participants go with it (ON DELETE
// CASCADE, foreign keys are on for every connection).
func (db *DB) DeleteEvent(ctx context.Context, tenantID int64, key string) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM events WHERE tenant_id = ? AND key = ?`, tenantID, key)
	if err != nil {
		return fmt.Errorf("delete event %q: %w", key, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Event %q not found.", key)
	}
	return nil
}

const participantCols = `id, event_id, contact_id, status, created_at, updated_at`

func scanParticipant(s scanner) (intake.Participant, error) {
	var p intake.Participant
	var created, updated int64
	if err := s.Scan(&p.ID, &p.EventID, &p.ContactID, &p.Status, &created, &updated); err != nil {
		return p, err
	}
	p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
	return p, nil
}

func queryParticipants(ctx context.Context, q querier, sqlText string, args ...any) ([]intake.Participant, error) {
	rows, err := q.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []intake.Participant
	for rows.Next() {
		p, err := scanParticipant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ListParticipants implements store.Events: a page of participants, then
// their contacts in one more statement.
func (db *DB) ListParticipants(ctx context.Context, tenantID, eventID int64, f store.ParticipantFilter) ([]intake.Participant, error) {
	q := `SELECT ` + participantCols + ` FROM participants WHERE tenant_id = ? AND event_id = ? AND id > ?`
	args := []any{tenantID, eventID, f.After}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	ps, err := queryParticipants(ctx, db.read, q+` ORDER BY id LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list participants: %w", err)
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ContactID
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+contactCols+` FROM contacts WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))`,
		tenantID, store.IDsJSON(ids))
	if err != nil {
		return nil, fmt.Errorf("list participants' contacts: %w", err)
	}
	defer rows.Close()
	byID := map[int64]*intake.Contact{}
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, fmt.Errorf("list participants' contacts: %w", err)
		}
		byID[c.ID] = &c
	}
	for i := range ps {
		ps[i].Contact = byID[ps[i].ContactID]
	}
	return ps, rows.Err()
}

// contactEvents lists the events a contact takes part in, by key.
func contactEvents(ctx context.Context, q querier, tenantID, contactID int64) ([]intake.ContactEvent, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.key, e.name, p.status FROM participants p JOIN events e ON e.id = p.event_id
		WHERE p.tenant_id = ? AND p.contact_id = ? ORDER BY e.key`, tenantID, contactID)
	if err != nil {
		return nil, fmt.Errorf("contact %d events: %w", contactID, err)
	}
	defer rows.Close()
	var out []intake.ContactEvent
	for rows.Next() {
		var e intake.ContactEvent
		if err := rows.Scan(&e.Key, &e.Name, &e.Status); err != nil {
			return nil, fmt.Errorf("contact %d events: %w", contactID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EventByKey implements store.ParticipantTx.
func (t *tx) EventByKey(ctx context.Context, key string) (intake.Event, error) {
	return eventByKey(ctx, t.tx, t.tenantID, key)
}

// FindParticipants implements store.ParticipantTx.
func (t *tx) FindParticipants(ctx context.Context, eventID int64, contactIDs []int64) ([]intake.Participant, error) {
	if len(contactIDs) == 0 {
		return nil, nil
	}
	ps, err := queryParticipants(ctx, t.tx, `SELECT `+participantCols+` FROM participants
		WHERE tenant_id = ? AND event_id = ? AND contact_id IN (SELECT value FROM json_each(?))`, t.tenantID, eventID, store.IDsJSON(contactIDs))
	if err != nil {
		return nil, fmt.Errorf("find participants: %w", err)
	}
	return ps, nil
}

// participantRow is one participant as the batch statements' JSON carries it.
type participantRow struct {
	ID      int64  `json:"i,omitempty"`
	Event   int64  `json:"e,omitempty"`
	Contact int64  `json:"c,omitempty"`
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
// batch is one JSON parameter, unnested with json_each.
func (t *tx) InsertParticipants(ctx context.Context, ps []*intake.Participant) error {
	if len(ps) == 0 {
		return nil
	}
	now := micros(t.now)
	rows, err := t.tx.QueryContext(ctx, `INSERT INTO participants (tenant_id, event_id, contact_id, status, created_at, updated_at)
		SELECT ?, json_extract(value, '$.e'), json_extract(value, '$.c'), json_extract(value, '$.s'), ?, ? FROM json_each(?)
		RETURNING id, event_id, contact_id`, t.tenantID, now, now, participantJSON(ps))
	if err != nil {
		return participantConflict(err)
	}
	defer rows.Close()
	ids := make(map[store.ParticipantKey]int64, len(ps))
	for rows.Next() {
		var id int64
		var k store.ParticipantKey
		if err := rows.Scan(&id, &k.EventID, &k.ContactID); err != nil {
			return fmt.Errorf("insert participants: %w", err)
		}
		ids[k] = id
	}
	if err := rows.Err(); err != nil {
		return participantConflict(err)
	}
	return store.SetParticipantIDs(ps, ids, fromMicros(now))
}

func participantConflict(err error) error {
	if isUniqueViolation(err) {
		return intake.Errorf(intake.ECONFLICT, "A contact already takes part in this event.")
	}
	return fmt.Errorf("insert participants: %w", err)
}

// UpdateParticipants implements store.ParticipantTx in one UPDATE … FROM.
func (t *tx) UpdateParticipants(ctx context.Context, ps []*intake.Participant) error {
	if len(ps) == 0 {
		return nil
	}
	now := micros(t.now)
	if _, err := t.tx.ExecContext(ctx, `UPDATE participants SET status = j.s, updated_at = ?
		FROM (SELECT json_extract(value, '$.i') AS i, json_extract(value, '$.s') AS s FROM json_each(?)) AS j
		WHERE participants.tenant_id = ? AND participants.id = j.i`, now, participantJSON(ps), t.tenantID); err != nil {
		return fmt.Errorf("update participants: %w", err)
	}
	for _, p := range ps {
		p.UpdatedAt = fromMicros(now)
	}
	return nil
}

// DeleteParticipants implements store.ParticipantTx.
func (t *tx) DeleteParticipants(ctx context.Context, ids []int64) error {
	_, err := t.deleteIDs(ctx, "participants", ids)
	return err
}
