package source

import (
	"os"
	"strings"
	"testing"
)

// TestVCard reads an iPhone (3.0) and a 4.0 card: preferred values are the
// primary ones, the others alternates by type, folded lines unfolded.
func TestVCard(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/contacts.vcf")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(strings.NewReader(string(data)), Options{Name: "contacts.vcf"})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	if f := info(t, r).Format; f != FormatVCard {
		t.Fatalf("format = %s", f)
	}
	rows, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3", len(rows))
	}
	get := func(row int, col string) string { return rows[row].Values[vcardColumn[col]] }
	for _, c := range []struct {
		row       int
		col, want string
	}{
		{0, "name", "Anna Müller"}, {0, "first_name", "Anna"}, {0, "last_name", "Müller"}, {0, "company", "Acme GmbH"},
		{0, "email", "anna@acme.example"}, {0, "alternate_emails_personal", "anna.private@example.org"},
		{0, "phone", "+49 170 1234567"}, {0, "alternate_phones_work", "0221 100056"},
		{0, "address", "Domstraße 1"}, {0, "city", "Köln"}, {0, "postal_code", "50667"}, {0, "country", "Deutschland"},
		{0, "notes", "Met at the fair, 2025\nCall back"}, {0, "tags", "VIP,Fair 2025"},
		{1, "email", "bob@work.example"}, {1, "alternate_emails_personal", "bob@home.example"},
		{1, "alternate_emails_other", "bob@other.example"}, {1, "phone", "+1-303-555-6639"},
		{1, "city", "Denver"}, {1, "state", "CO"}, {1, "alternate_addresses_work", "2 Market St, 80203 Denver, CO, USA"},
		{0, "state", ""},
		{2, "name", "Folded Name"}, {2, "email", "folded@example.com"},
	} {
		if got := get(c.row, c.col); got != c.want {
			t.Errorf("card %d %s = %q, want %q", c.row+1, c.col, got, c.want)
		}
	}
	if rows[0].Number != 2 || rows[2].Number != 4 {
		t.Errorf("row numbers %d, %d", rows[0].Number, rows[2].Number)
	}
}

func TestVCardRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, file, looks string }{
		{"a .vcf that is not a vCard", "email,name\na@x.nl,A\n", "x.vcf", "does not start with BEGIN:VCARD"},
		{"a calendar", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "x.ics", "iCalendar"},
	} {
		_, err := Open(strings.NewReader(tc.in), Options{Name: tc.file})
		if FileCode(err) != "unsupported_format" || !strings.Contains(err.Error(), tc.looks) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// A card longer than the row limit fails the file, it is not buffered.
	big := "BEGIN:VCARD\r\nNOTE:" + strings.Repeat("x", 1<<20) + "\r\nEND:VCARD\r\n"
	r, err := Open(strings.NewReader(big), Options{MaxRowBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); FileCode(err) != "row_too_long" {
		t.Fatalf("Next = %v, want row_too_long", err)
	}
}
