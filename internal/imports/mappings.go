package imports

import (
	"context"
	"log/slog"
	"maps"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/store"
)

// Learning: a person's correction of a file's mapping is remembered by
// the file's set of headers (intake.HeaderKey) and proposed when the same
// headers arrive again; a mapping saved under a name is applied when a
// request passes mapping_name. Both are kept by a store that implements
// store.Mappings (both of ours do).

// mappings is the store's learned mappings, or nil when the store keeps
// none.
func (s *Service) mappings() store.Mappings {
	m, _ := s.Store.(store.Mappings)
	return m
}

// learn completes req's columns with a saved mapping (req.MappingName) or,
// when the request maps no column itself, the tenant's remembered mapping
// of these headers. The request's own mapping wins where both name a
// header. Errors: EINVALID (no saved mapping of that name).
func (s *Service) learn(ctx context.Context, tenantID int64, headers []string, req *intake.ImportRequest) error {
	ms := s.mappings()
	if ms == nil || req.Columns.ByPosition != nil {
		return nil
	}
	var mapping map[string]string
	reason := intake.ReasonSaved
	switch {
	case req.MappingName != "":
		m, err := ms.SavedMapping(ctx, tenantID, req.MappingName)
		if intake.ErrorCode(err) == intake.ENOTFOUND {
			msg := "There is no saved mapping \"" + req.MappingName + "\" (GET /api/v1/mappings lists them)."
			return intake.Invalid(msg, intake.FieldError{Field: "mapping_name", Value: req.MappingName, Message: msg})
		}
		if err != nil {
			return err
		}
		mapping, req.LearnedFrom = m.Mapping, &intake.MappingSource{Saved: m.Name}
	case len(req.Columns.ByHeader) == 0:
		id, m, err := ms.RememberedMapping(ctx, tenantID, intake.HeaderKey(headers))
		if intake.ErrorCode(err) == intake.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		mapping, reason, req.LearnedFrom = m, intake.ReasonRemembered, &intake.MappingSource{ImportID: id}
	default:
		return nil
	}
	byHeader := maps.Clone(req.Columns.ByHeader)
	if byHeader == nil {
		byHeader = map[string]string{}
	}
	req.Learned = map[string]string{}
	for _, h := range headers {
		if f, ok := mapping[h]; ok {
			if _, given := byHeader[h]; !given {
				byHeader[h], req.Learned[h] = f, reason
			}
		}
	}
	req.Columns.ByHeader = byHeader
	return nil
}

// remember keeps the mapping a person gave a job (on upload or by PATCH)
// as the tenant's correction of its headers. A failure is logged, not
// returned: the job itself is fine.
func (s *Service) remember(ctx context.Context, im intake.Import, req intake.ImportRequest) {
	ms := s.mappings()
	if ms == nil || len(req.Columns.ByHeader) == 0 || req.LearnedFrom != nil || len(im.Headers) == 0 {
		return
	}
	if err := ms.RememberMapping(ctx, im.TenantID, intake.HeaderKey(im.Headers), im.ID, im.Spec.Mapping); err != nil {
		slog.WarnContext(ctx, "remember mapping", "import_id", im.ID, "err", err)
	}
}

// SaveMapping saves a named mapping of the tenant, its targets checked
// against the tenant's fields. Errors: EINVALID.
func (s *Service) SaveMapping(ctx context.Context, tenantID int64, m intake.SavedMapping) (intake.SavedMapping, error) {
	if err := m.Validate(); err != nil {
		return m, err
	}
	reg, err := s.Engine.Registry(ctx, tenantID)
	if err != nil {
		return m, err
	}
	clean := make(map[string]string, len(m.Mapping))
	var problems []intake.FieldError
	for h, t := range m.Mapping {
		t = strings.TrimSpace(t)
		if t == "" || strings.EqualFold(t, "ignore") {
			clean[h] = ""
			continue
		}
		f, ok := importer.Target(reg, t)
		if !ok {
			problems = append(problems, intake.FieldError{Field: "mapping." + h, Value: t, Message: "\"" + t + "\" is not a contact field (GET /api/v1/fields lists them)."})
			continue
		}
		clean[h] = f
	}
	if len(problems) > 0 {
		return m, intake.Invalid(problems[0].Message, problems...)
	}
	m.Mapping = clean
	ms := s.mappings()
	if ms == nil {
		return m, intake.Errorf(intake.EUNSUPPORTED, "This store keeps no saved mappings.")
	}
	return ms.SaveMapping(ctx, tenantID, m)
}

// SavedMappings lists the tenant's saved mappings by name.
func (s *Service) SavedMappings(ctx context.Context, tenantID int64) ([]intake.SavedMapping, error) {
	if ms := s.mappings(); ms != nil {
		return ms.SavedMappings(ctx, tenantID)
	}
	return []intake.SavedMapping{}, nil
}

// SavedMapping returns the tenant's mapping named name. Errors: ENOTFOUND.
func (s *Service) SavedMapping(ctx context.Context, tenantID int64, name string) (intake.SavedMapping, error) {
	if ms := s.mappings(); ms != nil {
		return ms.SavedMapping(ctx, tenantID, name)
	}
	return intake.SavedMapping{}, intake.Errorf(intake.ENOTFOUND, "There is no saved mapping %q.", name)
}

// DeleteMapping deletes the tenant's mapping named name. Errors: ENOTFOUND.
func (s *Service) DeleteMapping(ctx context.Context, tenantID int64, name string) error {
	if ms := s.mappings(); ms != nil {
		return ms.DeleteMapping(ctx, tenantID, name)
	}
	return intake.Errorf(intake.ENOTFOUND, "There is no saved mapping %q.", name)
}
