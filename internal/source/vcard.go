package source

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-vcard"
)

// vcardHeader is the columns a vCard file is read into: Intake's own field
// names, so the suggestions map them without a mapping.
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

// vcardReader reads a vCard 3.0/4.0 file (what phones and macOS export),
// one card a row: FN, N, ORG, EMAIL, TEL, ADR, NOTE and CATEGORIES. The
// preferred (or first) email, phone and address are the primary ones; the
// others become alternates by their TYPE (work, home, cell), else "other".
// Folded lines are unfolded by the decoder; one card may span at most
// MaxRowBytes.
type vcardReader struct {
	in    *budgetInput
	dec   *vcard.Decoder
	opts  Options
	index int
	err   error
}

func openVCard(text io.Reader, opts Options) (Reader, error) {
	in := &budgetInput{src: text, rowBudget: rowBudget{limit: int64(opts.MaxRowBytes)}}
	return &vcardReader{in: in, dec: vcard.NewDecoder(in), opts: opts}, nil
}

func (v *vcardReader) Header() []string { return vcardHeader }

func (v *vcardReader) Info() Info { return Info{Format: FormatVCard, Encoding: "utf-8"} }

func (v *vcardReader) Close() error {
	v.err = errClosed
	return nil
}

func (v *vcardReader) Next() (Row, error) {
	for v.err == nil {
		v.in.start = v.in.delivered
		card, err := v.dec.Decode()
		switch {
		case err == io.EOF:
			v.err = io.EOF
			return Row{}, v.err
		case errors.Is(err, errRowTooLong):
			v.err = errorf("row_too_long", "Card %d is longer than %d bytes.", v.index+1, v.opts.MaxRowBytes)
			return Row{}, v.err
		case err != nil && card == nil:
			v.err = fmt.Errorf("read vCard %d: %w", v.index+1, err)
			return Row{}, v.err
		}
		row := Row{Number: v.index + 2}
		v.index++
		if err != nil {
			row.Err = &RowError{Code: "malformed_row", Message: fmt.Sprintf("card %d cannot be read: %s", v.index, strings.TrimPrefix(err.Error(), "vcard: "))}
			if strings.Contains(err.Error(), "no END") {
				v.err = io.EOF // the decoder is at the end of the input
			}
			return row, nil
		}
		row.Values = cardValues(card)
		if emptyRow(row.Values) {
			continue
		}
		row.Err = checkCells(row.Values, v.opts)
		return row, nil
	}
	return Row{}, v.err
}

// cardValues lays a card out along vcardHeader.
func cardValues(card vcard.Card) []string {
	vals := make([]string, len(vcardHeader))
	set := func(col, v string) bool {
		i := vcardColumn[col]
		// vCard 4.0 may write a phone as a URI: tel:+1-303-555-6639.
		if v = strings.TrimSpace(v); len(v) > 4 && strings.EqualFold(v[:4], "tel:") {
			v = v[4:]
		}
		if v == "" || vals[i] != "" {
			return false
		}
		vals[i] = v
		return true
	}
	set("name", card.PreferredValue(vcard.FieldFormattedName))
	if n := card.Name(); n != nil {
		set("first_name", n.GivenName)
		set("last_name", n.FamilyName)
	}
	if org := card.PreferredValue(vcard.FieldOrganization); org != "" {
		set("company", strings.Split(org, ";")[0])
	}
	typed(card, vcard.FieldEmail, "email", "alternate_emails_", map[string]string{"work": "work", "home": "personal"}, set)
	typed(card, vcard.FieldTelephone, "phone", "alternate_phones_", map[string]string{"cell": "mobile", "home": "home", "work": "work"}, set)
	addresses(card, set)
	set("notes", strings.Join(card.Values(vcard.FieldNote), "\n"))
	set("tags", strings.Join(card.Categories(), ","))
	return vals
}

// typed puts the preferred value of key in primary and the others in the
// alternate column of their TYPE (kinds maps a vCard type to Intake's
// kind), or "other"; a value with nowhere left to go is dropped.
func typed(card vcard.Card, key, primary, alternate string, kinds map[string]string, set func(col, v string) bool) {
	pref := card.Preferred(key)
	if pref != nil {
		set(primary, pref.Value)
	}
	for _, f := range card[key] {
		if f == pref {
			continue
		}
		placed := false
		for _, t := range f.Params.Types() {
			if kind, ok := kinds[strings.ToLower(t)]; ok && !placed {
				placed = set(alternate+kind, f.Value)
			}
		}
		if !placed {
			set(alternate+"other", f.Value)
		}
	}
}

// addresses puts the preferred ADR in the address columns and the others,
// one line each, in the home or work alternate address.
func addresses(card vcard.Card, set func(col, v string) bool) {
	pref := card.Address()
	if pref != nil {
		set("address", pref.StreetAddress)
		set("city", pref.Locality)
		set("postal_code", pref.PostalCode)
		set("state", pref.Region)
		set("country", pref.Country)
	}
	for _, a := range card.Addresses() {
		if pref != nil && a.Field == pref.Field {
			continue
		}
		line := strings.Join(nonBlank(a.StreetAddress, strings.TrimSpace(a.PostalCode+" "+a.Locality), a.Region, a.Country), ", ")
		if a.Params.HasType("work") {
			set("alternate_addresses_work", line)
		} else {
			set("alternate_addresses_home", line)
		}
	}
}

func nonBlank(parts ...string) []string {
	out := parts[:0]
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}
