package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// apiClient is the command line's client of the HTTP API: the import and
// imports commands speak to a server (or to one they boot in-process)
// exactly as any other client does.
type apiClient struct {
	base string
	key  string
	hc   *http.Client
}

func newAPIClient(base, key string) *apiClient {
	return &apiClient{base: strings.TrimRight(base, "/"), key: key, hc: &http.Client{}}
}

// jobView is the part of an import job (GET /api/v1/imports/{id}) the
// command line shows.
type jobView struct {
	ID             int64      `json:"id"`
	Status         string     `json:"status"`
	FileName       string     `json:"file_name"`
	Mode           string     `json:"mode"`
	TotalRows      int        `json:"total_rows"`
	ProcessedRows  int        `json:"processed_rows"`
	Created        int        `json:"created"`
	Updated        int        `json:"updated"`
	Deleted        int        `json:"deleted"`
	Skipped        int        `json:"skipped"`
	FailedRows     int        `json:"failed_rows"`
	PartialRows    int        `json:"partial_rows"`
	Progress       int        `json:"progress"`
	HasErrors      bool       `json:"has_errors"`
	Warnings       []string   `json:"warnings"`
	Error          string     `json:"error"`
	ErrorReportURL string     `json:"error_report_url"`
	CreatedAt      time.Time  `json:"created_at"`
	StartedAt      *time.Time `json:"started_at"`
	FinishedAt     *time.Time `json:"finished_at"`
	Errors         []struct {
		Row     int    `json:"row"`
		Column  string `json:"column"`
		Field   string `json:"field"`
		Value   string `json:"value"`
		Message string `json:"message"`
	} `json:"errors"`
}

// final reports whether the job has ended.
func (j jobView) final() bool {
	switch j.Status {
	case "completed", "failed", "cancelled", "expired":
		return true
	}
	return false
}

// apiError is a non-2xx answer: its status and the problem's words.
type apiError struct {
	status int
	detail string
}

func (e *apiError) Error() string { return e.detail }

// do sends one request and decodes a JSON answer into out (when not nil).
func (c *apiClient) do(ctx context.Context, method, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return problemOf(res)
	}
	if out == nil {
		_, err = io.Copy(io.Discard, res.Body)
		return err
	}
	if w, ok := out.(io.Writer); ok {
		_, err = io.Copy(w, res.Body)
		return err
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// problemOf reads a problem+json answer into one sentence.
func problemOf(res *http.Response) error {
	var p struct {
		Title  string `json:"title"`
		Detail string `json:"detail"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&p)
	msg := p.Detail
	if msg == "" {
		msg = p.Title
	}
	if msg == "" {
		msg = res.Status
	}
	for i, e := range p.Errors {
		if i == 3 {
			break
		}
		if e.Message != "" && e.Message != msg {
			msg += " " + e.Message
		}
	}
	return &apiError{status: res.StatusCode, detail: fmt.Sprintf("%s (HTTP %d)", msg, res.StatusCode)}
}

// upload streams path to POST /api/v1/imports as multipart/form-data with
// fields as options, and answers the job it created.
func (c *apiClient) upload(ctx context.Context, path string, fields [][2]string) (jobView, error) {
	var job jobView
	f, err := os.Open(path)
	if err != nil {
		return job, err
	}
	defer f.Close()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		for _, kv := range fields {
			if err := mw.WriteField(kv[0], kv[1]); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		part, err := mw.CreateFormFile("file", filepath.Base(path))
		if err == nil {
			_, err = io.Copy(part, f)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	err = c.do(ctx, http.MethodPost, "/api/v1/imports", mw.FormDataContentType(), pr, &job)
	pr.CloseWithError(io.ErrClosedPipe) // ends the writer if the server answered early
	return job, err
}

func (c *apiClient) job(ctx context.Context, id int64) (jobView, error) {
	var j jobView
	err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/v1/imports/%d", id), "", nil, &j)
	return j, err
}

func (c *apiClient) cancel(ctx context.Context, id int64) (jobView, error) {
	var j jobView
	err := c.do(ctx, http.MethodPost, fmt.Sprintf("/api/v1/imports/%d/cancel", id), "", nil, &j)
	return j, err
}

// saveErrors writes the job's errors.csv to path.
func (c *apiClient) saveErrors(ctx context.Context, j jobView, path string) error {
	tmp := path + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	err = c.do(ctx, http.MethodGet, j.ErrorReportURL, "", nil, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("download the error report: %w", err)
	}
	return os.Rename(tmp, path)
}
