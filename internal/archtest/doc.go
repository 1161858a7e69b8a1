// Package archtest holds the test of Intake's import graph: which package
// may import which (archtest_test.go). It has no code of its own.
package archtest
