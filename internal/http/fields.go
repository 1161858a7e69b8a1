package http

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
)

// FieldList is the tenant's custom fields and every mapping target.
type FieldList struct {
	Data    []intake.CustomField `json:"data" doc:"The tenant's custom field definitions, by name."`
	Targets []intake.Target      `json:"targets" doc:"Every field a mapping, a match field or a record key may name: the built-in fields with their type, limit and synonyms, the alternate columns, and the custom fields as custom.NAME."`
}

// FieldInput defines a custom field.
type FieldInput struct {
	Name     string           `json:"name" doc:"[a-z][a-z0-9_]*, at most 64 characters, no built-in field's name. Mappings and match fields name it custom.NAME (or by its bare name)."`
	Label    string           `json:"label,omitempty" doc:"A column with this header maps to the field by itself, as one with its name does."`
	Type     intake.FieldType `json:"type" enum:"text,number,date,boolean,email,phone,list"`
	Required bool             `json:"required,omitempty" doc:"A contact is not created without a value."`
	Unique   bool             `json:"unique,omitempty" doc:"A value belongs to at most one contact (not for boolean and list fields)."`
	Options  []string         `json:"options,omitempty" doc:"The allowed values of a list field; none allows any."`
}

// FieldPatch changes a custom field; absent members keep their values.
type FieldPatch struct {
	Label    *string           `json:"label,omitempty"`
	Type     *intake.FieldType `json:"type,omitempty" enum:"text,number,date,boolean,email,phone,list"`
	Required *bool             `json:"required,omitempty"`
	Unique   *bool             `json:"unique,omitempty"`
	Options  []string          `json:"options,omitempty" doc:"Replaces the options; [] allows any value."`
}

type fieldNameInput struct {
	Name string `path:"name"`
}

// registerFields registers the custom-field routes (contacts scope), one
// function per route.
func (s *Server) registerFields() {
	tags := []string{"Fields"}
	s.registerListFields(tags)
	s.registerGetField(tags)
	s.registerCreateField(tags)
	s.registerUpdateField(tags)
	s.registerDeleteField(tags)
}

func (s *Server) registerListFields(tags []string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "list-fields", Method: http.MethodGet, Path: "/api/v1/fields",
		Summary: "List custom fields and mapping targets", Tags: tags, Security: secured(intake.ScopeContacts),
	}, func(ctx context.Context, _ *struct{}) (*struct{ Body FieldList }, error) {
		reg, err := s.Directory.Registry(ctx, tenant(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &struct{ Body FieldList }{Body: FieldList{Data: reg.CustomFields(), Targets: reg.Targets()}}
		if out.Body.Data == nil {
			out.Body.Data = []intake.CustomField{}
		}
		return out, nil
	})
}

func (s *Server) registerGetField(tags []string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "get-field", Method: http.MethodGet, Path: "/api/v1/fields/{name}",
		Summary: "Get a custom field", Tags: tags, Security: secured(intake.ScopeContacts),
	}, func(ctx context.Context, in *fieldNameInput) (*struct{ Body intake.CustomField }, error) {
		reg, err := s.Directory.Registry(ctx, tenant(ctx))
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		f, ok := reg.Custom(in.Name)
		if !ok {
			return nil, s.problem(ctx, intake.Errorf(intake.ENOTFOUND, "Custom field %q not found.", in.Name))
		}
		return &struct{ Body intake.CustomField }{Body: f}, nil
	})
}

func (s *Server) registerCreateField(tags []string) {
	huma.Register(s.api, s.idempotent(huma.Operation{
		OperationID: "create-field", Method: http.MethodPost, Path: "/api/v1/fields", DefaultStatus: http.StatusCreated,
		Summary: "Define a custom field", Tags: tags, Security: secured(intake.ScopeContacts),
		Description: "Imports and the contact API then check and convert its values by type. A unique field whose " +
			"name contacts already share a value of is refused with 409, naming the value.",
	}), func(ctx context.Context, in *struct{ Body FieldInput }) (*struct{ Body intake.CustomField }, error) {
		b := in.Body
		f, err := s.Directory.CreateField(ctx, tenant(ctx), intake.CustomField{Name: b.Name, Label: b.Label, Type: b.Type,
			Required: b.Required, Unique: b.Unique, Options: b.Options})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body intake.CustomField }{Body: f}, nil
	})
}

func (s *Server) registerUpdateField(tags []string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "update-field", Method: http.MethodPatch, Path: "/api/v1/fields/{name}",
		Summary: "Change a custom field", Tags: tags, Security: secured(intake.ScopeContacts),
		Description: "The name stays. Stored values are not converted to a new type. Making the field unique while " +
			"contacts share a value is refused with 409, naming the value.",
	}, func(ctx context.Context, in *struct {
		Name string `path:"name"`
		Body FieldPatch
	}) (*struct{ Body intake.CustomField }, error) {
		p := in.Body
		f, err := s.Directory.UpdateField(ctx, tenant(ctx), in.Name, func(f *intake.CustomField) {
			setIf(&f.Label, p.Label)
			setIf(&f.Type, p.Type)
			setIf(&f.Required, p.Required)
			setIf(&f.Unique, p.Unique)
			if p.Options != nil {
				f.Options = p.Options
			}
		})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body intake.CustomField }{Body: f}, nil
	})
}

func (s *Server) registerDeleteField(tags []string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "delete-field", Method: http.MethodDelete, Path: "/api/v1/fields/{name}", DefaultStatus: http.StatusNoContent,
		Summary: "Delete a custom field", Tags: tags, Security: secured(intake.ScopeContacts),
		Description: "Contacts keep their values of it, as untyped custom values; defining the field again brings its rules back.",
	}, func(ctx context.Context, in *fieldNameInput) (*struct{}, error) {
		if err := s.Directory.DeleteField(ctx, tenant(ctx), in.Name); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}

// setIf sets *dst to *v when v is given.
func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
