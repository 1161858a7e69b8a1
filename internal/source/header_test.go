package source

import (
	"reflect"
	"strings"
	"testing"
)

func knownHeader(h string) bool {
	switch strings.ToLower(strings.TrimSpace(h)) {
	case "email", "email address", "first name", "last name", "company", "name", "city":
		return true
	}
	return false
}

// TestHeaderDetection: the header is found below exporters' notes, titles
// and blank rows; header_row overrides; an ordinary file keeps row 1.
func TestHeaderDetection(t *testing.T) {
	t.Parallel()
	linkedIn := "Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are missing. You will only see email addresses for connections who have allowed their connections to see or download it. You can learn more here https://www.linkedin.com/help/linkedin/answer/261\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\nAnn,Lee,https://www.linkedin.com/in/ann,ann@x.example,Acme,CTO,01 Mar 2024\n"
	for _, tc := range []struct {
		name, in  string
		opts      Options
		headerRow int
		header    []string
		first     want
	}{
		{"LinkedIn's notes above the header", linkedIn, Options{IsHeader: knownHeader}, 3,
			[]string{"First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"},
			want{4, []string{"Ann", "Lee", "https://www.linkedin.com/in/ann", "ann@x.example", "Acme", "CTO", "01 Mar 2024"}, ""}},
		{"a title row and a blank row", "Members report 2025,,\n,,\nName,Email,City\nAnn,ann@x.example,Oslo\n", Options{IsHeader: knownHeader}, 3,
			[]string{"Name", "Email", "City"}, want{4, []string{"Ann", "ann@x.example", "Oslo"}, ""}},
		{"a title without known names: the shape decides", "Leden 2025\nVoornaam,Achternaam,Woonplaats\nAnn,Lee,Oslo\n", Options{}, 2,
			[]string{"Voornaam", "Achternaam", "Woonplaats"}, want{3, []string{"Ann", "Lee", "Oslo"}, ""}},
		{"an ordinary file keeps row 1", "Email,Name\nann@x.example,Ann\n", Options{IsHeader: knownHeader}, 1,
			[]string{"Email", "Name"}, want{2, []string{"ann@x.example", "Ann"}, ""}},
		{"unknown names in row 1 still win over data", "Foo,Bar\nName,Email\n", Options{IsHeader: knownHeader}, 2,
			[]string{"Name", "Email"}, want{}},
		{"header_row overrides", "Email,Name\nx,y\nEmail address,Company\na@x.example,Acme\n", Options{IsHeader: knownHeader, HeaderRow: 3}, 3,
			[]string{"Email address", "Company"}, want{4, []string{"a@x.example", "Acme"}, ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(strings.NewReader(tc.in), tc.opts)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer r.Close()
			if got := info(t, r).HeaderRow; got != tc.headerRow {
				t.Errorf("header row %d, want %d", got, tc.headerRow)
			}
			if !reflect.DeepEqual(r.Header(), tc.header) {
				t.Fatalf("header %q, want %q", r.Header(), tc.header)
			}
			rows, err := readAll(t, r)
			if err != nil {
				t.Fatal(err)
			}
			if tc.first.n != 0 {
				checkRows(t, rows[:1], []want{tc.first})
			}
		})
	}
	if _, err := Open(strings.NewReader("a,b\n1,2\n"), Options{HeaderRow: 9}); FileCode(err) != "missing_headers" {
		t.Errorf("header_row past the end: %v", err)
	}
}
