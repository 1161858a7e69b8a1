package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"strconv"
	"text/tabwriter"
	"time"
)

// importsCmd is `intake imports list|show ID|cancel ID`: a server's import
// jobs, through its API.
type importsCmd struct {
	server, key string
	limit       int
	verb        string
	id          int64
}

func (c *importsCmd) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.server, "server", envOr("INTAKE_SERVER", "http://localhost:8080"), "the server's base URL"+envNote("INTAKE_SERVER"))
	fs.StringVar(&c.key, "key", envOr("INTAKE_KEY", ""), "API key with the imports scope"+envNote("INTAKE_KEY"))
	fs.IntVar(&c.limit, "limit", 20, "list: how many jobs, newest first (1–100)")
}

func (c *importsCmd) args(pos []string) error {
	if len(pos) == 0 {
		return errors.New("usage: intake imports list | show ID | cancel ID (intake imports --help lists the flags)")
	}
	c.verb = pos[0]
	switch {
	case c.verb == "list" && len(pos) == 1:
	case (c.verb == "show" || c.verb == "cancel") && len(pos) == 2:
		id, err := strconv.ParseInt(pos[1], 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("import id %q: want a number such as 3 (see intake imports list)", pos[1])
		}
		c.id = id
	default:
		return errors.New("usage: intake imports list | show ID | cancel ID (intake imports --help lists the flags)")
	}
	if c.key == "" {
		return errors.New("--key (or INTAKE_KEY) is required: an API key with the imports scope")
	}
	if c.limit < 1 || c.limit > 100 {
		return errors.New("--limit: want 1 to 100")
	}
	return nil
}

func (c *importsCmd) run(ctx context.Context, m *Main) error {
	api := newAPIClient(c.server, c.key)
	switch c.verb {
	case "list":
		var list struct{ Data []jobView }
		if err := api.do(ctx, http.MethodGet, fmt.Sprintf("/api/v1/imports?limit=%d", c.limit), "", nil, &list); err != nil {
			return err
		}
		tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATUS\tFILE\tROWS\tCREATED\tUPDATED\tSKIPPED\tFAILED\tUPLOADED")
		for _, j := range list.Data {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", j.ID, j.Status, j.FileName, j.TotalRows, j.Created, j.Updated,
				j.Skipped, j.FailedRows, j.CreatedAt.Format(time.RFC3339))
		}
		return tw.Flush()
	case "show":
		j, err := api.job(ctx, c.id)
		if err != nil {
			return err
		}
		printSummary(m.Stdout, j)
		for _, e := range j.Errors {
			fmt.Fprintf(m.Stdout, "row %d, %s: %s\n", e.Row, e.Column, e.Message)
		}
		return nil
	}
	j, err := api.cancel(ctx, c.id)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "import %d: %s\n", j.ID, j.Status)
	return nil
}
