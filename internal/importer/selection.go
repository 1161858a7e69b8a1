package importer

import (
	"context"
	"fmt"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/store"
)

// unseen are the contacts remove_missing removes: those the import did not
// see, within the spec's selection when it names one (mirror a list inside
// that selection only), else within its group. An unknown selection
// removes no one and says so in the warnings.
func (p *pass) unseen(ctx context.Context, tx store.Tx) ([]intake.Contact, error) {
	name := p.spec.RemoveMissingSelection
	if name == "" {
		return tx.UnseenContacts(ctx, p.importID, p.spec.RemoveMissingGroup)
	}
	gone, err := tx.UnseenInSelection(ctx, p.importID, name)
	if intake.ErrorCode(err) == intake.ENOTFOUND {
		p.warnings = append(p.warnings, fmt.Sprintf("remove_missing was not applied: there is no selection named %q.", name))
		return nil, nil
	}
	return gone, err
}
