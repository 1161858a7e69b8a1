package source

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// headerScan is how many rows at the top of a table are looked at to find
// the header row: exporters put banners, report titles, filter summaries
// and notes above it.
const headerScan = 30

// headerLookBelow is how many rows below a candidate header are looked at
// to judge it.
const headerLookBelow = 10

// pickHeader returns the index of the header among the first rows of a
// table (see headerScore).
func pickHeader(rows [][]string, isHeader func(string) bool) int {
	h, _ := bestHeader(rows, isHeader)
	return h
}

// bestHeader scores every row as the header and returns the best one and
// its score; a table whose rows are all single cells has its first row.
func bestHeader(rows [][]string, isHeader func(string) bool) (int, float64) {
	best, bestScore := 0, -1.0
	for i := range rows {
		if s := headerScore(rows, i, isHeader); s > bestScore {
			best, bestScore = i, s
		}
	}
	return best, max(bestScore, 0)
}

// headerScore is how well rows[i] reads as the header of a table of
// people, from the row itself and the rows below it, with no list of known
// headers needed (isHeader, when given, adds evidence):
//
//   - its cells are header-like: short, not numbers, dates, emails or
//     URLs, and distinct;
//   - the rows below are as wide as it is (a banner or a title above a
//     table is narrower than the table; key-value preamble lines are too);
//   - the rows below hold data-like values (an email, digits, a long text),
//     which a second header-like row does not;
//   - its cells are names isHeader knows;
//   - it is near the top.
//
// A row of fewer than two cells scores 0 (a title or a note), and so does
// a row without a header-like cell.
func headerScore(rows [][]string, i int, isHeader func(string) bool) float64 {
	cells, width := shape(rows[i])
	if cells < 2 {
		return 0
	}
	like, known := 0, 0
	seen := map[string]bool{}
	for _, c := range rows[i] {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		k := strings.ToLower(c)
		if headerLike(c) && !seen[k] {
			like++
		}
		seen[k] = true
		if isHeader != nil && isHeader(c) {
			known++
		}
	}
	if like == 0 && known == 0 {
		return 0 // numbers, emails: data, not names
	}
	below := rows[i+1 : min(len(rows), i+1+headerLookBelow)]
	fits, data := 0, 0
	for _, r := range below {
		n, w := shape(r)
		if n >= max(2, (cells+2)/3) && w <= width+1 && w*2 > width {
			fits++
		}
		if dataLikeRow(r) {
			data++
		}
	}
	score := 2 * float64(like) / float64(cells)
	score += 3 * float64(known) / float64(cells)
	if len(below) > 0 {
		score += 2*float64(fits)/float64(len(below)) + float64(data)/float64(len(below))
	}
	score += 0.5 * min(1, float64(cells)/8)
	return score - 0.02*float64(i)
}

// shape returns the number of non-blank cells of a row and its width: the
// position of its last non-blank cell.
func shape(row []string) (cells, width int) {
	for i, c := range row {
		if strings.TrimSpace(c) != "" {
			cells++
			width = i + 1
		}
	}
	return cells, width
}

// headerLike reports whether a cell reads as a column name: short, with a
// letter, and not a number, a date, an email address or a URL.
func headerLike(c string) bool {
	if utf8.RuneCountInString(c) > 40 || strings.Contains(c, "@") || strings.Contains(c, "://") {
		return false
	}
	letters, digits := 0, 0
	for _, r := range c {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r):
			digits++
		}
	}
	return letters > 0 && digits*2 < letters
}

// dataLikeRow reports whether a row holds a data-like value: an email, a URL,
// a value with several digits (phone, date, postal code, amount), or a
// long text.
func dataLikeRow(row []string) bool {
	for _, c := range row {
		c = strings.TrimSpace(c)
		if c != "" && !headerLike(c) {
			return true
		}
	}
	return false
}

// nonEmpty counts the cells of row that are not blank.
func nonEmpty(row []string) int {
	n, _ := shape(row)
	return n
}

// tableScore is how well rows, the head of a sheet or of a JSON array,
// read as a table of people: its best header's score, more for a wider
// table and for more data rows below the header (a summary sheet has a
// few label-and-number pairs; a people sheet has columns and rows).
func tableScore(rows [][]string, isHeader func(string) bool) float64 {
	if len(rows) == 0 {
		return 0
	}
	h, score := bestHeader(rows, isHeader)
	if score == 0 {
		return 0
	}
	cells, _ := shape(rows[h])
	data := len(rows) - h - 1
	return score + min(1, float64(cells)/6) + 0.5*min(1, float64(data)/headerLookBelow)
}
