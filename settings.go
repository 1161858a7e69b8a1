package intake

// Settings are a tenant's own defaults for its imports and contacts.
type Settings struct {
	// Region is the tenant's default phone region (ISO 3166-1 alpha-2) for
	// numbers written without a country code, used when neither the row's
	// country nor the import's region names one; "" means the server's.
	Region string `json:"region"`
	// UndoDisabled turns off recording what imports change: they run a
	// little faster and cannot be undone.
	UndoDisabled bool `json:"undo_disabled"`
	// UndoDays is how long an import can be undone; 0 means DefaultUndoDays.
	UndoDays int `json:"undo_days"`
}

// DefaultUndoDays is the undo window when a tenant sets none.
const DefaultUndoDays = 30
