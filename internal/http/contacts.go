package http

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// ContactList is a page of contacts.
type ContactList struct {
	Data       []intake.Contact `json:"data"`
	NextCursor string           `json:"next_cursor,omitempty" doc:"Pass as ?cursor= for the next page; absent on the last page."`
}

type listContactsInput struct {
	Cursor         string   `query:"cursor" doc:"Opaque cursor from a previous page's next_cursor."`
	Limit          int      `query:"limit" minimum:"1" maximum:"1000" default:"50"`
	Email          string   `query:"email" doc:"Exact email, compared case-insensitively."`
	CustomerNumber string   `query:"customer_number"`
	ExternalID     string   `query:"external_id" doc:"The contact's id in the system it was exported from (HubSpot's Record ID), exactly."`
	Tag            string   `query:"tag"`
	UpdatedSince   string   `query:"updated_since" doc:"RFC 3339 timestamp; contacts updated at or after it."`
	Q              string   `query:"q" doc:"A prefix of the name, first name, last name or email, ignoring case."`
	Group          string   `query:"group" doc:"The name of a group (of contacts) the contact is in, ignoring case."`
	Location       string   `query:"location" doc:"The name of a location the contact belongs to, ignoring case."`
	Event          string   `query:"event" doc:"The key of an event the contact takes part in."`
	Custom         []string `query:"custom,explode" doc:"NAME:VALUE (or custom.NAME:VALUE): the contact's custom field NAME is VALUE exactly, as stored (numbers canonical, dates YYYY-MM-DD, emails lower-case). Repeat it for several fields."`
}

// customFilter reads custom=NAME:VALUE query values.
func customFilter(vs []string) (map[string]string, error) {
	if len(vs) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(vs))
	for _, v := range vs {
		name, value, ok := strings.Cut(v, ":")
		name = strings.TrimPrefix(strings.TrimSpace(name), intake.CustomPrefix)
		if !ok || name == "" {
			return nil, huma.Error422UnprocessableEntity("custom takes NAME:VALUE.", &ErrorDetail{Location: "query.custom", Value: v, Message: "Write custom=member_id:123."})
		}
		out[name] = value
	}
	return out, nil
}

type contactInput struct {
	ID int64 `path:"id"`
}

// pageInput is the query of a plain cursor-paged list.
type pageInput struct {
	Cursor string `query:"cursor" doc:"Opaque cursor from a previous page's next_cursor."`
	Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"50"`
}

// encodeCursor makes the opaque cursor for "after this id".
func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("c" + strconv.FormatInt(id, 10)))
}

// cursorOf reads a page's cursor; a bad one is a 422 naming it.
func cursorOf(cursor string) (int64, error) {
	after, ok := decodeCursor(cursor)
	if !ok {
		return 0, huma.Error422UnprocessableEntity("The cursor is not valid.", &huma.ErrorDetail{Location: "query.cursor", Value: cursor, Message: "Use the next_cursor of a previous page."})
	}
	return after, nil
}

func decodeCursor(s string) (int64, bool) {
	if s == "" {
		return 0, true
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != 'c' {
		return 0, false
	}
	id, err := strconv.ParseInt(string(b[1:]), 10, 64)
	return id, err == nil && id >= 0
}

func (s *Server) registerContacts() {
	huma.Register(s.api, huma.Operation{
		OperationID: "list-contacts", Method: http.MethodGet, Path: "/api/v1/contacts",
		Summary: "List contacts", Tags: []string{"Contacts"}, Security: secured(intake.ScopeContacts),
		Description: "Cursor-paged in id order, optionally filtered.",
	}, func(ctx context.Context, in *listContactsInput) (*struct{ Body ContactList }, error) {
		after, ok := decodeCursor(in.Cursor)
		if !ok {
			return nil, huma.Error422UnprocessableEntity("The cursor is not valid.", &huma.ErrorDetail{Location: "query.cursor", Value: in.Cursor, Message: "Use the next_cursor of a previous page."})
		}
		custom, err := customFilter(in.Custom)
		if err != nil {
			return nil, err
		}
		f := store.ContactFilter{After: after, Limit: in.Limit, Email: in.Email, CustomerNumber: in.CustomerNumber, ExternalID: in.ExternalID,
			Tag: in.Tag, Q: in.Q, Group: in.Group, Location: in.Location, Event: in.Event, Custom: custom}
		if in.UpdatedSince != "" {
			t, err := time.Parse(time.RFC3339, in.UpdatedSince)
			if err != nil {
				return nil, huma.Error422UnprocessableEntity("updated_since must be an RFC 3339 timestamp.", &huma.ErrorDetail{Location: "query.updated_since", Value: in.UpdatedSince, Message: "e.g. 2026-01-31T00:00:00Z"})
			}
			f.UpdatedSince = t
		}
		cs, err := s.Store.ListContacts(ctx, tenant(ctx), f)
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		out := &struct{ Body ContactList }{Body: ContactList{Data: cs}}
		if out.Body.Data == nil {
			out.Body.Data = []intake.Contact{}
		}
		if len(cs) == in.Limit {
			out.Body.NextCursor = encodeCursor(cs[len(cs)-1].ID)
		}
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-contact", Method: http.MethodGet, Path: "/api/v1/contacts/{id}",
		Summary: "Get a contact", Tags: []string{"Contacts"}, Security: secured(intake.ScopeContacts),
		Description: "With its events and, per collection its records belong to, its first 50 records and a link to the rest.",
	}, func(ctx context.Context, in *contactInput) (*struct{ Body intake.Contact }, error) {
		c, err := s.Store.GetContact(ctx, tenant(ctx), in.ID)
		if err == nil {
			err = s.contactCollections(ctx, &c)
		}
		if err != nil {
			return nil, s.problem(ctx, err)
		}
		return &struct{ Body intake.Contact }{Body: c}, nil
	})
}
