package source

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// A process's temporary files (spooled workbooks, excelize's unzipped
// worksheets) live in a folder of its own, <base>/intake-<pid>-<random>,
// so that what a killed process left (kill -9 runs no deferred Remove)
// can be told from what live processes are using, and removed whole:
// excelize names its files excelize-*, like every other program using
// excelize does in the shared temporary folder.

// tempDirPrefix starts the name of a process's temporary folder.
const tempDirPrefix = "intake-"

var (
	tempDirsMu sync.Mutex
	tempDirs   = map[string]string{} // base → this process's folder in it
	tempToken  = func() string {
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		return hex.EncodeToString(b)
	}()
)

// ProcessTempDir returns this process's temporary folder under base (""
// is os.TempDir()), creating it on first use; before it is created, the
// folders that processes no longer running left in base are removed
// (SweepTempDirs).
func ProcessTempDir(base string) (string, error) {
	if base == "" {
		base = os.TempDir()
	}
	tempDirsMu.Lock()
	defer tempDirsMu.Unlock()
	if dir, ok := tempDirs[base]; ok {
		if _, err := os.Stat(dir); err == nil {
			return dir, nil
		}
	}
	_, _ = SweepTempDirs(base)
	dir := filepath.Join(base, fmt.Sprintf("%s%d-%s", tempDirPrefix, os.Getpid(), tempToken))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create temporary folder: %w", err)
	}
	tempDirs[base] = dir
	return dir, nil
}

// SweepTempDirs removes, under base ("" is os.TempDir()), the temporary
// folders of Intake processes that are no longer running: intake-<pid>-*
// where no process has that pid, or where it is this process's pid but
// not its folder (a restarted container's process gets the same pid). It
// returns how many folders it removed. Folders of live processes, and
// anything not named so, are left alone.
func SweepTempDirs(base string) (int, error) {
	if base == "" {
		base = os.TempDir()
	}
	entries, err := os.ReadDir(base)
	if err != nil {
		return 0, fmt.Errorf("sweep temporary folders: %w", err)
	}
	own := fmt.Sprintf("%s%d-%s", tempDirPrefix, os.Getpid(), tempToken)
	n := 0
	var errs []error
	for _, e := range entries {
		pid, ok := tempDirPID(e.Name())
		if !ok || !e.IsDir() || e.Name() == own {
			continue
		}
		if pid != os.Getpid() && pidAlive(pid) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(base, e.Name())); err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// tempDirPID reads the pid in a folder name intake-<pid>-<hex>.
func tempDirPID(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, tempDirPrefix)
	if !ok {
		return 0, false
	}
	pidText, token, ok := strings.Cut(rest, "-")
	if !ok || token == "" || strings.Trim(token, "0123456789abcdef") != "" {
		return 0, false
	}
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, true
}
