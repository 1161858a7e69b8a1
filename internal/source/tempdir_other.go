//go:build !unix

package source

// pidAlive cannot tell on this system: every folder is taken as in use.
func pidAlive(int) bool { return true }
