package intake

// Settings are a tenant's own defaults for its imports and contacts.
type Settings struct {
	// Region is the tenant's default phone region (ISO 3166-1 alpha-2) for
	// numbers written without a country code, used when neither the row's
	// country nor the import's region names one; "" means the server's.
	Region string `json:"region"`
}
