// Package directory is the service that owns a tenant's records outside
// import jobs: contacts written one at a time, custom field definitions,
// collections and their records, groups, locations, events and the
// tenant's settings. It writes by the pipeline's own rules (importer.Engine)
// and opens the store's transactions itself, so HTTP never does. It knows
// no HTTP and no SQL; the job lifecycle is package imports'.
package directory

import (
	"context"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/store"
)

// Store is what the directory needs of a store: write transactions (every
// change goes through one), the few reads that answer a change with the
// stored row, events (created and deleted outside a Tx) and settings.
// Every store.Store is one.
type Store interface {
	store.Writer
	store.Settings
	// GetContact, GetGroup and ListRecords read back what a write stored.
	GetContact(ctx context.Context, tenantID, id int64) (intake.Contact, error)
	GetGroup(ctx context.Context, tenantID, id int64) (intake.Group, error)
	ListRecords(ctx context.Context, tenantID int64, f store.RecordFilter) ([]intake.CollectionRecord, error)
	ListCollections(ctx context.Context, tenantID int64) ([]intake.Collection, error)
	CreateEvent(ctx context.Context, tenantID int64, e *intake.Event) error
	DeleteEvent(ctx context.Context, tenantID int64, key string) error
}

// Service keeps a tenant's directory.
type Service struct {
	Store  Store
	Engine *importer.Engine
}

// New returns a service over st writing through eng.
func New(st Store, eng *importer.Engine) *Service { return &Service{Store: st, Engine: eng} }

// CreateGroup stores a new group and returns it with its members.
// Errors: EINVALID, ECONFLICT (a group of that resource and name exists).
func (s *Service) CreateGroup(ctx context.Context, tenantID int64, g intake.Group) (intake.Group, error) {
	if err := g.Validate(); err != nil {
		return g, err
	}
	if err := s.Store.Write(ctx, tenantID, func(tx store.Tx) error { return tx.InsertGroups(ctx, []*intake.Group{&g}) }); err != nil {
		return g, err
	}
	return s.Store.GetGroup(ctx, tenantID, g.ID)
}

// CreateLocation stores a new location. Errors: EINVALID, ECONFLICT.
func (s *Service) CreateLocation(ctx context.Context, tenantID int64, l intake.Location) (intake.Location, error) {
	if err := l.Validate(); err != nil {
		return l, err
	}
	err := s.Store.Write(ctx, tenantID, func(tx store.Tx) error { return tx.InsertLocation(ctx, &l) })
	return l, err
}

// DeleteGroup removes a group and its memberships; its members stay.
// ENOTFOUND if it is not the tenant's.
func (s *Service) DeleteGroup(ctx context.Context, tenantID, id int64) error {
	return s.deleteByID(ctx, tenantID, id, "Group", func(tx store.Tx, ids []int64) (int64, error) { return tx.DeleteGroups(ctx, ids) })
}

// DeleteLocation removes a location and its memberships; groups at it stay.
// ENOTFOUND if it is not the tenant's.
func (s *Service) DeleteLocation(ctx context.Context, tenantID, id int64) error {
	return s.deleteByID(ctx, tenantID, id, "Location", func(tx store.Tx, ids []int64) (int64, error) { return tx.DeleteLocations(ctx, ids) })
}

// deleteByID deletes one record of the tenant through del, in the tenant's
// write transaction; ENOTFOUND when del removed nothing.
func (s *Service) deleteByID(ctx context.Context, tenantID, id int64, what string, del func(store.Tx, []int64) (int64, error)) error {
	return s.Store.Write(ctx, tenantID, func(tx store.Tx) error {
		n, err := del(tx, []int64{id})
		if err == nil && n == 0 {
			err = intake.Errorf(intake.ENOTFOUND, "%s %d not found.", what, id)
		}
		return err
	})
}

// CreateEvent stores a new event and sets its ID. Errors: EINVALID,
// ECONFLICT (the tenant uses the key already).
func (s *Service) CreateEvent(ctx context.Context, tenantID int64, e *intake.Event) error {
	return s.Store.CreateEvent(ctx, tenantID, e)
}

// DeleteEvent deletes an event and its participants; their contacts stay.
// ENOTFOUND if the tenant has no event with key.
func (s *Service) DeleteEvent(ctx context.Context, tenantID int64, key string) error {
	return s.Store.DeleteEvent(ctx, tenantID, key)
}
