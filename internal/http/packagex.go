package http

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
	"github.com/intake/intake/internal/dialect/native"
	"github.com/intake/intake/internal/dialect/packagex"
	"github.com/intake/intake/internal/imports"
)

// registerPackageX serves PackageX's imports: POST /v1/imports (a plain
// handler: it streams data like POST /api/v1/imports), PUT
// /v1/imports/uploads/{token} for an async import's file, and GET
// /v1/imports/{id}.
func (s *Server) registerPackageX() {
	s.mux.HandleFunc("POST /v1/imports", s.packageXCreate)
	s.mux.HandleFunc("PUT /v1/imports/uploads/{token}", s.packageXUpload)
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

func (s *Server) packageXCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.admit(w, r, intake.ScopeImports, s.writeProblem)
	if !ok {
		return
	}
	if ct := r.Header.Get("Content-Type"); ct == "" || strings.HasPrefix(ct, "text/plain") || strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		// PackageX takes JSON only, and the seed's fetch example sets no
		// Content-Type (curl -d sets a form's): the body is JSON.
		r.Header.Set("Content-Type", "application/json")
	}
	params, up, err := s.receive(w, r, p.Tenant.ID)
	var req packagex.Request
	if err == nil {
		req, err = s.translatePackageX(ctx, p.Tenant.ID, params, up.Key != "")
	}
	if err == nil && req.Async {
		s.packageXHold(w, r, p, params, req)
		return
	}
	s.packageXJob(w, r, p, up, req, err)
}

func (s *Server) translatePackageX(ctx context.Context, tenantID int64, params dialect.Params, hasData bool) (packagex.Request, error) {
	reg, err := s.Imports.Registry(ctx, tenantID)
	if err != nil {
		return packagex.Request{}, err
	}
	return packagex.Translate(params, hasData, reg)
}

// packageXHold keeps an async import's options until its file arrives
// (checked now, so a bad option is a 422 before any upload).
func (s *Server) packageXHold(w http.ResponseWriter, r *http.Request, p intake.Principal, params dialect.Params, req packagex.Request) {
	if err := authorizeImport(p, req.Spec); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	raw, _ := json.Marshal(params)
	token, err := s.Imports.Hold(r.Context(), p.Tenant.ID, raw)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, packagex.Response{
		Upload:  &packagex.UploadTarget{URL: "/v1/imports/uploads/" + token, Method: http.MethodPut},
		Message: "PUT the file to upload.url (same key); the import then proceeds.",
	})
}

// packageXUpload takes an async import's file and makes its job.
func (s *Server) packageXUpload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.admit(w, r, intake.ScopeImports, s.writeProblem)
	if !ok {
		return
	}
	held, err := s.Imports.Claim(ctx, p.Tenant.ID, r.PathValue("token"))
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	var params dialect.Params
	if err := json.Unmarshal(held, &params); err != nil {
		s.writeProblem(w, r, fmt.Errorf("held options: %w", err))
		return
	}
	limit := s.Imports.MaxUploadBytes
	r.Body = http.MaxBytesReader(w, r.Body, limit+1)
	body := &readErr{r: r.Body}
	up, err := s.Imports.Save(ctx, p.Tenant.ID, body, "upload", "")
	if err != nil {
		err = bodyError(body.err, err)
	}
	var req packagex.Request
	if err == nil {
		// The file is here now: the options are those of an import with
		// data, run on the queue (async) rather than in this request.
		params = slices.DeleteFunc(params, func(x dialect.Param) bool { return x.Key == "upload_mode" })
		req, err = s.translatePackageX(ctx, p.Tenant.ID, params, true)
	}
	req.Sync = false // async: the job runs on the queue
	s.packageXJob(w, r, p, up, req, err)
}

// packageXJob makes the job and answers with it; a sync job's file is
// deleted when it has ended and save_upload is false.
func (s *Server) packageXJob(w http.ResponseWriter, r *http.Request, p intake.Principal, up imports.Upload, req packagex.Request, err error) {
	ctx := r.Context()
	if err == nil && up.Key == "" {
		err = intake.Invalid("data is required when upload_mode is sync.", intake.FieldError{Field: "data", Message: "data is required when upload_mode is sync."})
	}
	im, err := s.createJob(ctx, p, up, req.ImportRequest, err)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if !req.SaveUpload && im.Status.Final() {
		s.Imports.Discard(ctx, up)
	}
	v, err := s.view(ctx, im)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/v1/imports/%d", im.ID))
	writeJSON(w, http.StatusCreated, packagex.Response{Data: &v, Message: "Import " + string(im.Status) + "."})
}
