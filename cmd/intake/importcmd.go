package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// importCmd is `intake import FILE`: upload a file, follow the job with a
// progress bar, print a summary, save the rows that were not written as
// FILE.errors.csv. Exit 0: every row in; 1: some rows failed (or the job
// did not complete); 2: the file or the options are unusable.
type importCmd struct {
	file       string
	server     string
	key        string
	tenant     string
	opts       map[string]string
	mapping    map[string]string
	errorsFile string
	progress   string
	every      time.Duration
}

// importOptions are the native option flags sent as they are (DESIGN §3).
var importOptions = []struct{ flag, field, usage string }{
	{"mode", "mode", "create, update, upsert, ignore_or_add, delete or validate (a dry run that writes nothing) (default upsert)"},
	{"match-fields", "match_fields", "comma list of the fields that find an existing record (default email)"},
	{"duplicates", "duplicates", "rows of the file with the same match key: use_first, use_last, ignore_all or error (default use_last)"},
	{"resource", "resource", "contacts, participants, groups or collection:NAME (default contacts)"},
	{"event-key", "event_key", "participants: the event's key"},
	{"create-contacts", "create_contacts", "participants: create the contacts that do not exist, true or false (default true)"},
	{"sheet", "sheet", "XLSX: the sheet's name or 1-based number (default the first with rows)"},
	{"header-row", "header_row", "the header's 1-based row number (default detected)"},
	{"ignore-empty-fields", "ignore_empty_fields", "true: empty cells keep stored values; false: they clear them (default true)"},
	{"skip-on-error", "skip_on_error", "true: bad rows are skipped and the rest written; false: all or nothing (default true)"},
	{"invalid-fields", "invalid_fields", "skip_field or skip_row (default skip_field)"},
	{"format", "format", "csv, tsv, xlsx, json or vcard (default detected)"},
	{"delimiter", "delimiter", "CSV: one character (default detected)"},
	{"encoding", "encoding", "utf-8, windows-1252, … (default detected)"},
	{"name", "name", "a name for the job (default the file's)"},
}

func (c *importCmd) flags(fs *flag.FlagSet) {
	c.opts, c.mapping = map[string]string{}, map[string]string{}
	fs.StringVar(&c.server, "server", envOr("INTAKE_SERVER", ""), "import through this server's API, e.g. http://localhost:8080 (default: the local database, --database-url)"+envNote("INTAKE_SERVER"))
	fs.StringVar(&c.key, "key", envOr("INTAKE_KEY", ""), "API key for --server"+envNote("INTAKE_KEY"))
	fs.StringVar(&c.tenant, "tenant", envOr("INTAKE_TENANT", "local"), "tenant to import into on the local database"+envNote("INTAKE_TENANT"))
	for _, o := range importOptions {
		fs.Func(o.flag, o.usage, func(v string) error { c.opts[o.field] = v; return nil })
	}
	fs.Func("mapping", "'Column header=field', repeatable (E-mail=email); a column mapped to \"\" is left out (default suggested from the headers)", func(v string) error {
		i := strings.LastIndex(v, "=")
		if i < 0 {
			return fmt.Errorf("mapping %q: want 'Column header=field'", v)
		}
		c.mapping[v[:i]] = v[i+1:]
		return nil
	})
	fs.StringVar(&c.errorsFile, "errors-file", "", "where the rows not written go, as CSV (default FILE.errors.csv)")
	fs.StringVar(&c.progress, "progress", envOr("INTAKE_PROGRESS", "auto"), "bar, lines (plain, for logs), none, or auto: a bar on a terminal, lines otherwise"+envNote("INTAKE_PROGRESS"))
	fs.DurationVar(&c.every, "progress-every", envDuration("INTAKE_PROGRESS_EVERY", 2*time.Second), "with lines: print one this often"+envNote("INTAKE_PROGRESS_EVERY"))
}

func (c *importCmd) args(pos []string) error {
	if len(pos) != 1 {
		return errors.New("usage: intake import FILE [flags] (intake import --help lists the flags)")
	}
	c.file = pos[0]
	if c.errorsFile == "" {
		c.errorsFile = c.file + ".errors.csv"
	}
	switch c.progress {
	case "auto", "bar", "lines", "none":
	default:
		return fmt.Errorf("progress %q: want auto, bar, lines or none", c.progress)
	}
	if c.server != "" && c.key == "" {
		return errors.New("--server needs --key (or INTAKE_KEY)")
	}
	return nil
}

// fields are the upload's option fields: only what was given, so the
// server's defaults apply to the rest.
func (c *importCmd) fields() [][2]string {
	var out [][2]string
	for _, o := range importOptions {
		if v, ok := c.opts[o.field]; ok {
			out = append(out, [2]string{o.field, v})
		}
	}
	if len(c.mapping) > 0 {
		b, _ := json.Marshal(c.mapping)
		out = append(out, [2]string{"mapping", string(b)})
	}
	return out
}

func (c *importCmd) run(ctx context.Context, m *Main) error {
	if fi, err := os.Stat(c.file); err != nil || fi.IsDir() {
		return unusable("%s: not a file that can be read", c.file)
	}
	api := newAPIClient(c.server, c.key)
	if c.server == "" {
		local, err := m.startLocal(ctx, c.tenant)
		if err != nil {
			return err
		}
		defer local.stop()
		api = local.client
	}
	job, err := api.upload(ctx, c.file, c.fields())
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && ae.status >= 400 && ae.status < 500 {
			return unusable("%s: %s", c.file, ae.detail)
		}
		return err
	}
	if job.Status == "awaiting_mapping" {
		api.cancel(context.WithoutCancel(ctx), job.ID)
		return unusable("%s: %s", c.file, strings.Join(job.Warnings, " ")+" Map columns with --mapping 'Header=field'.")
	}
	job, err = c.follow(ctx, m, api, job)
	if err != nil {
		return err
	}
	return c.report(ctx, m, api, job)
}

// follow polls the job until it ends, showing its progress; an interrupt
// cancels the job (what earlier chunks wrote stays).
func (c *importCmd) follow(ctx context.Context, m *Main, api *apiClient, job jobView) (jobView, error) {
	p := newProgress(c.progress, m.Stderr, c.every)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for !job.final() {
		p.update(job)
		select {
		case <-ctx.Done():
			p.finish(job)
			fmt.Fprintf(m.Stderr, "intake: interrupted; cancelling import %d\n", job.ID)
			if j, err := api.cancel(context.WithoutCancel(ctx), job.ID); err == nil {
				return j, nil
			}
			return job, ctx.Err()
		case <-tick.C:
		}
		j, err := api.job(ctx, job.ID)
		if err != nil && ctx.Err() == nil {
			return job, err
		}
		if err == nil {
			job = j
		}
	}
	p.update(job)
	p.finish(job)
	return job, nil
}

// report prints the summary table, saves the error report and answers the
// exit status.
func (c *importCmd) report(ctx context.Context, m *Main, api *apiClient, job jobView) error {
	printSummary(m.Stdout, job)
	if job.HasErrors && job.FailedRows+job.Skipped > 0 {
		if err := api.saveErrors(context.WithoutCancel(ctx), job, c.errorsFile); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "rows not written: %s\n", c.errorsFile)
	}
	switch {
	case job.Status != "completed":
		return &exitError{code: 1, err: fmt.Errorf("import %d %s %s", job.ID, job.Status, job.Error)}
	case job.FailedRows > 0:
		return &exitError{code: 1, err: fmt.Errorf("%s rows failed; fix them in %s and import it again", thousands(job.FailedRows), c.errorsFile)}
	}
	return nil
}

// printSummary prints a job's counts as a table.
func printSummary(w interface{ Write([]byte) (int, error) }, j jobView) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	took := time.Duration(0)
	if j.StartedAt != nil && j.FinishedAt != nil {
		took = j.FinishedAt.Sub(*j.StartedAt)
	}
	rate := "-"
	if took > 0 {
		rate = thousands(int(float64(j.ProcessedRows) / took.Seconds()))
	}
	fmt.Fprintf(tw, "import\t%d\t\n", j.ID)
	fmt.Fprintf(tw, "status\t%s\t\n", j.Status)
	for _, r := range []struct {
		k string
		v int
	}{{"rows", j.TotalRows}, {"created", j.Created}, {"updated", j.Updated}, {"deleted", j.Deleted},
		{"skipped", j.Skipped}, {"failed", j.FailedRows}, {"written in part", j.PartialRows}} {
		fmt.Fprintf(tw, "%s\t%s\t\n", r.k, thousands(r.v))
	}
	fmt.Fprintf(tw, "took\t%s\t\n", took.Round(time.Millisecond))
	fmt.Fprintf(tw, "rows/s\t%s\t\n", rate)
	tw.Flush()
}
