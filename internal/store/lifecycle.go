package store

import (
	"time"

	"github.com/intake/intake"
)

// storedSpec is what an import's options column holds: its spec, and the
// undo and preview bookkeeping under "undo", so neither store needs columns
// of its own for them.
type storedSpec struct {
	intake.ImportSpec
	Undo *lifecycle `json:"undo,omitempty"`
}

// lifecycle is an import's undo and preview state (intake.Import's Kind,
// UndoOf, UndoneAt, UndoID, Force, PreviewedAt).
type lifecycle struct {
	Kind        string     `json:"kind,omitempty"`
	UndoOf      int64      `json:"undo_of,omitempty"`
	UndoneAt    *time.Time `json:"undone_at,omitempty"`
	UndoID      int64      `json:"undo_id,omitempty"`
	Force       bool       `json:"force,omitempty"`
	PreviewedAt *time.Time `json:"previewed_at,omitempty"`
}

func lifecycleOf(im *intake.Import) *lifecycle {
	l := lifecycle{Kind: im.Kind, UndoOf: im.UndoOf, UndoneAt: im.UndoneAt, UndoID: im.UndoID, Force: im.Force, PreviewedAt: im.PreviewedAt}
	if l == (lifecycle{}) {
		return nil
	}
	return &l
}

func (l *lifecycle) apply(im *intake.Import) {
	if l == nil {
		return
	}
	im.Kind, im.UndoOf, im.UndoneAt, im.UndoID, im.Force, im.PreviewedAt = l.Kind, l.UndoOf, l.UndoneAt, l.UndoID, l.Force, l.PreviewedAt
}
