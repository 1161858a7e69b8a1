package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestReadmeTour runs the README's tour as written, in an empty folder
// with a freshly built binary, on a free port instead of 8080, and checks
// every "key":value its comments promise appears in the block's output:
// so the front door cannot drift from the program.
func TestReadmeTour(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: the tour imports 100,000 rows twice")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := tourBlocks(t, string(readme))
	dir := t.TempDir()
	bin := buildIntake(t)
	port := freePort(t)
	// go build/run of ./cmd/intake use the binary built above: the tour
	// runs in an empty folder, as a fresh clone's reader would run it at
	// the repository's root.
	script := `set -u
go() { if [ "$1" = build ]; then cp "$INTAKE_BIN" ./intake; elif [ "$1 $2" = "run ./cmd/intake" ]; then shift 2; "$INTAKE_BIN" "$@"; else command go "$@"; fi; }
trap 'kill $INTAKE_PID 2>/dev/null' EXIT
`
	for i, b := range blocks {
		script += "echo '@@block " + strconv.Itoa(i) + "'\n" + strings.ReplaceAll(b, "8080", port) + "\n"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "INTAKE_BIN="+bin, "INTAKE_LOG_LEVEL=warn", "INTAKE_PROGRESS=lines")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the tour failed: %v\n%s", err, tail(string(out), 3000))
	}
	outputs := strings.Split(string(out), "@@block ")
	for i, b := range blocks {
		got := ""
		if i+1 < len(outputs) {
			got = outputs[i+1]
		}
		for _, want := range promised(b) {
			if !strings.Contains(got, want) {
				t.Errorf("block %d promises %s; it printed:\n%s", i, want, tail(got, 1500))
			}
		}
	}
	if c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second); err == nil {
		c.Close()
		t.Error("the tour left its server running")
	}
}

// tourBlocks answers the sh blocks of the README's "A 60-second tour".
func tourBlocks(t *testing.T, readme string) []string {
	start := strings.Index(readme, "## A 60-second tour")
	if start < 0 {
		t.Fatal("the README has no tour")
	}
	section := readme[start+3:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var blocks []string
	for _, part := range strings.Split(section, "```sh\n")[1:] {
		blocks = append(blocks, part[:strings.Index(part, "```")])
	}
	if len(blocks) < 3 {
		t.Fatalf("the tour has %d sh blocks", len(blocks))
	}
	return blocks
}

var promise = regexp.MustCompile(`"[a-z_]+":(-?[0-9]+|true|false|"[^"…]*")`)

// promised answers the "key":value pairs written in a block's comments.
func promised(block string) []string {
	var out []string
	for _, line := range strings.Split(block, "\n") {
		if i := strings.Index(line, "# "); i >= 0 && strings.Contains(line[i:], "{") || strings.HasPrefix(strings.TrimSpace(line), "#  ") {
			if j := strings.Index(line, "#"); j >= 0 {
				out = append(out, promise.FindAllString(line[j:], -1)...)
			}
		}
	}
	return out
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
