package source

import (
	"strings"
	"unicode"
)

// headerScan is how many rows at the top of a file are looked at to find
// the header row.
const headerScan = 12

// pickHeader returns the index of the header among the first rows of a
// file: exporters put notes (LinkedIn's "Notes:"), titles and blank rows
// above it. The first row stays the header unless it cannot be one (fewer
// than two cells, or no cell isHeader knows while a later row has some).
// A later row wins by the most cells isHeader recognises, then by being
// the first row as wide as the row below it.
func pickHeader(rows [][]string, isHeader func(string) bool) int {
	if len(rows) == 0 {
		return 0
	}
	known := func(row []string) (cells, names int) {
		for _, c := range row {
			c = strings.TrimSpace(c)
			if c == "" {
				continue
			}
			cells++
			if isHeader != nil && isHeader(c) {
				names++
			}
		}
		return cells, names
	}
	firstCells, firstNames := known(rows[0])
	if firstCells >= 2 && (firstNames > 0 || isHeader == nil) {
		return 0
	}
	best, bestNames := -1, 0
	for i, row := range rows {
		if cells, names := known(row); cells >= 2 && names > bestNames {
			best, bestNames = i, names
		}
	}
	if best >= 0 && bestNames > firstNames {
		return best
	}
	if firstCells >= 2 {
		return 0
	}
	// Nothing is recognised: the first row of two or more text cells that
	// is as wide as the next row (a title has one cell, a data row has
	// numbers or addresses).
	for i, row := range rows {
		cells, _ := known(row)
		if cells >= 2 && textRow(row) && (i+1 == len(rows) || nonEmpty(rows[i+1]) == cells) {
			return i
		}
	}
	return 0
}

// nonEmpty counts the cells of row that are not blank.
func nonEmpty(row []string) int {
	n := 0
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}

// textRow reports whether the row's cells look like names, not data: no
// digits-only cells and no email addresses.
func textRow(row []string) bool {
	for _, c := range row {
		c = strings.TrimSpace(c)
		if strings.Contains(c, "@") || (c != "" && strings.IndexFunc(c, func(r rune) bool { return !unicode.IsDigit(r) && !unicode.IsPunct(r) && !unicode.IsSpace(r) }) < 0) {
			return false
		}
	}
	return true
}
