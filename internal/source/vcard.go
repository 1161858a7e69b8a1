package source

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/emersion/go-vcard"
	"golang.org/x/text/encoding"
)

// vcardHeader is the columns a vCard file is read into: Intake's own field
// names, so the suggestions map them without a mapping. A card with more
// values of one kind than these hold adds columns (alternate_phones_work_2,
// …), as a JSON object adds keys: re-read Header when a row grows.
var vcardHeader = []string{
	"name", "first_name", "last_name", "company", "email",
	"alternate_emails_work", "alternate_emails_personal", "alternate_emails_other",
	"phone", "alternate_phones_mobile", "alternate_phones_home", "alternate_phones_work", "alternate_phones_other",
	"address", "city", "postal_code", "state", "country", "alternate_addresses_home", "alternate_addresses_work",
	"notes", "tags",
}

// vcardColumn is vcardHeader's index by name.
var vcardColumn = func() map[string]int {
	m := make(map[string]int, len(vcardHeader))
	for i, h := range vcardHeader {
		m[h] = i
	}
	return m
}()

// maxVCardColumns bounds the columns extra values of a kind may add.
const maxVCardColumns = 200

// vcardReader reads a vCard 2.1, 3.0 or 4.0 file (what phones, Outlook and
// macOS export), one card a row: FN, N, ORG, EMAIL, TEL, ADR, NOTE and
// CATEGORIES. The preferred (PREF, TYPE=pref, 2.1's bare PREF) or first
// email, phone and address are the primary ones; the others become
// alternates of the kind their types say (work, home, cell, fax, …), else
// "other". Lines are unfolded by vcardLines; one card may span at most
// MaxRowBytes.
type vcardReader struct {
	lines    *vcardLines
	fallback encoding.Encoding // the file's encoding for values without CHARSET
	opts     Options
	encName  string
	header   []string
	columns  map[string]int
	index    int
	err      error
}

// openVCard reads text, the file past its BOM: raw bytes for 8-bit files
// (each value is decoded by its CHARSET, else as UTF-8 when valid, else by
// the file's encoding), or UTF-8 converted from UTF-16.
func openVCard(text io.Reader, enc textEncoding, opts Options) (Reader, error) {
	v := &vcardReader{
		lines:   &vcardLines{br: bufio.NewReaderSize(text, 64<<10), limit: opts.MaxRowBytes},
		opts:    opts,
		encName: enc.name,
		header:  append([]string(nil), vcardHeader...),
		columns: make(map[string]int, len(vcardHeader)),
	}
	if !strings.HasPrefix(enc.name, "utf-16") {
		v.fallback = enc.enc
	}
	for i, h := range vcardHeader {
		v.columns[h] = i
	}
	return v, nil
}

func (v *vcardReader) Header() []string { return v.header }

func (v *vcardReader) Info() Info {
	return Info{Format: FormatVCard, Encoding: v.encName, HeaderRow: 1}
}

func (v *vcardReader) Close() error {
	v.err = errClosed
	return nil
}

func (v *vcardReader) Next() (Row, error) {
	for v.err == nil {
		props, err := v.card()
		switch {
		case err == io.EOF:
			v.err = io.EOF
			return Row{}, v.err
		case err == errCardTooLong:
			v.err = errorf("row_too_long", "Card %d is longer than %d bytes.", v.index+1, v.opts.MaxRowBytes)
			return Row{}, v.err
		case err != nil && err != errNoEnd:
			v.err = fmt.Errorf("read vCard %d: %w", v.index+1, err)
			return Row{}, v.err
		}
		row := Row{Number: v.index + 2}
		v.index++
		if err == errNoEnd {
			v.err = io.EOF // the input ended inside the card
			row.Err = &RowError{Code: "malformed_row", Message: fmt.Sprintf("card %d cannot be read: no END:VCARD", v.index)}
			return row, nil
		}
		var dropped []string
		row.Values, dropped = v.values(props)
		if emptyRow(row.Values) {
			continue
		}
		row.Err = checkCells(row.Values, v.opts)
		if row.Err == nil && len(dropped) > 0 {
			row.Err = &RowError{Code: "too_many_values", Message: "card has more values than columns allow; not imported: " + strings.Join(dropped, ", ")}
		}
		return row, nil
	}
	return Row{}, v.err
}

var errNoEnd = fmt.Errorf("no END:VCARD")

// vcardKept are the properties a row is made of; others (PHOTO, …) are
// skipped without being kept.
var vcardKept = map[string]bool{"FN": true, "N": true, "ORG": true, "EMAIL": true, "TEL": true, "ADR": true, "NOTE": true, "CATEGORIES": true}

// card reads the next card's properties: io.EOF when no card is left.
func (v *vcardReader) card() ([]vcardProp, error) {
	v.lines.used = 0
	inCard := false
	var props []vcardProp
	for {
		line, err := v.lines.next()
		if err == io.EOF {
			if inCard {
				return props, errNoEnd
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, err
		}
		word := bytes.TrimSpace(line)
		switch {
		case bytes.EqualFold(word, []byte("BEGIN:VCARD")):
			inCard = true
			continue
		case bytes.EqualFold(word, []byte("END:VCARD")) && inCard:
			return props, nil
		case !inCard:
			continue
		}
		if p, ok := parseProp(line, v.fallback); ok && vcardKept[p.name] {
			props = append(props, p)
		}
	}
}

// values lays a card out along the header, growing it for extra values
// of a kind; dropped names values no column could take.
func (v *vcardReader) values(props []vcardProp) (vals []string, dropped []string) {
	byName := map[string][]vcardProp{}
	for _, p := range props {
		byName[p.name] = append(byName[p.name], p)
	}
	set := map[string]string{}
	put := func(col, val string) {
		if val = strings.TrimSpace(val); val != "" && set[col] == "" {
			set[col] = val
		}
	}
	if fn := preferred(byName["FN"]); fn >= 0 {
		put("name", vcardUnescape(byName["FN"][fn].value))
	}
	if n := preferred(byName["N"]); n >= 0 {
		c := vcardComponents(byName["N"][n].value)
		put("last_name", c[0])
		put("first_name", component(c, 1))
	}
	if org := preferred(byName["ORG"]); org >= 0 {
		put("company", vcardComponents(byName["ORG"][org].value)[0])
	}
	notes, tags := []string{}, []string{}
	for _, p := range byName["NOTE"] {
		notes = append(notes, vcardUnescape(p.value))
	}
	for _, p := range byName["CATEGORIES"] {
		for _, c := range splitEscaped(p.value, ',') {
			if c = strings.TrimSpace(vcardUnescape(c)); c != "" {
				tags = append(tags, c)
			}
		}
	}
	put("notes", strings.Join(notes, "\n"))
	put("tags", strings.Join(tags, ","))
	dropped = append(dropped, v.typed(byName["EMAIL"], "email", "emails", emailKinds, set)...)
	dropped = append(dropped, v.typed(byName["TEL"], "phone", "phones", phoneKinds, set)...)
	dropped = append(dropped, v.addresses(byName["ADR"], set)...)
	vals = make([]string, len(v.header))
	for col, val := range set {
		vals[v.columns[col]] = val
	}
	return vals, dropped
}

func component(c []string, i int) string {
	if i < len(c) {
		return c[i]
	}
	return ""
}

// emailKinds and phoneKinds map vCard types to Intake's alternate kinds,
// in order of precedence (TEL;WORK;FAX is a fax, TEL;CELL;WORK a mobile).
var (
	emailKinds = [][2]string{{"work", "work"}, {"home", "personal"}, {"personal", "personal"}}
	phoneKinds = [][2]string{{"fax", "fax"}, {"pager", "pager"}, {"cell", "mobile"}, {"mobile", "mobile"},
		{"iphone", "mobile"}, {"home", "home"}, {"work", "work"}}
	addressKinds = [][2]string{{"home", "home"}, {"work", "work"}}
)

// kindOf returns the alternate kind of a property by its types.
func kindOf(p vcardProp, kinds [][2]string) string {
	for _, k := range kinds {
		if p.params.HasType(k[0]) {
			return k[1]
		}
	}
	return "other"
}

// typed puts the preferred value in primary and each other one in the
// alternate column of its kind: alternate_PLURAL_KIND, else _other, else a
// numbered column added for it (alternate_phones_work_2).
func (v *vcardReader) typed(props []vcardProp, primary, plural string, kinds [][2]string, set map[string]string) (dropped []string) {
	pref := preferred(props)
	for i, p := range props {
		val := vcardUnescape(p.value)
		if primary == "phone" && len(val) > 4 && strings.EqualFold(val[:4], "tel:") {
			val = val[4:] // vCard 4.0 may write a phone as a URI
		}
		if strings.TrimSpace(val) == "" {
			continue
		}
		if i == pref {
			set[primary] = strings.TrimSpace(val)
			continue
		}
		if !v.alternate("alternate_"+plural+"_"+kindOf(p, kinds), val, set) {
			dropped = append(dropped, val)
		}
	}
	return dropped
}

// alternate sets val in col (a kind the header lacks, such as fax, is
// added to it), else in the column's _other sibling, else in the first
// free numbered column col_2, col_3, … (added when new). It is false when
// the header is full.
func (v *vcardReader) alternate(col, val string, set map[string]string) bool {
	val = strings.TrimSpace(val)
	other := col[:strings.LastIndexByte(col, '_')] + "_other"
	for n := 1; ; n++ {
		c := col
		if n > 1 {
			c += "_" + strconv.Itoa(n)
		}
		if _, ok := v.columns[c]; !ok {
			if len(v.header) >= min(v.opts.MaxColumns, maxVCardColumns) {
				return false
			}
			v.columns[c] = len(v.header)
			v.header = append(v.header, c)
		}
		if set[c] == "" {
			set[c] = val
			return true
		}
		if n == 1 && col != other && set[other] == "" {
			set[other] = val
			return true
		}
	}
}

// addresses puts the preferred ADR in the address columns and the others,
// one line each, in the alternate address of their kind.
func (v *vcardReader) addresses(props []vcardProp, set map[string]string) (dropped []string) {
	pref := preferred(props)
	for i, p := range props {
		c := vcardComponents(p.value)
		street := strings.Join(nonBlank(component(c, 2), component(c, 1), component(c, 0)), ", ")
		city, region, postal, country := component(c, 3), component(c, 4), component(c, 5), component(c, 6)
		if i == pref {
			for col, val := range map[string]string{"address": street, "city": city, "state": region, "postal_code": postal, "country": country} {
				if val = strings.TrimSpace(val); val != "" {
					set[col] = val
				}
			}
			continue
		}
		line := strings.Join(nonBlank(street, strings.TrimSpace(postal+" "+city), region, country), ", ")
		if line != "" && !v.alternate("alternate_addresses_"+kindOf(p, addressKinds), line, set) {
			dropped = append(dropped, line)
		}
	}
	return dropped
}

// preferred returns the index of the preferred property: the lowest PREF
// (1 is most preferred), a TYPE=pref (2.1's bare PREF, Apple's type=pref),
// else the first; -1 for none.
func preferred(props []vcardProp) int {
	best, rank := -1, 1000
	for i, p := range props {
		r := 100
		if s := p.params.Get(vcard.ParamPreferred); s != "" {
			if n, err := strconv.Atoi(s); err == nil {
				r = n
			}
		} else if p.params.HasType("pref") {
			r = 1
		}
		if r < rank {
			best, rank = i, r
		}
	}
	return best
}

// splitEscaped splits s at sep where it is not escaped by a backslash.
func splitEscaped(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func nonBlank(parts ...string) []string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, strings.TrimSpace(p))
		}
	}
	return out
}
