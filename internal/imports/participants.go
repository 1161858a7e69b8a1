package imports

import (
	"context"
	"fmt"
	"strings"

	"github.com/intake/intake"
)

// checkEvent answers EINVALID, with a field error on event_key, when a
// participants import names no event of the tenant. The pipeline finds that
// out too, but only when a job runs: a request gets its 422 at once, and no
// job is made that can only fail.
func (s *Service) checkEvent(ctx context.Context, tenantID int64, spec *intake.ImportSpec) error {
	if spec.Resource != intake.ResourceParticipants {
		return nil
	}
	key := strings.TrimSpace(spec.EventKey)
	if key == "" {
		msg := "event_key is required for a participants import."
		return intake.Invalid(msg, intake.FieldError{Field: "event_key", Message: msg})
	}
	_, err := s.Store.GetEvent(ctx, tenantID, key)
	if intake.ErrorCode(err) == intake.ENOTFOUND {
		msg := fmt.Sprintf("Event %q does not exist; create it with POST /api/v1/events first.", key)
		return intake.Invalid(msg, intake.FieldError{Field: "event_key", Value: key, Message: msg})
	}
	return err
}
