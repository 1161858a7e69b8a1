package http

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// GroupList is a page of groups, in id order.
type GroupList struct {
	Data       []intake.Group `json:"data"`
	NextCursor string         `json:"next_cursor,omitempty" doc:"Pass as ?cursor= for the next page; absent on the last page."`
}

// LocationList is a page of locations, in id order.
type LocationList struct {
	Data       []intake.Location `json:"data"`
	NextCursor string            `json:"next_cursor,omitempty" doc:"Pass as ?cursor= for the next page; absent on the last page."`
}

// NewGroup is the body of POST /api/v1/groups.
type NewGroup struct {
	Name     string `json:"name" doc:"1–255 characters; unique per resource, ignoring case."`
	Resource string `json:"resource" doc:"contact or location: what the members are."`
	Location string `json:"location,omitempty" doc:"The group's location by name (at most 63 characters), created if missing."`
}

// NewLocation is the body of POST /api/v1/locations.
type NewLocation struct {
	Name string `json:"name" doc:"1–63 characters; unique ignoring case."`
}

// registerGroups registers the group and location routes (contacts scope),
// one function per route.
func (s *Server) registerGroups() {
	tags, scope := []string{"Groups and locations"}, secured(intake.ScopeContacts)
	s.registerListGroups(tags, scope)
	s.registerGetGroup(tags, scope)
	s.registerCreateGroup(tags, scope)
	s.registerDeleteGroup(tags, scope)
	s.registerLocations(tags, scope)
}

func (s *Server) registerListGroups(tags []string, scope []map[string][]string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "list-groups", Method: http.MethodGet, Path: "/api/v1/groups",
		Summary: "List groups", Tags: tags, Security: scope,
		Description: "Cursor-paged in id order, with each group's location and size; ?resource=contact or location narrows it.",
	}, func(ctx context.Context, in *struct {
		Cursor   string `query:"cursor" doc:"Opaque cursor from a previous page's next_cursor."`
		Limit    int    `query:"limit" minimum:"1" maximum:"1000" default:"50"`
		Resource string `query:"resource" enum:"contact,location" doc:"Only groups of contacts or of locations."`
	}) (*struct{ Body GroupList }, error) {
		after, err := cursorOf(in.Cursor)
		if err != nil {
			return nil, err
		}
		gs, err := s.Store.ListGroups(ctx, tenant(ctx), store.GroupFilter{After: after, Limit: in.Limit, Resource: in.Resource})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &struct{ Body GroupList }{Body: GroupList{Data: append([]intake.Group{}, gs...)}}
		if len(gs) > 0 && len(gs) == in.Limit {
			out.Body.NextCursor = encodeCursor(gs[len(gs)-1].ID)
		}
		return out, nil
	})
}

func (s *Server) registerGetGroup(tags []string, scope []map[string][]string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "get-group", Method: http.MethodGet, Path: "/api/v1/groups/{id}",
		Summary: "Get a group with its members", Tags: tags, Security: scope,
		Description: "Members are contacts (id, name, email) for a contact group, locations (id, name) for a location group, in name order.",
	}, func(ctx context.Context, in *contactInput) (*struct{ Body intake.Group }, error) {
		g, err := s.Store.GetGroup(ctx, tenant(ctx), in.ID)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body intake.Group }{Body: g}, nil
	})
}

func (s *Server) registerCreateGroup(tags []string, scope []map[string][]string) {
	huma.Register(s.api, s.idempotent(huma.Operation{
		OperationID: "create-group", Method: http.MethodPost, Path: "/api/v1/groups", DefaultStatus: http.StatusCreated,
		Summary: "Create a group", Tags: tags, Security: scope,
		Description: "409 when a group of that resource and name (ignoring case) exists.",
	}), func(ctx context.Context, in *struct{ Body NewGroup }) (*struct{ Body intake.Group }, error) {
		g, err := s.Directory.CreateGroup(ctx, tenant(ctx), intake.Group{Name: in.Body.Name, Resource: in.Body.Resource, Location: in.Body.Location})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body intake.Group }{Body: g}, nil
	})
}

func (s *Server) registerDeleteGroup(tags []string, scope []map[string][]string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "delete-group", Method: http.MethodDelete, Path: "/api/v1/groups/{id}", DefaultStatus: http.StatusNoContent,
		Summary: "Delete a group", Tags: tags, Security: scope,
		Description: "Removes the group and its memberships; its members (contacts, locations) stay.",
	}, func(ctx context.Context, in *contactInput) (*struct{}, error) {
		if err := s.Directory.DeleteGroup(ctx, tenant(ctx), in.ID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}

func (s *Server) registerLocations(tags []string, scope []map[string][]string) {
	huma.Register(s.api, huma.Operation{
		OperationID: "list-locations", Method: http.MethodGet, Path: "/api/v1/locations",
		Summary: "List locations", Tags: tags, Security: scope, Description: "Cursor-paged in id order.",
	}, func(ctx context.Context, in *pageInput) (*struct{ Body LocationList }, error) {
		after, err := cursorOf(in.Cursor)
		if err != nil {
			return nil, err
		}
		ls, err := s.Store.ListLocations(ctx, tenant(ctx), after, in.Limit)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &struct{ Body LocationList }{Body: LocationList{Data: append([]intake.Location{}, ls...)}}
		if len(ls) > 0 && len(ls) == in.Limit {
			out.Body.NextCursor = encodeCursor(ls[len(ls)-1].ID)
		}
		return out, nil
	})

	huma.Register(s.api, s.idempotent(huma.Operation{
		OperationID: "create-location", Method: http.MethodPost, Path: "/api/v1/locations", DefaultStatus: http.StatusCreated,
		Summary: "Create a location", Tags: tags, Security: scope,
		Description: "409 when a location of that name (ignoring case) exists.",
	}), func(ctx context.Context, in *struct{ Body NewLocation }) (*struct{ Body intake.Location }, error) {
		l, err := s.Directory.CreateLocation(ctx, tenant(ctx), intake.Location{Name: in.Body.Name})
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body intake.Location }{Body: l}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "delete-location", Method: http.MethodDelete, Path: "/api/v1/locations/{id}", DefaultStatus: http.StatusNoContent,
		Summary: "Delete a location", Tags: tags, Security: scope,
		Description: "Removes the location and its memberships; groups at it stay, without a location.",
	}, func(ctx context.Context, in *contactInput) (*struct{}, error) {
		if err := s.Directory.DeleteLocation(ctx, tenant(ctx), in.ID); err != nil {
			return nil, s.problem(ctx, err)
		}
		return nil, nil
	})
}
