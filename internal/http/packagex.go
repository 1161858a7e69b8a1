package http

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect/native"
	"github.com/intake/intake/internal/dialect/packagex"
	"github.com/intake/intake/internal/imports"
)

// registerPackageX serves PackageX's imports: POST /v1/imports (a plain
// handler: it streams data like POST /api/v1/imports), PUT
// /v1/imports/uploads/{token} for an async import's file, and GET
// /v1/imports/{id}.
func (s *Server) registerPackageX() {
	tags := []string{"PackageX"}
	op := s.idempotent(huma.Operation{
		OperationID: "packagex-create-import", Method: http.MethodPost, Path: "/v1/imports",
		Summary: "PackageX: create an import", Tags: tags, Security: secured(intake.ScopeImports),
		Description: "Key: PX-API-KEY header. JSON body: upload_mode sync (data required: a base64 data URI of a CSV or " +
			"XLSX file, or an array of objects) or async (data null; the answer's upload.url takes the file by PUT), action " +
			"merge|overwrite|delete (required), resource contact|group|item|asset, duplicate_handling ignore_all (default)|" +
			"use_first, column_mapping {field: header} with unique headers, name (3–127 characters), save_upload (false " +
			"deletes the file when a sync job ends). Answers 201 {data: the job, message}.",
		Responses: map[string]*huma.Response{"201": {Description: "The job (sync: finished), or the upload target (async)."},
			"422": {Description: "A bad option, data or file."}},
	})
	s.api.OpenAPI().AddOperation(&op)
	s.api.OpenAPI().AddOperation(&huma.Operation{
		OperationID: "packagex-upload", Method: http.MethodPut, Path: "/v1/imports/uploads/{token}",
		Summary: "PackageX: upload an async import's file", Tags: tags, Security: secured(intake.ScopeImports),
		Description: "The body is the file. The import then proceeds as a job; answers 201 {data: the job}. A token of another tenant, or used already → 404.",
	})
	huma.Register(s.api, huma.Operation{
		OperationID: "packagex-get-import", Method: http.MethodGet, Path: "/v1/imports/{id}",
		Summary: "PackageX: get an import", Tags: tags, Security: secured(intake.ScopeImports),
	}, func(ctx context.Context, in *importIDInput) (*struct{ Body packagex.Response }, error) {
		im, err := s.Imports.Get(ctx, tenant(ctx), in.ID)
		if err == nil {
			var v native.ImportView
			if v, err = s.view(ctx, im); err == nil {
				return &struct{ Body packagex.Response }{Body: packagex.Response{Data: &v, Message: "Import " + string(im.Status) + "."}}, nil
			}
		}
		return nil, s.problem(ctx, err)
	})
}

// receivePackageX reads a PackageX create body: JSON only, and the seed's
// fetch example sets no Content-Type (curl -d sets a form's), so such a
// body is read as JSON.
func receivePackageX(s *Server, w http.ResponseWriter, r *http.Request, tenantID int64) (received, error) {
	if ct := r.Header.Get("Content-Type"); ct == "" || strings.HasPrefix(ct, "text/plain") || strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		r.Header.Set("Content-Type", "application/json")
	}
	return receiveAny(s, w, r, tenantID)
}

// receivePackageXUpload reads an async import's file (the body) and the
// options held under the token the path names (404 when the tenant holds
// none: another tenant's, or used already).
func receivePackageXUpload(s *Server, w http.ResponseWriter, r *http.Request, tenantID int64) (received, error) {
	ctx := r.Context()
	held, err := s.Imports.Claim(ctx, tenantID, r.PathValue("token"))
	if err != nil {
		return received{}, err
	}
	var in received
	if err := json.Unmarshal(held, &in.params); err != nil {
		return received{}, fmt.Errorf("held options: %w", err)
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.Imports.MaxUploadBytes+1)
	body := &readErr{r: r.Body}
	if in.upload, err = s.Imports.Save(ctx, tenantID, body, "upload", ""); err != nil {
		return in, bodyError(body.err, err)
	}
	return in, nil
}

// answerPackageX answers 201 {data: the job, message}, or for an async
// import the upload target its file goes to.
func answerPackageX(s *Server, w http.ResponseWriter, r *http.Request, c imports.Created) error {
	if c.Token != "" {
		writeJSON(w, http.StatusCreated, packagex.Response{
			Upload:  &packagex.UploadTarget{URL: "/v1/imports/uploads/" + c.Token, Method: http.MethodPut},
			Message: "PUT the file to upload.url (same key); the import then proceeds.",
		})
		return nil
	}
	v, err := s.view(r.Context(), c.Import)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/v1/imports/%d", c.Import.ID))
	writeJSON(w, http.StatusCreated, packagex.Response{Data: &v, Message: "Import " + string(c.Import.Status) + "."})
	return nil
}
