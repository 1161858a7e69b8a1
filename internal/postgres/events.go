package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

const eventCols = `id, key, name, starts_at, created_at, updated_at`

func scanEvent(row pgx.Row) (intake.Event, error) {
	var e intake.Event
	if err := row.Scan(&e.ID, &e.Key, &e.Name, &e.StartsAt, &e.CreatedAt, &e.UpdatedAt); err != nil {
		return e, err
	}
	if e.StartsAt != nil {
		t := e.StartsAt.UTC()
		e.StartsAt = &t
	}
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return e, nil
}

// CreateEvent implements store.Events.
func (db *DB) CreateEvent(ctx context.Context, tenantID int64, e *intake.Event) error {
	now := db.timestamp()
	e.StartsAt = truncPtr(e.StartsAt)
	err := db.pool.QueryRow(ctx, `INSERT INTO events (tenant_id, key, name, starts_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, tenantID, e.Key, e.Name, e.StartsAt, now).Scan(&e.ID)
	if err != nil {
		if isUniqueViolation(err) {
			return intake.Errorf(intake.ECONFLICT, "An event with key %q already exists.", e.Key)
		}
		return fmt.Errorf("create event %q: %w", e.Key, err)
	}
	e.CreatedAt, e.UpdatedAt = now, now
	return nil
}

// GetEvent implements store.Events.
func (db *DB) GetEvent(ctx context.Context, tenantID int64, key string) (intake.Event, error) {
	return eventByKey(ctx, db.pool, tenantID, key)
}

func eventByKey(ctx context.Context, q rowQueryer, tenantID int64, key string) (intake.Event, error) {
	e, err := scanEvent(q.QueryRow(ctx, `SELECT `+eventCols+` FROM events WHERE tenant_id = $1 AND key = $2`, tenantID, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return e, intake.Errorf(intake.ENOTFOUND, "Event %q not found.", key)
	}
	if err != nil {
		return e, fmt.Errorf("get event %q: %w", key, err)
	}
	return e, nil
}

// ListEvents implements store.Events.
func (db *DB) ListEvents(ctx context.Context, tenantID, after int64, limit int) ([]intake.Event, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+eventCols+` FROM events WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
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

// DeleteEvent implements store.Events. Participants go with it (ON DELETE CASCADE).
func (db *DB) DeleteEvent(ctx context.Context, tenantID int64, key string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM events WHERE tenant_id = $1 AND key = $2`, tenantID, key)
	if err != nil {
		return fmt.Errorf("delete event %q: %w", key, err)
	}
	if tag.RowsAffected() == 0 {
		return intake.Errorf(intake.ENOTFOUND, "Event %q not found.", key)
	}
	return nil
}

const participantCols = `id, event_id, contact_id, status, created_at, updated_at`

func queryParticipants(ctx context.Context, q querier, sql string, args ...any) ([]intake.Participant, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (intake.Participant, error) {
		var p intake.Participant
		err := row.Scan(&p.ID, &p.EventID, &p.ContactID, &p.Status, &p.CreatedAt, &p.UpdatedAt)
		p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
		return p, err
	})
}

// ListParticipants implements store.Events: a page of participants, then
// their contacts in one more statement.
func (db *DB) ListParticipants(ctx context.Context, tenantID, eventID int64, f store.ParticipantFilter) ([]intake.Participant, error) {
	q := `SELECT ` + participantCols + ` FROM participants WHERE tenant_id = $1 AND event_id = $2 AND id > $3`
	args := []any{tenantID, eventID, f.After}
	if f.Status != "" {
		args = append(args, f.Status)
		q += fmt.Sprintf(` AND status = $%d`, len(args))
	}
	args = append(args, f.Limit)
	ps, err := queryParticipants(ctx, db.pool, q+fmt.Sprintf(` ORDER BY id LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("list participants: %w", err)
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ContactID
	}
	rows, err := db.pool.Query(ctx, `SELECT `+contactCols+` FROM contacts WHERE tenant_id = $1 AND id = ANY($2)`, tenantID, ids)
	if err != nil {
		return nil, fmt.Errorf("list participants' contacts: %w", err)
	}
	cs, err := collectContacts(rows)
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
func contactEvents(ctx context.Context, q querier, tenantID, contactID int64) ([]intake.ContactEvent, error) {
	rows, err := q.Query(ctx, `SELECT e.key, e.name, p.status FROM participants p JOIN events e ON e.id = p.event_id
		WHERE p.tenant_id = $1 AND p.contact_id = $2 ORDER BY e.key`, tenantID, contactID)
	if err != nil {
		return nil, fmt.Errorf("contact %d events: %w", contactID, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[intake.ContactEvent])
	if err != nil {
		return nil, fmt.Errorf("contact %d events: %w", contactID, err)
	}
	return out, nil
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
		WHERE tenant_id = $1 AND event_id = $2 AND contact_id = ANY($3)`, t.tenantID, eventID, contactIDs)
	if err != nil {
		return nil, fmt.Errorf("find participants: %w", err)
	}
	return ps, nil
}

// InsertParticipants implements store.ParticipantTx in one statement: the
// batch goes as three arrays, unnested side by side.
func (t *tx) InsertParticipants(ctx context.Context, ps []*intake.Participant) error {
	if len(ps) == 0 {
		return nil
	}
	events, contacts, statuses := make([]int64, len(ps)), make([]int64, len(ps)), make([]string, len(ps))
	for i, p := range ps {
		events[i], contacts[i], statuses[i] = p.EventID, p.ContactID, p.Status
	}
	rows, err := t.tx.Query(ctx, `INSERT INTO participants (tenant_id, event_id, contact_id, status, created_at, updated_at)
		SELECT $1, u.e, u.c, u.s, $5, $5 FROM unnest($2::bigint[], $3::bigint[], $4::text[]) AS u(e, c, s)
		RETURNING id, event_id, contact_id`, t.tenantID, events, contacts, statuses, t.now)
	if err != nil {
		return participantError(err)
	}
	ids := make(map[store.ParticipantKey]int64, len(ps))
	var id int64
	var k store.ParticipantKey
	_, err = pgx.ForEachRow(rows, []any{&id, &k.EventID, &k.ContactID}, func() error { ids[k] = id; return nil })
	if err != nil {
		return participantError(err)
	}
	return store.SetParticipantIDs(ps, ids, t.now)
}

func participantError(err error) error {
	if isUniqueViolation(err) {
		return intake.Errorf(intake.ECONFLICT, "A contact already takes part in this event.")
	}
	return fmt.Errorf("insert participants: %w", err)
}

// UpdateParticipants implements store.ParticipantTx in one UPDATE … FROM unnest.
func (t *tx) UpdateParticipants(ctx context.Context, ps []*intake.Participant) error {
	if len(ps) == 0 {
		return nil
	}
	ids, statuses := make([]int64, len(ps)), make([]string, len(ps))
	for i, p := range ps {
		ids[i], statuses[i] = p.ID, p.Status
	}
	if _, err := t.tx.Exec(ctx, `UPDATE participants p SET status = u.s, updated_at = $4
		FROM unnest($2::bigint[], $3::text[]) AS u(i, s) WHERE p.tenant_id = $1 AND p.id = u.i`,
		t.tenantID, ids, statuses, t.now); err != nil {
		return fmt.Errorf("update participants: %w", err)
	}
	for _, p := range ps {
		p.UpdatedAt = t.now
	}
	return nil
}

// DeleteParticipants implements store.ParticipantTx.
func (t *tx) DeleteParticipants(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := t.deleteIDs(ctx, "participants", ids)
	return err
}
