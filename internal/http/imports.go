package http

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"gocloud.dev/blob"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/jobs"
	"github.com/intake/intake/internal/source"
)

// detail is one field error of a problem document.
type detail = huma.ErrorDetail

// Limits on what an upload request may carry besides the file.
const (
	maxFieldBytes = 1 << 20  // one multipart form field
	maxJSONBody   = 64 << 20 // a JSON import body (base64 data or source inline)
)

// ImportView is an import job as the API shows it (Plannr's shape, with our
// counters): the job, its mapping, progress and the first 25 row errors.
type ImportView struct {
	intake.Import
	Mode           intake.Mode             `json:"mode"`
	MatchFields    []string                `json:"match_fields"`
	Mapping        map[string]string       `json:"mapping"`
	Progress       int                     `json:"progress" doc:"0–100"`
	HasErrors      bool                    `json:"has_errors" doc:"Some rows failed or were skipped; see errors and error_report_url."`
	Errors         []intake.ImportRowError `json:"errors"`
	ErrorReportURL string                  `json:"error_report_url"`
}

// view renders a job; withErrors loads its first 25 row errors.
func (s *Server) view(ctx context.Context, im intake.Import, withErrors bool) (ImportView, error) {
	v := ImportView{Import: im, Mode: im.Options.Mode, MatchFields: im.Options.MatchFields, Mapping: im.Options.Mapping,
		Progress: im.Progress(), HasErrors: im.FailedRows+im.Skipped > 0,
		ErrorReportURL: fmt.Sprintf("/api/v1/imports/%d/errors.csv", im.ID)}
	if v.Mapping == nil {
		v.Mapping = map[string]string{}
	}
	if v.Headers == nil {
		v.Headers = []string{}
	}
	v.Errors = []intake.ImportRowError{}
	if v.HasErrors && withErrors {
		errs, err := s.Store.ListImportErrors(ctx, im.TenantID, im.ID, 0, 25)
		if err != nil {
			return v, err
		}
		v.Errors = append(v.Errors, errs...)
	}
	return v, nil
}

// writeProblem writes a problem+json error from a raw handler, in the same
// shape huma writes them.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	var se huma.StatusError
	if !errors.As(err, &se) {
		se = s.problem(r.Context(), err).(huma.StatusError)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(se.GetStatus())
	json.NewEncoder(w).Encode(se)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// importScope: import jobs write contacts, so a key with the contacts scope
// may run them; the imports scope is accepted too.
func importScope(p intake.Principal) bool {
	return p.Has(intake.ScopeContacts) || p.Has(intake.ScopeImports)
}

// upload is a file stored in the bucket.
type upload struct {
	key, name string
	size      int64
	format    string // a hint from a data URI's media type
}

func newKey(tenantID int64) string {
	b := make([]byte, 12)
	rand.Read(b)
	return fmt.Sprintf("imports/%d/%s", tenantID, hex.EncodeToString(b))
}

// store streams r into the bucket, never holding more than a buffer of it,
// and fails with 413 past max bytes. The head is sniffed first, so a PDF
// renamed .csv is refused before anything is stored.
func (s *Server) store(ctx context.Context, tenantID int64, r io.Reader, name, declared string) (*upload, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(8 << 10)
	if len(head) == 0 {
		return nil, huma.Error422UnprocessableEntity("The file is empty.")
	}
	if _, err := source.Sniff(head, name, source.Format(declared)); err != nil {
		return nil, fileProblem(err)
	}
	up := &upload{key: newKey(tenantID), name: name}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := s.Bucket.NewWriter(wctx, up.key, &blob.WriterOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return nil, fmt.Errorf("store upload: %w", err)
	}
	n, err := io.Copy(w, io.LimitReader(br, s.MaxUploadBytes+1))
	if err == nil && n > s.MaxUploadBytes {
		err = huma.NewError(http.StatusRequestEntityTooLarge, fmt.Sprintf("The file is larger than the %d bytes allowed.", s.MaxUploadBytes))
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = huma.NewError(http.StatusRequestEntityTooLarge, fmt.Sprintf("The request is larger than the %d bytes allowed.", mbe.Limit))
	}
	if err != nil {
		cancel() // discards the partial object
		w.Close()
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("store upload: %w", err)
	}
	up.size = n
	return up, nil
}

// fileProblem turns a reader's verdict on a file into a 422.
func fileProblem(err error) error {
	var se *source.Error
	if errors.As(err, &se) {
		return huma.Error422UnprocessableEntity(se.Message, &detail{Location: "body.file", Message: se.Message})
	}
	return err
}

// receiveMultipart reads a multipart upload part by part: the file part is
// streamed to storage as it arrives; other parts are options.
func (s *Server) receiveMultipart(ctx context.Context, r *http.Request, tenantID int64, p *importParams) (*upload, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, huma.Error400BadRequest("The multipart body cannot be read: " + err.Error())
	}
	var up *upload
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return up, huma.NewError(http.StatusRequestEntityTooLarge, fmt.Sprintf("The request is larger than the %d bytes allowed.", mbe.Limit))
			}
			return up, huma.Error400BadRequest("The multipart body is malformed: " + err.Error())
		}
		name := part.FormName()
		if name == "file" || part.FileName() != "" {
			if up != nil {
				return up, huma.Error422UnprocessableEntity("Send one file per import.")
			}
			if up, err = s.store(ctx, tenantID, part, part.FileName(), p.Format); err != nil {
				return nil, err
			}
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
		if err != nil {
			return up, huma.Error400BadRequest("The multipart body is malformed: " + err.Error())
		}
		if len(v) > maxFieldBytes {
			return up, huma.NewError(http.StatusRequestEntityTooLarge, fmt.Sprintf("Field %q is larger than 1 MiB.", name))
		}
		p.set(name, string(v))
	}
	return up, nil
}

// receiveJSON reads the JSON dialects: PackageX's data URI, Copernica's
// source (string or array) or location URL, plus options.
func (s *Server) receiveJSON(ctx context.Context, r *http.Request, tenantID int64, p *importParams) (*upload, error) {
	var body map[string]json.RawMessage
	dec := json.NewDecoder(io.LimitReader(r.Body, maxJSONBody+1))
	if err := dec.Decode(&body); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) || errors.Is(err, io.ErrUnexpectedEOF) && r.ContentLength > maxJSONBody {
			return nil, huma.NewError(http.StatusRequestEntityTooLarge, "A JSON import body may be at most 64 MiB; upload larger files as multipart/form-data.")
		}
		return nil, huma.Error400BadRequest("The body is not valid JSON: " + err.Error())
	}
	var data, src, location json.RawMessage
	for k, raw := range body {
		switch k {
		case "data":
			data = raw
		case "source":
			src = raw
		case "location":
			location = raw
		default:
			var str string
			if json.Unmarshal(raw, &str) == nil {
				p.set(k, str)
			} else if string(raw) != "null" {
				p.set(k, string(raw))
			} else if k == "headers" {
				p.set(k, "")
			}
		}
	}
	if _, ok := body["column_mapping"]; ok || data != nil {
		p.RequireName = true // PackageX
	}
	switch {
	case data != nil && string(data) != "null":
		var uri string
		if err := json.Unmarshal(data, &uri); err != nil {
			// PackageX also takes data as an array of objects.
			return s.store(ctx, tenantID, bytes.NewReader(data), "data.json", "json")
		}
		b, format, err := decodeDataURI(uri)
		if err != nil {
			return nil, huma.Error422UnprocessableEntity(err.Error(), &detail{Location: "body.data", Message: err.Error()})
		}
		if p.Format == "" {
			p.Format = format
		}
		return s.store(ctx, tenantID, bytes.NewReader(b), "data", p.Format)
	case src != nil && string(src) != "null":
		var str string
		if json.Unmarshal(src, &str) == nil {
			return s.store(ctx, tenantID, strings.NewReader(str), "source", p.Format)
		}
		if p.Format == "" {
			p.Format = "json"
		}
		return s.store(ctx, tenantID, bytes.NewReader(src), "source.json", "json")
	case location != nil && string(location) != "null":
		var u string
		json.Unmarshal(location, &u)
		return s.fetch(ctx, tenantID, u, p)
	}
	return nil, nil
}

// decodeDataURI decodes "data:text/csv;base64,…" and says which format its
// media type names ("" when it names none we know).
func decodeDataURI(uri string) ([]byte, string, error) {
	rest, ok := strings.CutPrefix(uri, "data:")
	if !ok {
		return nil, "", errors.New("data must be a data URI such as data:text/csv;base64,…")
	}
	meta, payload, ok := strings.Cut(rest, ",")
	if !ok {
		return nil, "", errors.New("data URI has no comma before its payload")
	}
	var b []byte
	var err error
	if strings.HasSuffix(meta, ";base64") {
		meta = strings.TrimSuffix(meta, ";base64")
		b, err = base64.StdEncoding.DecodeString(payload)
		if err != nil {
			b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(payload, "="))
		}
		if err != nil {
			return nil, "", errors.New("data URI payload is not valid base64")
		}
	} else {
		s, err := url.PathUnescape(payload)
		if err != nil {
			return nil, "", errors.New("data URI payload is not valid")
		}
		b = []byte(s)
	}
	mt, _, _ := mime.ParseMediaType(meta)
	switch mt {
	case "text/csv":
		return b, "csv", nil
	case "text/tab-separated-values":
		return b, "tsv", nil
	case "application/json":
		return b, "json", nil
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		return b, "xlsx", nil
	}
	return b, "", nil
}

// locationClient fetches location URLs. Unless LocationPrivate is set, its
// dialer refuses loopback, private, link-local and unspecified addresses
// after DNS resolution, on every connection (so redirects too), and it
// follows at most 5 redirects.
func (s *Server) locationClient() *http.Client {
	dialer := &net.Dialer{Timeout: 30 * time.Second}
	if !s.LocationPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, _ := net.SplitHostPort(address)
			ip, err := netip.ParseAddr(host)
			if err != nil {
				return fmt.Errorf("location: bad address %q", address)
			}
			ip = ip.Unmap()
			if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() || ip.IsMulticast() {
				return errors.New("location points at a private or local address, which this server does not fetch")
			}
			return nil
		}
	}
	transport := &http.Transport{DialContext: dialer.DialContext, Proxy: http.ProxyFromEnvironment, TLSHandshakeTimeout: 30 * time.Second}
	return &http.Client{Timeout: 10 * time.Minute, Transport: transport,
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			return nil
		}}
}

// fetch downloads Copernica's location URL into storage.
func (s *Server) fetch(ctx context.Context, tenantID int64, raw string, p *importParams) (*upload, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, huma.Error422UnprocessableEntity("location must be an http or https URL.", &detail{Location: "body.location", Value: raw})
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	resp, err := s.locationClient().Do(req)
	if err != nil {
		return nil, huma.Error422UnprocessableEntity("The file at location could not be fetched: "+err.Error(), &detail{Location: "body.location", Value: raw})
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, huma.Error422UnprocessableEntity(fmt.Sprintf("The file at location could not be fetched: the server answered %s.", resp.Status), &detail{Location: "body.location", Value: raw})
	}
	if resp.ContentLength > s.MaxUploadBytes {
		return nil, huma.NewError(http.StatusRequestEntityTooLarge, fmt.Sprintf("The file at location is larger than the %d bytes allowed.", s.MaxUploadBytes))
	}
	name := u.Path[strings.LastIndexByte(u.Path, '/')+1:]
	return s.store(ctx, tenantID, resp.Body, name, p.Format)
}

// createImport is POST /api/v1/imports. It is a plain handler, not a huma
// operation, because huma parses multipart forms into memory and temporary
// files; this one streams the file part straight to storage.
func (s *Server) createImport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := s.principal(ctx, r.Header.Get("Authorization"))
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="intake"`)
		s.writeProblem(w, r, huma.Error401Unauthorized(intake.ErrorMessage(err)))
		return
	}
	if !importScope(p) {
		s.writeProblem(w, r, huma.Error403Forbidden("This API key lacks the \"contacts\" scope."))
		return
	}
	limit := s.MaxUploadBytes + 4*maxFieldBytes
	if r.ContentLength > limit {
		s.writeProblem(w, r, huma.NewError(http.StatusRequestEntityTooLarge, fmt.Sprintf("The upload is %d bytes; at most %d are allowed.", r.ContentLength, s.MaxUploadBytes)))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var params importParams
	var up *upload
	switch mt {
	case "multipart/form-data":
		up, err = s.receiveMultipart(ctx, r, p.Tenant.ID, &params)
	case "application/json":
		up, err = s.receiveJSON(ctx, r, p.Tenant.ID, &params)
	default:
		err = huma.NewError(http.StatusUnsupportedMediaType, "Send multipart/form-data with a file part, or JSON with data, source or location.")
	}
	if err == nil && up == nil {
		err = huma.Error422UnprocessableEntity("File is required.", &detail{Location: "body.file", Message: "File is required."})
	}
	if err != nil {
		if up != nil {
			s.Bucket.Delete(context.WithoutCancel(ctx), up.key)
		}
		s.writeProblem(w, r, err)
		return
	}
	view, status, err := s.newImport(ctx, p.Tenant.ID, up, &params)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/imports/%d", view.ID))
	writeJSON(w, status, view)
}

// readHeader opens a stored upload to learn its header and what was detected.
func (s *Server) readHeader(ctx context.Context, im *intake.Import) error {
	rd, err := s.Bucket.NewReader(ctx, im.FileKey, nil)
	if err != nil {
		return fmt.Errorf("open upload: %w", err)
	}
	defer rd.Close()
	src, err := source.Open(rd, jobs.SourceOptions(im))
	if err != nil {
		return fileProblem(err)
	}
	defer src.Close()
	im.Headers = src.Header()
	if d, ok := src.(interface{ Info() source.Info }); ok {
		info := d.Info()
		im.Format, im.Encoding, im.Sheet = string(info.Format), info.Encoding, info.Sheet
		if info.Delimiter != 0 {
			im.Delimiter = string(info.Delimiter)
		}
	}
	return nil
}

// configure applies params to a job: options, mapping and the status they
// allow. It returns the caller's problems as a 422.
func configure(im *intake.Import, p *importParams, remap bool) error {
	o := p.options()
	if len(p.fieldErrs) > 0 {
		return huma.Error422UnprocessableEntity("The import options are not valid.", p.fieldErrs...)
	}
	o.Mapping = im.Options.Mapping
	var warnings []string
	if remap {
		var problems []string
		o.Mapping, problems, warnings = importer.ResolveMapping(im.Headers, p.Map)
		if len(problems) > 0 {
			return huma.NewError(http.StatusUnprocessableEntity, strings.Join(problems, " "), problemDetails(problems)...)
		}
	}
	o.Required = p.required(o)
	im.Options, im.Name, im.Resource = o, p.Name, p.Resource
	if p.Region != "" {
		im.Region = p.Region
	}
	missing := importer.MissingRequired(o.Mapping, o.Required)
	if len(missing) > 0 {
		msg := "Missing required headers: " + strings.Join(missing, ", ") + "."
		if p.Map.Explicit() {
			return huma.NewError(http.StatusUnprocessableEntity, msg, problemDetails([]string{msg})...)
		}
		warnings = append(warnings, msg+" Map columns to them with PATCH, then start the import.")
	}
	if remap {
		im.Warnings = warnings
	}
	switch {
	case len(missing) > 0, p.Autostart != nil && !*p.Autostart:
		im.Status = intake.StatusAwaitingMapping
	default:
		im.Status = intake.StatusQueued
	}
	return nil
}

func problemDetails(msgs []string) []error {
	out := make([]error, len(msgs))
	for i, m := range msgs {
		out[i] = &detail{Location: "body.mapping", Message: m}
	}
	return out
}

func (s *Server) newImport(ctx context.Context, tenantID int64, up *upload, p *importParams) (ImportView, int, error) {
	im := intake.Import{TenantID: tenantID, FileName: up.name, FileKey: up.key, FileSize: up.size,
		Format: p.Format, Delimiter: p.Delimiter, Encoding: p.Encoding, Sheet: p.Sheet, Region: p.Region}
	if im.Format == "" {
		im.Format = up.format
	}
	// Until the job exists, a rejected upload is deleted; after, the file
	// belongs to the job.
	discard := func(err error) (ImportView, int, error) {
		s.Bucket.Delete(context.WithoutCancel(ctx), up.key)
		return ImportView{}, 0, err
	}
	if err := s.readHeader(ctx, &im); err != nil {
		return discard(err)
	}
	if err := configure(&im, p, true); err != nil {
		return discard(err)
	}
	if err := s.Store.CreateImport(ctx, &im); err != nil {
		return discard(s.problem(ctx, err))
	}
	if im.Status == intake.StatusQueued {
		if p.UploadMode == "sync" {
			// Sync runs the job in this request and answers with its end.
			// It runs to the end even if the client goes away: a job left
			// half done with no worker behind it would never finish.
			if err := s.Runner.Run(context.WithoutCancel(ctx), tenantID, im.ID); err != nil {
				return ImportView{}, 0, s.problem(ctx, err)
			}
			done, err := s.Store.GetImport(ctx, tenantID, im.ID)
			if err != nil {
				return ImportView{}, 0, s.problem(ctx, err)
			}
			im = done
		} else if err := s.Queue.Enqueue(ctx, tenantID, im.ID); err != nil {
			return ImportView{}, 0, s.problem(ctx, err)
		}
	}
	v, err := s.view(ctx, im, true)
	if err != nil {
		return v, 0, s.problem(ctx, err)
	}
	return v, http.StatusCreated, nil
}
