package imports

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
)

// Input is a create request as every dialect's route hands it over: the
// options and the upload as received, and the dialect's translation.
type Input struct {
	Params dialect.Params
	// Upload is the stored file; Key "" when the request carried none.
	Upload Upload
	// FileProblem is what was wrong with the file, for a dialect that
	// answers it after its options (see dialect.Request).
	FileProblem error
	// Translate is the dialect's translation.
	Translate dialect.Translate
	// Admit decides whether the caller may import what the translation
	// asks for (the scopes a participants import needs); nil admits all.
	Admit func(intake.ImportSpec) error
}

// Created is what Create made: a job, or (for a translation that holds
// its options until the file arrives) the token that names them.
type Created struct {
	Import intake.Import
	// Warnings are the translation's, before the job's own.
	Warnings []string
	// Token names held options (dialect.Translation.Hold); Import is zero.
	Token string
}

// Create is the one create path of every file dialect: it reads the
// tenant's fields once, translates the request with them, admits it, and
// makes the job of the stored upload (see createJob), or holds the options
// when the file comes later. On any error the upload is deleted: until the
// job exists the file is the request's. Errors: the translation's
// (EINVALID or the dialect's own), Admit's, createJob's.
func (s *Service) Create(ctx context.Context, tenantID int64, in Input) (Created, error) {
	c, err := s.create(ctx, tenantID, in)
	if err != nil {
		s.Discard(ctx, in.Upload)
	}
	return c, err
}

func (s *Service) create(ctx context.Context, tenantID int64, in Input) (Created, error) {
	reg, err := s.Engine.Registry(ctx, tenantID)
	if err != nil {
		return Created{}, err
	}
	tr, err := in.Translate(dialect.Request{Params: in.Params, HasFile: in.Upload.Key != "", FileProblem: in.FileProblem, Registry: reg})
	if err == nil && in.Admit != nil {
		err = in.Admit(tr.Spec)
	}
	if err == nil {
		err = s.joinLocation(ctx, tenantID, &tr)
	}
	if err != nil {
		return Created{}, err
	}
	if tr.Hold {
		raw, _ := json.Marshal(in.Params)
		token, err := s.Hold(ctx, tenantID, raw)
		return Created{Token: token}, err
	}
	up := in.Upload
	if tr.HeaderRow != nil {
		added := false
		if up, added, err = s.headerRow(ctx, up, tr); err != nil {
			return Created{}, err
		}
		if added {
			tr.Spec.RowOffset = 1
		}
	}
	im, err := s.createJob(ctx, tenantID, up, tr.ImportRequest, reg)
	if err != nil {
		return Created{}, err
	}
	if tr.DiscardWhenDone && im.Status.Final() {
		s.Discard(ctx, up)
	}
	return Created{Import: im, Warnings: tr.Warnings}, nil
}

// joinLocation resolves the translation's location id among the tenant's
// locations into the name every contact gets. Errors: EINVALID when the
// tenant has no location of that id (another tenant's included: ids are
// never confirmed across tenants).
func (s *Service) joinLocation(ctx context.Context, tenantID int64, tr *dialect.Translation) error {
	if tr.LocationID == 0 {
		return nil
	}
	ls, err := s.Store.ListLocations(ctx, tenantID, tr.LocationID-1, 1)
	if err != nil {
		return fmt.Errorf("find location %d: %w", tr.LocationID, err)
	}
	if len(ls) == 0 || ls[0].ID != tr.LocationID {
		msg := fmt.Sprintf("No location has id %d: send the id of one of your locations (GET /api/v1/locations), or null.", tr.LocationID)
		return intake.Invalid(msg, intake.FieldError{Field: "location_id", Value: fmt.Sprint(tr.LocationID), Message: msg})
	}
	tr.Spec.JoinLocation = ls[0].Name
	return nil
}

// headerRow gives a file without a header row the translation's headers
// as its first line (dialect.Translation.HeaderRow), and says whether it
// did.
func (s *Service) headerRow(ctx context.Context, up Upload, tr dialect.Translation) (Upload, bool, error) {
	first, err := s.FirstRow(ctx, up)
	if err != nil || tr.HeaderRow(first) {
		return up, false, err
	}
	up, err = s.WithHeader(ctx, up, tr.Columns.ByPosition)
	return up, err == nil, err
}
