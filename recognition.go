package intake

// Reasons a column maps where it does (ColumnDecision.Reason).
const (
	ReasonHeader     = "header"     // the header's meaning (header model, synonyms, field names)
	ReasonContent    = "content"    // the column's values (an unknown header whose values are emails)
	ReasonRemembered = "remembered" // the tenant's corrected mapping of the same headers
	ReasonSaved      = "saved"      // a named mapping the request passed (mapping_name)
	ReasonGiven      = "given"      // the request's own mapping
)

// ConfidenceThreshold is the confidence below which a column is not
// mapped by itself: a dialect with a mapping step (native, Plannr) waits in
// awaiting_mapping with the suggestion; the others leave the column out
// and say so.
const ConfidenceThreshold = 0.5

// ColumnDecision is how one column of a file is mapped, and why.
type ColumnDecision struct {
	Header string `json:"header"`
	// Target is the field the column fills; "" when it is not imported.
	Target string `json:"target"`
	// Suggested is the target an uncertain column would have had (the
	// column is then not imported, or the job waits for a person).
	Suggested  string   `json:"suggested,omitempty"`
	Reason     string   `json:"reason,omitempty" doc:"header, content, remembered, saved or given"`
	Confidence float64  `json:"confidence" doc:"0–1"`
	Samples    []string `json:"samples"`
}

// MappingSource says where a job's mapping came from when it was not
// recognised afresh: an earlier import of the same headers, or a saved
// mapping.
type MappingSource struct {
	ImportID int64  `json:"import_id,omitempty"`
	Saved    string `json:"saved,omitempty"`
}

// Recognition is what the server read in a file's columns (DESIGN §4a):
// the decision per column, the first rows as read and where the mapping
// came from.
type Recognition struct {
	Columns       []ColumnDecision `json:"columns"`
	PreviewRows   [][]string       `json:"preview_rows,omitempty"`
	MappingSource *MappingSource   `json:"mapping_source"`
	// Uncertain reports a column below ConfidenceThreshold.
	Uncertain bool `json:"uncertain,omitempty"`
}
