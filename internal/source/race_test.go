//go:build race

package source

// raceSlowdown scales time bounds: the race detector makes excelize's
// parsing some thirty times slower.
const raceSlowdown = 30
