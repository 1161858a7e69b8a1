//go:build !race

package source

// raceSlowdown scales time bounds (see race_test.go).
const raceSlowdown = 1
