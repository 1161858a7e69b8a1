package source

import (
	"os"
	"testing"
)

// tempFilesLeft lists what the readers left in this process's temporary
// folder under base.
func tempFilesLeft(t testing.TB, base string) []os.DirEntry {
	t.Helper()
	dir, err := ProcessTempDir(base)
	if err != nil {
		t.Fatal(err)
	}
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return left
}
