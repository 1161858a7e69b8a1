package directory

import (
	"context"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/store"
)

// Collections returns the tenant's collections, by name.
func (s *Service) Collections(ctx context.Context, tenantID int64) ([]intake.Collection, error) {
	return s.Store.ListCollections(ctx, tenantID)
}

// Collection returns the tenant's collection name (ignoring case); ENOTFOUND.
func (s *Service) Collection(ctx context.Context, tenantID int64, name string) (intake.Collection, error) {
	cs, err := s.Store.ListCollections(ctx, tenantID)
	if err != nil {
		return intake.Collection{}, err
	}
	for _, c := range cs {
		if strings.EqualFold(c.Name, name) {
			return c, nil
		}
	}
	return intake.Collection{}, intake.Errorf(intake.ENOTFOUND, "Collection %q not found.", name)
}

// CreateCollection defines a collection. Errors: EINVALID, ECONFLICT.
func (s *Service) CreateCollection(ctx context.Context, tenantID int64, c intake.Collection) (intake.Collection, error) {
	return s.Engine.SaveCollection(ctx, tenantID, "", c, nil)
}

// UpdateCollection changes collection name with change (see
// importer.Engine.SaveCollection). Errors: ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) UpdateCollection(ctx context.Context, tenantID int64, name string, change func(*intake.Collection)) (intake.Collection, error) {
	return s.Engine.SaveCollection(ctx, tenantID, name, intake.Collection{}, change)
}

// DeleteCollection deletes collection name and its records. ENOTFOUND.
func (s *Service) DeleteCollection(ctx context.Context, tenantID int64, name string) error {
	return s.Engine.DeleteCollection(ctx, tenantID, name)
}

// Records returns a page of collection name's records (f.CollectionID is
// set from name). ENOTFOUND for an unknown collection.
func (s *Service) Records(ctx context.Context, tenantID int64, name string, f store.RecordFilter) (intake.Collection, []intake.CollectionRecord, error) {
	c, err := s.Collection(ctx, tenantID, name)
	if err != nil {
		return c, nil, err
	}
	f.CollectionID = c.ID
	rs, err := s.Store.ListRecords(ctx, tenantID, f)
	for i := range rs {
		rs[i].Collection = c.Name
	}
	return c, rs, err
}

// Record returns record id of collection name; ENOTFOUND.
func (s *Service) Record(ctx context.Context, tenantID int64, name string, id int64) (intake.CollectionRecord, error) {
	c, rs, err := s.Records(ctx, tenantID, name, store.RecordFilter{After: id - 1, Limit: 1})
	if err != nil {
		return intake.CollectionRecord{}, err
	}
	if len(rs) == 0 || rs[0].ID != id {
		return intake.CollectionRecord{}, intake.Errorf(intake.ENOTFOUND, "Record %d of collection %s not found.", id, c.Name)
	}
	return rs[0], nil
}

// SaveRecord creates (id 0) or patches a record by the import rules and
// returns it as stored. Errors: ENOTFOUND, EINVALID, ECONFLICT.
func (s *Service) SaveRecord(ctx context.Context, tenantID int64, name string, id int64, in importer.RecordInput) (intake.CollectionRecord, error) {
	id, err := s.Engine.SaveRecord(ctx, tenantID, name, id, in)
	if err != nil {
		return intake.CollectionRecord{}, err
	}
	return s.Record(ctx, tenantID, name, id)
}

// DeleteRecord deletes record id of collection name. ENOTFOUND.
func (s *Service) DeleteRecord(ctx context.Context, tenantID int64, name string, id int64) error {
	return s.Engine.DeleteRecord(ctx, tenantID, name, id)
}

// ContactCollections returns, for each collection whose records belong to
// contacts and that has records of contact id, its first limit records and
// whether there are more (GET /api/v1/contacts/{id}).
func (s *Service) ContactCollections(ctx context.Context, tenantID, contactID int64, limit int) ([]intake.ContactCollection, error) {
	cs, err := s.Store.ListCollections(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var out []intake.ContactCollection
	for _, c := range cs {
		if !c.BelongsToContact {
			continue
		}
		rs, err := s.Store.ListRecords(ctx, tenantID, store.RecordFilter{CollectionID: c.ID, ContactID: contactID, Limit: limit + 1})
		if err != nil {
			return nil, err
		}
		if len(rs) == 0 {
			continue
		}
		cc := intake.ContactCollection{Collection: c.Name}
		if len(rs) > limit {
			rs = rs[:limit]
			cc.More = true
		}
		for i := range rs {
			rs[i].Collection = c.Name
		}
		cc.Records = rs
		out = append(out, cc)
	}
	return out, nil
}
