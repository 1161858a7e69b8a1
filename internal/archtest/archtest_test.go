package archtest

import (
	"bytes"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/intake/intake"

// layers ranks every package of the module: a package imports only
// packages of a lower rank, never one of its own rank or above, so arrows
// point one way (down) and no cycle of intent hides behind the compiler's
// ban on cycles. A new package must be given a rank here.
//
//	0  the domain (root intake) and packages that know nothing of ours
//	1  contracts and readers: the store contract, file readers, the dialect
//	   seam, metrics
//	2  the pipeline and the shared SQL: importer, sqlstore, the store suite,
//	   the job queue (which knows the store contract, not a database)
//	3  what implements or uses them: the two backends, the services, the
//	   dialects
//	4  what builds on those: dialects built on native, the webhook service
//	   (it follows imports), test databases
//	5  transport (http)
//	6  the program (cmd/intake)
var layers = map[string]int{
	"":                            0,
	"internal/notify":             0,
	"internal/web":                0,
	"internal/store":              1,
	"internal/source":             1,
	"internal/dialect":            1,
	"internal/metrics":            1,
	"internal/importer":           2,
	"internal/sqlstore":           2,
	"internal/store/storetest":    2,
	"internal/jobs":               2,
	"internal/sqlite":             3,
	"internal/postgres":           3,
	"internal/directory":          3,
	"internal/selection":          3,
	"internal/imports":            3,
	"internal/dialect/native":     3,
	"internal/dialect/copernica":  3,
	"internal/dialect/textus":     3,
	"internal/dialect/plandocket": 3,
	"internal/dialect/packagex":   4,
	"internal/dialect/plannr":     4,
	"internal/webhook":            4,
	"internal/testdb":             4,
	"internal/archtest":           0,
	"internal/apitest":            0,
	"internal/http":               5,
	"cmd/intake":                  6,
	"bench/harness":               6, // drives a built binary over HTTP; imports none of the module
}

// forbidden are edges the ranks would allow but the design does not: the
// reasons are the rules of docs/architecture.md.
var forbidden = []struct{ from, to, why string }{
	{"internal/importer", "internal/http", "the pipeline knows no transport"},
	{"internal/importer", "internal/imports", "the pipeline is the service's, not the reverse"},
	{"internal/importer", "internal/dialect", "the pipeline knows no vendor's names"},
	{"internal/store", "internal/sqlstore", "the contract knows no SQL"},
	{"internal/sqlstore", "internal/sqlite", "the shared SQL knows no backend"},
	{"internal/sqlstore", "internal/postgres", "the shared SQL knows no backend"},
	{"internal/dialect", "internal/store", "a dialect never reaches into the store"},
	{"internal/dialect", "internal/sqlstore", "a dialect never reaches into SQL"},
	{"internal/dialect", "internal/imports", "a dialect translates; the service runs"},
	{"internal/jobs", "internal/sqlite", "the queue knows River, not a database"},
	{"internal/jobs", "internal/postgres", "the queue knows River, not a database"},
	{"internal/imports", "internal/sqlite", "services take the store contract"},
	{"internal/imports", "internal/postgres", "services take the store contract"},
	{"internal/http", "internal/sqlite", "transport takes the store contract"},
	{"internal/http", "internal/postgres", "transport takes the store contract"},
	{"internal/http", "internal/sqlstore", "transport holds no SQL"},
}

// graph is each package of the module (relative path, "" for the root)
// with the module packages it imports, from go list (test files left out:
// tests may reach across layers to set up).
func graph(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	g := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := rel(fields[0])
		g[pkg] = []string{}
		for _, imp := range fields[1:] {
			if imp == module || strings.HasPrefix(imp, module+"/") {
				g[pkg] = append(g[pkg], rel(imp))
			}
		}
	}
	return g
}

func rel(path string) string {
	return strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
}

func name(pkg string) string {
	if pkg == "" {
		return "intake"
	}
	return pkg
}

// TestImportGraph checks that no package imports upward (layers) or
// along a forbidden edge, and logs the graph, one line per package with its
// rank (go test -v -run TestImportGraph ./internal/archtest prints it).
func TestImportGraph(t *testing.T) {
	g := graph(t)
	if len(g) < 20 {
		t.Fatalf("go list found %d packages, want the module's (>= 20)", len(g))
	}
	for _, p := range sorted(g) {
		names := make([]string, len(g[p]))
		for i, imp := range g[p] {
			names[i] = name(imp)
		}
		t.Logf("%d %s -> %s", layers[p], name(p), strings.Join(names, " "))
	}
	for _, v := range violations(g) {
		t.Error(v)
	}
}

func sorted(g map[string][]string) []string {
	pkgs := make([]string, 0, len(g))
	for p := range g {
		pkgs = append(pkgs, p)
	}
	slices.Sort(pkgs)
	return pkgs
}

// violations lists every package without a layer, every upward import
// and every forbidden edge of g.
func violations(g map[string][]string) []string {
	var out []string
	for _, p := range sorted(g) {
		rank, ok := layers[p]
		if !ok {
			out = append(out, fmt.Sprintf("package %s has no layer: give it a rank in layers", name(p)))
			continue
		}
		for _, imp := range g[p] {
			if r, ok := layers[imp]; ok && r >= rank {
				out = append(out, fmt.Sprintf("%s (layer %d) imports %s (layer %d): imports point down only", name(p), rank, name(imp), r))
			}
			for _, f := range forbidden {
				if under(p, f.from) && under(imp, f.to) {
					out = append(out, fmt.Sprintf("%s imports %s: %s", name(p), name(imp), f.why))
				}
			}
		}
	}
	return out
}

// under reports whether pkg is prefix or a package below it.
func under(pkg, prefix string) bool {
	return pkg == prefix || strings.HasPrefix(pkg, prefix+"/")
}

// TestViolationsAreSeen makes sure the check can fail: upward imports,
// forbidden edges within the ranks, and a package with no layer.
func TestViolationsAreSeen(t *testing.T) {
	g := map[string][]string{
		"internal/importer":       {"", "internal/store", "internal/http"},
		"internal/dialect/native": {"internal/importer", "internal/store"},
		"internal/store":          {"internal/sqlstore"},
		"internal/newthing":       {},
		"internal/sqlite":         {"internal/sqlstore"},
	}
	got := strings.Join(violations(g), "\n")
	for _, want := range []string{
		"internal/importer (layer 2) imports internal/http (layer 5)",
		"internal/importer imports internal/http: the pipeline knows no transport",
		"internal/dialect/native imports internal/store: a dialect never reaches into the store",
		"internal/store (layer 1) imports internal/sqlstore (layer 2)",
		"package internal/newthing has no layer",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("violations do not say %q; they are:\n%s", want, got)
		}
	}
	if strings.Contains(got, "internal/sqlite") {
		t.Errorf("a backend importing the shared SQL is reported:\n%s", got)
	}
}
