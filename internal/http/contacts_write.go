package http

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect/native"
)

// contactBodyDoc describes the body of a contact create or patch.
const contactBodyDoc = "Keys are field names: email, customer_number, external_id, first_name, last_name, name, phone, company, " +
	"address, city, postal_code, state, country, notes, tags (an array or a , or ; separated string), custom (an object of " +
	"NAME → value) or custom.NAME keys, alternates ([{type, kind, value}]) or alternate_TYPES_KIND keys. Values are " +
	"normalised and checked exactly as an import's. id, created_at, updated_at and events are ignored."

func (s *Server) registerContactWrites() {
	huma.Register(s.api, s.idempotent(huma.Operation{
		OperationID: "create-contact", Method: http.MethodPost, Path: "/api/v1/contacts", DefaultStatus: http.StatusCreated,
		Summary: "Create a contact", Tags: []string{"Contacts"}, Security: secured(intake.ScopeContacts),
		Description: contactBodyDoc + " An invalid value → 422 with the field, value and the import's error code " +
			"(invalid_email, invalid_number, missing_required, …); a unique value another contact has → 409 (value_taken).",
	}), func(ctx context.Context, in *struct {
		Body map[string]any
	}) (*struct{ Body intake.Contact }, error) {
		fields, err := s.contactFields(ctx, in.Body)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		c, err := s.Directory.CreateContact(ctx, tenant(ctx), fields)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body intake.Contact }{Body: c}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "update-contact", Method: http.MethodPatch, Path: "/api/v1/contacts/{id}",
		Summary: "Change a contact", Tags: []string{"Contacts"}, Security: secured(intake.ScopeContacts),
		Description: contactBodyDoc + " Only the fields sent change; an empty string or null clears one. Errors as for create.",
	}, func(ctx context.Context, in *struct {
		ID   int64 `path:"id"`
		Body map[string]any
	}) (*struct{ Body intake.Contact }, error) {
		fields, err := s.contactFields(ctx, in.Body)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		c, err := s.Directory.UpdateContact(ctx, tenant(ctx), in.ID, fields)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body intake.Contact }{Body: c}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "delete-contact", Method: http.MethodDelete, Path: "/api/v1/contacts/{id}", DefaultStatus: http.StatusNoContent,
		Summary: "Delete a contact", Tags: []string{"Contacts"}, Security: secured(intake.ScopeContacts),
	}, func(ctx context.Context, in *contactInput) (*struct{}, error) {
		if err := s.Directory.DeleteContact(ctx, tenant(ctx), in.ID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}

// contactFields translates a contact body with the tenant's fields.
func (s *Server) contactFields(ctx context.Context, body map[string]any) (map[string]string, error) {
	reg, err := s.Directory.Registry(ctx, tenant(ctx))
	if err != nil {
		return nil, err
	}
	return native.Contact(body, reg)
}
