package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// buildIntake is the binary the user runs, built once for the package's
// tests (crash_test.go's intakeBinary; TestMain removes it).
func buildIntake(t *testing.T) string { return intakeBinary(t) }

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// runBin runs the binary in dir with stdout and stderr as pipes (not a
// terminal), as a script or CI would.
func runBin(t *testing.T, bin, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "INTAKE_PROGRESS_EVERY=100ms")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

func sampleFile(t *testing.T, dir string, rows int, messy bool) string {
	t.Helper()
	var buf bytes.Buffer
	if err := writeSample(&buf, rows, messy); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "contacts.csv")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var summaryCount = regexp.MustCompile(`(?m)^\s*(rows|created|updated|skipped|failed)\s+([0-9,]+)\s*$`)

func summary(t *testing.T, stdout string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range summaryCount.FindAllStringSubmatch(stdout, -1) {
		out[m[1]] = strings.ReplaceAll(m[2], ",", "")
	}
	if len(out) != 5 {
		t.Fatalf("no summary table in:\n%s", stdout)
	}
	return out
}

func TestCommandLine(t *testing.T) {
	t.Parallel()
	bin := buildIntake(t)
	dir := t.TempDir()
	db := "--database-url=sqlite:" + filepath.Join(dir, "local.db")
	up := "--upload-dir=" + filepath.Join(dir, "uploads")

	t.Run("usage errors exit 2 with one line", func(t *testing.T) {
		for _, args := range [][]string{{"import"}, {"import", "a.csv", "--bogus"}, {"nope"}, {"imports", "show"}, {"sample", "x"}, {"import", "missing.csv", db},
			{"version", "extra"}, {"keys", "create", db}, {"keys", "revoke", db}, {"keys", "create", "--tenant", "t", "--scopes", "nope", db}} {
			r := runBin(t, bin, dir, args...)
			if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.HasPrefix(r.stderr, "intake: ") {
				t.Errorf("intake %v: exit %d, stderr %q; want 2 and one line", args, r.code, r.stderr)
			}
		}
	})
	t.Run("help lists flags with env and defaults", func(t *testing.T) {
		r := runBin(t, bin, dir, "import", "--help")
		for _, want := range []string{"-mode", "-match-fields", "-mapping", "-sheet", "-header-row", "INTAKE_SERVER", "INTAKE_DATABASE_URL", `(default "local")`} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("import --help lacks %q:\n%s", want, r.stderr)
			}
		}
		if r.code != 0 {
			t.Errorf("--help exit %d", r.code)
		}
		// Every command answers --help with its usage and flags, exit 0.
		for _, args := range [][]string{{"serve"}, {"worker"}, {"migrate"}, {"keys"}, {"keys", "create"}, {"keys", "list"},
			{"keys", "revoke"}, {"imports"}, {"sample"}, {"version"}} {
			r := runBin(t, bin, dir, append(args, "--help")...)
			if r.code != 0 || !strings.HasPrefix(r.stderr, "usage: intake "+args[0]) {
				t.Errorf("intake %v --help: exit %d, %.200q", args, r.code, r.stderr)
			}
		}
		if r := runBin(t, bin, dir, "serve", "--help"); !strings.Contains(r.stderr, "(env INTAKE_ADDR)") || !strings.Contains(r.stderr, `(default ":8080")`) {
			t.Errorf("serve --help lacks the env variable or default of --addr:\n%s", r.stderr)
		}
	})
	t.Run("version", func(t *testing.T) {
		for _, arg := range []string{"version", "--version"} {
			if r := runBin(t, bin, dir, arg); r.code != 0 || !strings.HasPrefix(r.stdout, "intake ") {
				t.Errorf("%s: %d %q", arg, r.code, r.stdout)
			}
		}
	})
	var local map[string]string
	file := sampleFile(t, dir, 1000, true)
	t.Run("messy file: lines, summary, errors file, exit 1", func(t *testing.T) {
		r := runBin(t, bin, dir, "import", file, db, up, "--mode", "upsert")
		if r.code != 1 {
			t.Fatalf("exit %d, want 1 (rows failed)\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		if strings.ContainsAny(r.stderr, "\r\x1b") || !strings.Contains(r.stderr, "import 1 ") {
			t.Fatalf("not a terminal: want plain lines, got %q", r.stderr)
		}
		local = summary(t, r.stdout)
		report, err := os.ReadFile(file + ".errors.csv")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(report)), "\n")
		if !strings.HasSuffix(lines[0], ",row,outcome,error") || strings.Count(string(report), ",failed,") != atoi(local["failed"]) {
			t.Fatalf("errors file: %d lines, %d failed, summary says %s failed", len(lines), strings.Count(string(report), ",failed,"), local["failed"])
		}
	})
	t.Run("the same file through a server: the same counts", func(t *testing.T) {
		sdb := "sqlite:" + filepath.Join(t.TempDir(), "server.db")
		base := serve(t, sdb)
		key := newKey(t, sdb, "acme", "contacts,imports")
		r := runBin(t, bin, t.TempDir(), "import", file, "--server", base, "--key", key, "--errors-file", filepath.Join(t.TempDir(), "e.csv"))
		if r.code != 1 {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if got := summary(t, r.stdout); !equalMaps(got, local) {
			t.Fatalf("server %v, local %v", got, local)
		}
		if r := runBin(t, bin, dir, "imports", "list", "--server", base, "--key", key); r.code != 0 || !strings.Contains(r.stdout, "completed") {
			t.Fatalf("imports list: %d %s %s", r.code, r.stdout, r.stderr)
		}
		if r := runBin(t, bin, dir, "imports", "show", "1", "--server", base, "--key", key); r.code != 0 || summary(t, r.stdout)["rows"] != "1000" {
			t.Fatalf("imports show: %d %s %s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("clean file exits 0 without an errors file", func(t *testing.T) {
		clean := filepath.Join(t.TempDir(), "clean.csv")
		os.WriteFile(clean, []byte("email,first_name\nzed@example.com,Zed\nyan@example.com,Yan\n"), 0o644)
		r := runBin(t, bin, dir, "import", clean, db, up)
		if r.code != 0 || summary(t, r.stdout)["created"] != "2" {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if _, err := os.Stat(clean + ".errors.csv"); err == nil {
			t.Fatal("an errors file for a clean import")
		}
	})
	t.Run("unusable files exit 2", func(t *testing.T) {
		pdf := filepath.Join(t.TempDir(), "x.pdf")
		os.WriteFile(pdf, []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), 0o644)
		unmapped := filepath.Join(t.TempDir(), "buzon.csv")
		os.WriteFile(unmapped, []byte("Buzón;Nombre\nuno@example.com;Uno\n"), 0o644)
		for _, f := range []string{pdf, unmapped} {
			if r := runBin(t, bin, dir, "import", f, db, up); r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("%s: exit %d, stderr %q", filepath.Base(f), r.code, r.stderr)
			}
		}
		if r := runBin(t, bin, dir, "import", unmapped, db, up, "--mapping", "Buzón=email", "--mapping", "Nombre=first_name"); r.code != 0 {
			t.Errorf("with --mapping: exit %d %s", r.code, r.stderr)
		}
	})
	t.Run("a terminal gets a progress bar", func(t *testing.T) {
		big := sampleFile(t, t.TempDir(), 5000, false)
		tty := t.TempDir() // its own database: the sample's customer numbers repeat the messy file's
		cmd := exec.Command(bin, "import", big, "--database-url=sqlite:"+filepath.Join(tty, "tty.db"), "--upload-dir="+filepath.Join(tty, "up"))
		cmd.Dir = dir
		f, err := pty.Start(cmd)
		if err != nil {
			t.Skipf("no pty: %v", err)
		}
		var out bytes.Buffer
		io.Copy(&out, f) // ends with EIO when the program exits
		cmd.Wait()
		f.Close()
		if cmd.ProcessState.ExitCode() != 0 || !strings.Contains(out.String(), "\r") || !strings.Contains(out.String(), "rows/s") || !strings.Contains(out.String(), "100%") {
			t.Fatalf("exit %d, output %q", cmd.ProcessState.ExitCode(), tail(out.String(), 600))
		}
	})
}

func TestProgressLines(t *testing.T) {
	now := time.Unix(0, 0)
	var buf bytes.Buffer
	p := &lineProgress{w: &buf, every: time.Second, now: func() time.Time { return now }}
	for _, rows := range []int{0, 5000, 10000, 20000} {
		now = now.Add(time.Second)
		p.update(jobView{ID: 7, Status: "running", TotalRows: 20000, ProcessedRows: rows, Progress: rows * 100 / 20000, Created: rows})
	}
	got := buf.String()
	want := "import 7 running: 20,000 of 20,000 rows (100%), 6,666 rows/s; created 20,000, updated 0, skipped 0, failed 0\n"
	if !strings.HasSuffix(got, want) || strings.ContainsAny(got, "\r\x1b") {
		t.Fatalf("got %q", got)
	}
	if !strings.Contains(got, "10,000 of 20,000 rows (50%), 5,000 rows/s, about 2s left") {
		t.Fatalf("no rate and time left in %q", got)
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
