package intake

import "time"

// CustomField is a tenant-defined contact field (custom.NAME in mappings,
// match fields and the contact's custom object). Its Type says how import
// values are checked and converted; Unique fields may be match fields.
type CustomField struct {
	ID       int64     `json:"id"`
	Name     string    `json:"name"`
	Label    string    `json:"label,omitempty"`
	Type     FieldType `json:"type"`
	Required bool      `json:"required"`
	Unique   bool      `json:"unique"`
	// Options are the allowed values of a list field; empty allows any.
	Options   []string  `json:"options,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Event is something contacts take part in (Plandocket), found by its key.
type Event struct {
	ID        int64      `json:"id"`
	Key       string     `json:"key"`
	Name      string     `json:"name"`
	StartsAt  *time.Time `json:"starts_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Participant is one contact's place in one event: there is at most one per
// contact and event.
type Participant struct {
	ID        int64             `json:"id"`
	EventID   int64             `json:"-"`
	ContactID int64             `json:"contact_id"`
	Status    string            `json:"status"`
	Custom    map[string]string `json:"custom,omitempty"`
	Contact   *Contact          `json:"contact,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
}

// ParticipantStatusDefault is a new participant's status when a row gives none.
const ParticipantStatusDefault = "registered"

// ContactEvent is an event a contact takes part in, as GET contact shows it.
type ContactEvent struct {
	Key    string `json:"key"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

// Group resources: what a group's members are (PackageX).
const (
	GroupOfContacts  = "contact"
	GroupOfLocations = "location"
)

// Group is a named set of contacts or of locations (PackageX), optionally
// at a location. Names are unique per tenant and resource, ignoring case.
type Group struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Resource string `json:"resource"`
	Location string `json:"location,omitempty"`
	// Members are the contacts (resource contact) or locations (resource
	// location) of the group; filled by a get, not by a list.
	Members   []GroupMember `json:"members,omitempty"`
	Size      int           `json:"size"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// GroupMember is a contact or a location in a group.
type GroupMember struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
}

// Location is a named place contacts and groups belong to (PackageX).
type Location struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}
