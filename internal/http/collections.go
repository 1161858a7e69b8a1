package http

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/store"
)

// CollectionList is the tenant's collections, by name (not paged: a tenant
// has few).
type CollectionList struct {
	Data []intake.Collection `json:"data"`
}

// RecordList is a page of a collection's records, in id order.
type RecordList struct {
	Data       []intake.CollectionRecord `json:"data"`
	NextCursor string                    `json:"next_cursor,omitempty" doc:"Pass as ?cursor= for the next page; absent on the last page."`
}

// CollectionInput defines a collection.
type CollectionInput struct {
	Name             string                   `json:"name" doc:"Letters, digits and _, starting with a letter (Order, charges); unique per tenant ignoring case."`
	Fields           []intake.CollectionField `json:"fields,omitempty" doc:"The record fields, typed as custom fields are."`
	KeyFields        []string                 `json:"key_fields,omitempty" doc:"Fields whose values find a record again (update, upsert, delete); unique per contact when records belong to contacts."`
	BelongsToContact bool                     `json:"belongs_to_contact,omitempty" doc:"Every record belongs to a contact: imports link it by contact_email, contact_id or contact (client_email, client, …)."`
}

// CollectionPatch changes a collection; absent members keep their values.
type CollectionPatch struct {
	Fields           []intake.CollectionField `json:"fields,omitempty" doc:"Replaces the field definitions; stored values are kept (and not converted)."`
	KeyFields        []string                 `json:"key_fields,omitempty" doc:"Only while the collection has no records."`
	BelongsToContact *bool                    `json:"belongs_to_contact,omitempty" doc:"Only while the collection has no records."`
}

// RecordBody is a record to create or the change of one.
type RecordBody struct {
	ContactID *int64         `json:"contact_id,omitempty" doc:"The contact the record belongs to (required when the collection's records belong to contacts)."`
	Values    map[string]any `json:"values,omitempty" doc:"Field → value (string, number or boolean), checked and converted by the field's type as an import does; in a patch null or \"\" clears a field."`
}

type collectionPath struct {
	Name string `path:"name"`
}

type recordPath struct {
	Name string `path:"name"`
	ID   int64  `path:"id"`
}

// values turns a record body's JSON values into raw text, as a file's cells.
func values(in map[string]any) (map[string]string, error) {
	out := make(map[string]string, len(in))
	for k, v := range in {
		switch x := v.(type) {
		case nil:
			out[k] = ""
		case string:
			out[k] = x
		case bool:
			out[k] = strconv.FormatBool(x)
		case float64:
			out[k] = strconv.FormatFloat(x, 'f', -1, 64)
		default:
			return nil, huma.Error422UnprocessableEntity("A value is a string, a number or a boolean.",
				&ErrorDetail{Location: "body.values." + k, Value: v, Message: "Send " + k + " as a string, a number or a boolean."})
		}
	}
	return out, nil
}

// recordsLink is the records route of collection name filtered by a contact.
func recordsLink(name string, contactID int64) string {
	return fmt.Sprintf("/api/v1/collections/%s/records?contact_id=%d", url.PathEscape(name), contactID)
}

func (s *Server) registerCollections() {
	tags, scope := []string{"Collections"}, secured(intake.ScopeContacts)
	huma.Register(s.api, huma.Operation{
		OperationID: "list-collections", Method: http.MethodGet, Path: "/api/v1/collections",
		Summary: "List collections", Tags: tags, Security: scope,
	}, func(ctx context.Context, _ *struct{}) (*struct{ Body CollectionList }, error) {
		cs, err := s.Directory.Collections(ctx, tenant(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body CollectionList }{Body: CollectionList{Data: append([]intake.Collection{}, cs...)}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-collection", Method: http.MethodGet, Path: "/api/v1/collections/{name}",
		Summary: "Get a collection", Tags: tags, Security: scope, Description: "The name compares ignoring case.",
	}, func(ctx context.Context, in *collectionPath) (*struct{ Body intake.Collection }, error) {
		c, err := s.Directory.Collection(ctx, tenant(ctx), in.Name)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body intake.Collection }{Body: c}, nil
	})
	s.registerCollectionWrites(tags, scope)
	s.registerRecords(tags, scope)
}

// registerCollectionWrites adds the routes that define, change and delete
// collections.
func (s *Server) registerCollectionWrites(tags []string, scope []map[string][]string) {
	huma.Register(s.api, s.idempotent(huma.Operation{
		OperationID: "create-collection", Method: http.MethodPost, Path: "/api/v1/collections", DefaultStatus: http.StatusCreated,
		Summary: "Define a collection", Tags: tags, Security: scope,
		Description: "409 when the name (ignoring case) is taken. Imports with resource collection:NAME, and Collection.Field " +
			"columns in a contact import, then check values by these types; a collection first used by an import is created " +
			"from its columns as text fields.",
	}), func(ctx context.Context, in *struct{ Body CollectionInput }) (*struct{ Body intake.Collection }, error) {
		b := in.Body
		c, err := s.Directory.CreateCollection(ctx, tenant(ctx), intake.Collection{Name: b.Name, Fields: b.Fields,
			KeyFields: b.KeyFields, BelongsToContact: b.BelongsToContact})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body intake.Collection }{Body: c}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "update-collection", Method: http.MethodPatch, Path: "/api/v1/collections/{name}",
		Summary: "Change a collection", Tags: tags, Security: scope,
		Description: "The name stays. Stored values are not converted to new types. key_fields and belongs_to_contact " +
			"change only while the collection has no records (409 otherwise).",
	}, func(ctx context.Context, in *struct {
		Name string `path:"name"`
		Body CollectionPatch
	}) (*struct{ Body intake.Collection }, error) {
		p := in.Body
		c, err := s.Directory.UpdateCollection(ctx, tenant(ctx), in.Name, func(c *intake.Collection) {
			if p.Fields != nil {
				c.Fields = p.Fields
			}
			if p.KeyFields != nil {
				c.KeyFields = p.KeyFields
			}
			setIf(&c.BelongsToContact, p.BelongsToContact)
		})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body intake.Collection }{Body: c}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "delete-collection", Method: http.MethodDelete, Path: "/api/v1/collections/{name}", DefaultStatus: http.StatusNoContent,
		Summary: "Delete a collection", Tags: tags, Security: scope, Description: "Deletes its records too; contacts stay.",
	}, func(ctx context.Context, in *collectionPath) (*struct{}, error) {
		if err := s.Directory.DeleteCollection(ctx, tenant(ctx), in.Name); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}

func (s *Server) registerRecords(tags []string, scope []map[string][]string) {
	s.registerListRecords(tags, scope)
	s.registerGetRecord(tags, scope)
	s.registerCreateRecord(tags, scope)
	s.registerUpdateRecord(tags, scope)
	s.registerDeleteRecord(tags, scope)
}

// recordsInput is the query of list-records.
type recordsInput struct {
	Name      string   `path:"name"`
	Cursor    string   `query:"cursor" doc:"Opaque cursor from a previous page's next_cursor."`
	Limit     int      `query:"limit" minimum:"1" maximum:"1000" default:"50"`
	ContactID int64    `query:"contact_id" doc:"Only the records of this contact."`
	Field     []string `query:"field,explode" doc:"NAME:VALUE: the record's field NAME is VALUE exactly, as stored (numbers canonical, dates YYYY-MM-DD). Repeat it for several fields."`
}

func (s *Server) registerListRecords(tags []string, scope []map[string][]string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "list-records", Method: http.MethodGet, Path: "/api/v1/collections/{name}/records",
		Summary: "List a collection's records", Tags: tags, Security: scope,
		Description: "Cursor-paged in id order; contact_id and field=NAME:VALUE (repeatable, the stored form exactly) narrow it.",
	}, func(ctx context.Context, in *recordsInput) (*struct{ Body RecordList }, error) {
		f, err := recordFilter(in)
		if err != nil {
			return nil, err
		}
		_, rs, err := s.Directory.Records(ctx, tenant(ctx), in.Name, f)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &struct{ Body RecordList }{Body: RecordList{Data: append([]intake.CollectionRecord{}, rs...)}}
		if len(rs) > 0 && len(rs) == in.Limit {
			out.Body.NextCursor = encodeCursor(rs[len(rs)-1].ID)
		}
		return out, nil
	})
}

// recordFilter reads list-records' cursor and its field=NAME:VALUE filters.
func recordFilter(in *recordsInput) (store.RecordFilter, error) {
	after, err := cursorOf(in.Cursor)
	if err != nil {
		return store.RecordFilter{}, err
	}
	f := store.RecordFilter{After: after, Limit: in.Limit, ContactID: in.ContactID}
	for _, v := range in.Field {
		name, value, ok := strings.Cut(v, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return store.RecordFilter{}, huma.Error422UnprocessableEntity("field takes NAME:VALUE.", &ErrorDetail{Location: "query.field", Value: v, Message: "Write field=Status:Completed."})
		}
		if f.Values == nil {
			f.Values = map[string]string{}
		}
		f.Values[strings.TrimSpace(name)] = value
	}
	return f, nil
}

func (s *Server) registerGetRecord(tags []string, scope []map[string][]string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "get-record", Method: http.MethodGet, Path: "/api/v1/collections/{name}/records/{id}",
		Summary: "Get a record", Tags: tags, Security: scope,
	}, func(ctx context.Context, in *recordPath) (*struct{ Body intake.CollectionRecord }, error) {
		r, err := s.Directory.Record(ctx, tenant(ctx), in.Name, in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body intake.CollectionRecord }{Body: r}, nil
	})
}

func (s *Server) registerCreateRecord(tags []string, scope []map[string][]string) {
	huma.Register(s.api, s.idempotent(huma.Operation{
		OperationID: "create-record", Method: http.MethodPost, Path: "/api/v1/collections/{name}/records", DefaultStatus: http.StatusCreated,
		Summary: "Create a record", Tags: tags, Security: scope,
		Description: "Values are checked as an import checks them (invalid_number, missing_required, …: 422); an unknown " +
			"contact_id is 422 contact_not_found; a key another record of the contact has is 409 value_taken.",
	}), func(ctx context.Context, in *struct {
		Name string `path:"name"`
		Body RecordBody
	}) (*struct{ Body intake.CollectionRecord }, error) {
		return s.saveRecord(ctx, in.Name, 0, in.Body)
	})
}

func (s *Server) registerUpdateRecord(tags []string, scope []map[string][]string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "update-record", Method: http.MethodPatch, Path: "/api/v1/collections/{name}/records/{id}",
		Summary: "Change a record", Tags: tags, Security: scope,
		Description: "Only the values sent change; null or \"\" clears one. Errors as for create.",
	}, func(ctx context.Context, in *struct {
		Name string `path:"name"`
		ID   int64  `path:"id"`
		Body RecordBody
	}) (*struct{ Body intake.CollectionRecord }, error) {
		return s.saveRecord(ctx, in.Name, in.ID, in.Body)
	})
}

func (s *Server) registerDeleteRecord(tags []string, scope []map[string][]string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "delete-record", Method: http.MethodDelete, Path: "/api/v1/collections/{name}/records/{id}", DefaultStatus: http.StatusNoContent,
		Summary: "Delete a record", Tags: tags, Security: scope,
	}, func(ctx context.Context, in *recordPath) (*struct{}, error) {
		if err := s.Directory.DeleteRecord(ctx, tenant(ctx), in.Name, in.ID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}

func (s *Server) saveRecord(ctx context.Context, name string, id int64, b RecordBody) (*struct{ Body intake.CollectionRecord }, error) {
	vs, err := values(b.Values)
	if err != nil {
		return nil, err
	}
	r, err := s.Directory.SaveRecord(ctx, tenant(ctx), name, id, importer.RecordInput{ContactID: b.ContactID, Values: vs})
	if err != nil {
		return nil, s.problem(ctx, err)
	}
	return &struct{ Body intake.CollectionRecord }{Body: r}, nil
}

// contactCollections fills c's child records: the first 50 of each
// collection, with a link (and cursor) to the rest.
func (s *Server) contactCollections(ctx context.Context, c *intake.Contact) error {
	ccs, err := s.Directory.ContactCollections(ctx, tenant(ctx), c.ID, contactRecordsShown)
	if err != nil {
		return err
	}
	for i := range ccs {
		cc := &ccs[i]
		cc.Link = recordsLink(cc.Collection, c.ID)
		if cc.More {
			cc.NextCursor = encodeCursor(cc.Records[len(cc.Records)-1].ID)
			cc.Link += "&cursor=" + cc.NextCursor
		}
	}
	c.Collections = ccs
	return nil
}

// contactRecordsShown is how many records of each collection GET contact shows.
const contactRecordsShown = 50
