package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// serveFlag is one flag of intake serve as its --help prints it.
type serveFlag struct{ name, env, def string }

var (
	flagLine   = regexp.MustCompile(`^  -([a-z0-9-]+)`)
	envPart    = regexp.MustCompile(`\(env (INTAKE_[A-Z0-9_]+)\)`)
	defaultArg = regexp.MustCompile(`\(default "?([^")]*)"?\)$`)
)

// serveFlags reads intake serve --help: every flag, its environment
// variable and its default.
func serveFlags(t *testing.T) []serveFlag {
	t.Helper()
	var help bytes.Buffer
	NewMain(io.Discard, &help).ParseFlags([]string{"serve", "--help"})
	var out []serveFlag
	lines := strings.Split(help.String(), "\n")
	for i, l := range lines {
		m := flagLine.FindStringSubmatch(l)
		if m == nil || i+1 >= len(lines) {
			continue
		}
		f := serveFlag{name: m[1]}
		if e := envPart.FindStringSubmatch(lines[i+1]); e != nil {
			f.env = e[1]
		}
		if d := defaultArg.FindStringSubmatch(strings.TrimSpace(lines[i+1])); d != nil {
			f.def = d[1]
		}
		out = append(out, f)
	}
	if len(out) < 20 {
		t.Fatalf("intake serve --help lists %d flags:\n%s", len(out), help.String())
	}
	return out
}

// shortDefault writes a default as the page does: 72h, not 72h0m0s.
func shortDefault(d string) string {
	if strings.HasSuffix(d, "m0s") {
		d = strings.TrimSuffix(d, "0s")
	}
	if strings.HasSuffix(d, "h0m") {
		d = strings.TrimSuffix(d, "0m")
	}
	return d
}

// TestLimitsDocListsEveryFlag keeps docs/limits.md in step with intake
// serve's flags: each flag and its environment variable appear in the page,
// and a flag's table row gives its default. A new flag fails it until the
// page says what it bounds (or that it bounds nothing).
func TestLimitsDocListsEveryFlag(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "limits.md"))
	if err != nil {
		t.Fatal(err)
	}
	flags := serveFlags(t)
	// Defaults as built, not as this environment overrides them.
	for _, f := range flags {
		if f.env != "" {
			t.Setenv(f.env, "")
		}
	}
	flags = serveFlags(t)
	page := string(doc)
	for _, f := range flags {
		if !strings.Contains(page, "`--"+f.name+"`") {
			t.Errorf("docs/limits.md does not list --%s", f.name)
			continue
		}
		if f.env != "" && !strings.Contains(page, "`"+f.env+"`") {
			t.Errorf("docs/limits.md does not name --%s's variable %s", f.name, f.env)
		}
		for _, row := range strings.Split(page, "\n") {
			if strings.HasPrefix(row, "| `--"+f.name+"`") && f.def != "" && !strings.Contains(row, "`"+shortDefault(f.def)+"`") {
				t.Errorf("docs/limits.md's row of --%s does not give its default %s", f.name, shortDefault(f.def))
			}
		}
	}
}
