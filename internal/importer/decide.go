package importer

import "github.com/intake/intake"

// Decide is the mode table: what happens to a record whose match key exists
// or does not. It is the only place that knows it. Validate answers as upsert
// would (it reports what an upsert would do, and the caller writes nothing).
// The returned code says why a record is skipped; it is "" otherwise.
func Decide(mode intake.Mode, exists bool) (intake.Outcome, string) {
	switch mode {
	case intake.ModeCreate, intake.ModeIgnoreOrAdd:
		if exists {
			return intake.OutcomeSkipped, intake.CodeAlreadyExists
		}
		return intake.OutcomeCreated, ""
	case intake.ModeUpdate:
		if exists {
			return intake.OutcomeUpdated, ""
		}
		return intake.OutcomeSkipped, intake.CodeNotFound
	case intake.ModeUpsert, intake.ModeValidate:
		if exists {
			return intake.OutcomeUpdated, ""
		}
		return intake.OutcomeCreated, ""
	case intake.ModeDelete:
		if exists {
			return intake.OutcomeDeleted, ""
		}
		return intake.OutcomeSkipped, intake.CodeNotFound
	}
	return intake.OutcomeFailed, intake.CodeInvalidValue
}

// skipMessage is the sentence shown for a skip code.
func skipMessage(code string, mode intake.Mode, key string) string {
	switch code {
	case intake.CodeAlreadyExists:
		return "A contact with " + key + " already exists; mode " + string(mode) + " does not change existing contacts."
	case intake.CodeNotFound:
		return "No contact with " + key + " exists; mode " + string(mode) + " does not create contacts."
	}
	return "Skipped."
}
