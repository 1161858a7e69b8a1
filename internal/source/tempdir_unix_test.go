//go:build unix

package source

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestSweepTempDirs: folders of processes that are gone (and of an
// earlier process with this process's pid) are removed; live processes'
// folders and other files are kept.
func TestSweepTempDirs(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no true command:", err)
	}
	mk := func(name string) string {
		p := filepath.Join(base, name)
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "excelize-123"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gone := mk(fmt.Sprintf("intake-%d-abc123", dead.ProcessState.Pid()))
	reused := mk(fmt.Sprintf("intake-%d-0000ff", os.Getpid()))
	live := mk(fmt.Sprintf("intake-%d-abc123", os.Getppid()))
	other := mk("intake-data")
	n, err := SweepTempDirs(base)
	if err != nil || n != 2 {
		t.Fatalf("removed %d, %v; want 2", n, err)
	}
	for p, want := range map[string]bool{gone: false, reused: false, live: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}

// TestTempDirAfterKill is D2: a process killed with SIGKILL while it reads
// a workbook leaves its unzipped worksheet behind, in its own folder, and
// the next sweep removes that folder.
func TestTempDirAfterKill(t *testing.T) {
	if base := os.Getenv("INTAKE_TEMP_CHILD"); base != "" {
		tempDirChild(base)
		return
	}
	if testing.Short() {
		t.Skip("starts a process")
	}
	base := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestTempDirAfterKill$")
	cmd.Env = append(os.Environ(), "INTAKE_TEMP_CHILD="+base)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ready") {
		t.Fatalf("child said %q, %v", line, err)
	}
	dirs, _ := filepath.Glob(filepath.Join(base, fmt.Sprintf("intake-%d-*", cmd.Process.Pid)))
	if len(dirs) != 1 {
		t.Fatalf("child folders %v", dirs)
	}
	files, _ := filepath.Glob(filepath.Join(dirs[0], "excelize-*"))
	if len(files) == 0 {
		t.Fatalf("the child's reader made no excelize files in %s", dirs[0])
	}
	if n, err := SweepTempDirs(base); n != 0 || err != nil {
		t.Fatalf("a live process's folder was swept: %d, %v", n, err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if n, err := SweepTempDirs(base); n != 1 || err != nil {
		t.Fatalf("swept %d, %v; want the killed process's folder", n, err)
	}
	if _, err := os.Stat(dirs[0]); !os.IsNotExist(err) {
		t.Errorf("%s is still there: %v", dirs[0], err)
	}
}

// tempDirChild opens a workbook whose worksheet excelize unzips to a
// temporary file, says ready, and waits to be killed.
func tempDirChild(base string) {
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		panic(err)
	}
	_ = sw.SetRow("A1", []any{"Name", "Email", "Notes"})
	for i := 2; i < 8000; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i)
		_ = sw.SetRow(cell, []any{fmt.Sprintf("Person %d", i), fmt.Sprintf("p%d@example.org", i), "some notes to make the sheet larger"})
	}
	if err := sw.Flush(); err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		panic(err)
	}
	r, err := Open(&buf, Options{TempDir: base})
	if err != nil {
		panic(err)
	}
	if _, err := r.Next(); err != nil {
		panic(err)
	}
	fmt.Println("ready")
	time.Sleep(time.Hour)
}
