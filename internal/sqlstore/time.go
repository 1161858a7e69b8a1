package sqlstore

import (
	"fmt"
	"time"
)

// Time is a scan destination for a stored timestamp, whichever way the
// database keeps it: INTEGER microseconds (SQLite) or timestamptz
// (PostgreSQL). It sets *t in UTC.
func Time(t *time.Time) any { return timeDest{t} }

// NullTime is Time for a column that may be NULL: it sets *t to nil then.
func NullTime(t **time.Time) any { return nullTimeDest{t} }

type timeDest struct{ t *time.Time }

func (d timeDest) Scan(v any) error {
	switch v := v.(type) {
	case int64:
		*d.t = time.UnixMicro(v).UTC()
	case time.Time:
		*d.t = v.UTC()
	default:
		return fmt.Errorf("scan timestamp: unexpected %T", v)
	}
	return nil
}

type nullTimeDest struct{ t **time.Time }

func (d nullTimeDest) Scan(v any) error {
	if v == nil {
		*d.t = nil
		return nil
	}
	var t time.Time
	if err := (timeDest{&t}).Scan(v); err != nil {
		return err
	}
	*d.t = &t
	return nil
}
