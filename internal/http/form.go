package http

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
	"github.com/intake/intake/internal/imports"
)

// receiveForm reads a form-encoded import body, as Copernica's PHP client
// sends it (http_build_query): source (the file's text) or location, and
// options; arrays arrive as keyFields[0]=…, keyFields[]=… and are given to
// the dialect under their bare name. The body is bounded like a JSON body.
func (s *Server) receiveForm(ctx context.Context, r *http.Request, tenantID int64, p *dialect.Params) (imports.Upload, error) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || len(raw) > maxJSONBody:
		return imports.Upload{}, intake.Errorf(intake.ETOOLARGE, "A form-encoded import body may be at most 64 MiB; upload larger files as multipart/form-data.")
	case err != nil:
		return imports.Upload{}, bodyError(err, err)
	}
	values, err := url.ParseQuery(string(raw))
	if err != nil {
		return imports.Upload{}, intake.Invalid("The form body cannot be read: " + err.Error())
	}
	var budget optionBudget
	format, source, location := "", "", ""
	for _, key := range slices.Sorted(maps.Keys(values)) { // keyFields[0] before keyFields[1]
		vs := values[key]
		name := key
		if i := strings.IndexByte(key, '['); i > 0 {
			name = key[:i] // keyFields[0], keyFields[] → keyFields
		}
		for _, v := range vs {
			switch name {
			case "source":
				source = v
				p.Add(name, "")
				continue
			case "location":
				location = v
				p.Add(name, "")
				continue
			case "format":
				format = strings.ToLower(v)
			}
			if err := budget.take(len(name) + len(v)); err != nil {
				return imports.Upload{}, err
			}
			p.Add(name, v)
		}
	}
	switch {
	case source != "":
		return s.Imports.Save(ctx, tenantID, strings.NewReader(source), "source", format)
	case location != "":
		return s.Imports.Remote(tenantID, location, format)
	}
	return imports.Upload{}, nil
}
