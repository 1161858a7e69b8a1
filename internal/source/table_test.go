package source

import (
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
)

// TestTableDiscovery finds the table of people in text files whatever is
// around it, with no known header names given: banners and report titles
// above it, a delimiter that the banner lacks, footers and totals below.
func TestTableDiscovery(t *testing.T) {
	t.Parallel()
	utf16 := func(s string, bom bool) string {
		policy := unicode.IgnoreBOM
		if bom {
			policy = unicode.UseBOM
		}
		out, err := unicode.UTF16(unicode.LittleEndian, policy).NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	banner := "Contact export - generated 2025-03-04 by CRM, all rights reserved\r\n" +
		"Nachname\tVorname\tE-Mail\tTelefon\tOrt\r\n" +
		"Müller\tAnna\tanna@example.de\t+49 170 1234567\tKöln\r\n" +
		"Schmidt\tJonas\tjonas@example.de\t+49 171 7654321\tBerlin, Mitte\r\n"
	for _, tc := range []struct {
		name      string
		in        string
		format    Format
		delimiter rune
		encoding  string
		headerRow int
		header    []string
		rows      int
		footer    []int
	}{
		{"UTF-16 TSV with a banner without tabs", utf16(banner, true), FormatTSV, '\t', "utf-16le", 2,
			[]string{"Nachname", "Vorname", "E-Mail", "Telefon", "Ort"}, 2, nil},
		{"UTF-16 without BOM", utf16(banner, false), FormatTSV, '\t', "utf-16le", 2,
			[]string{"Nachname", "Vorname", "E-Mail", "Telefon", "Ort"}, 2, nil},
		{"a report: title, filter lines, then the table", "Leads report\nFilter: Owner = Me, Stage = New\nRun on: 03/04/2025\n\nKlant;Contactpersoon;E-mailadres;Plaats\nAcme;Jan de Vries;jan@acme.nl;Utrecht\nBeta;Piet Jansen;piet@beta.nl;Gouda\n",
			FormatCSV, ';', "utf-8", 4, []string{"Klant", "Contactpersoon", "E-mailadres", "Plaats"}, 2, nil},
		{"a wide header over sparse rows, below a two-cell banner", "Export: Contacts,2025-03-04\nFirst,Last,Email,Phone,Mobile,Company,Street,City,Zip,Country\nAnn,Lee,ann@x.example,,,,,,,\nBob,,bob@x.example,,,Acme,,,,\nCy,Ray,,555-1234567,,,,,,NO\n",
			FormatCSV, ',', "utf-8", 2, []string{"First", "Last", "Email", "Phone", "Mobile", "Company", "Street", "City", "Zip", "Country"}, 3, nil},
		{"footer and total rows are dropped", "Name,Email,Phone,City\nAnn,ann@x.example,555-1234567,Oslo\nBob,bob@x.example,555-7654321,Bergen\n\nTotal: 2,,,\nGenerated 2025-03-04,,,\n",
			FormatCSV, ',', "utf-8", 1, []string{"Name", "Email", "Phone", "City"}, 2, []int{4, 5}},
		{"a sparse row inside the table is data", "Name,Email,Phone,City\nAnn,ann@x.example,555-1234567,Oslo\nTotal 1,,,\nBob,bob@x.example,555-7654321,Bergen\nCy,cy@x.example,,\n",
			FormatCSV, ',', "utf-8", 1, []string{"Name", "Email", "Phone", "City"}, 4, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(strings.NewReader(tc.in), Options{Name: "export.txt"})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			rows, err := readAll(t, r)
			if err != nil {
				t.Fatal(err)
			}
			got := info(t, r)
			if got.Format != tc.format || got.Delimiter != tc.delimiter || got.Encoding != tc.encoding || got.HeaderRow != tc.headerRow {
				t.Errorf("info %+v, want %s %q %s header %d", got, tc.format, tc.delimiter, tc.encoding, tc.headerRow)
			}
			if !reflect.DeepEqual(r.Header(), tc.header) {
				t.Errorf("header %q, want %q", r.Header(), tc.header)
			}
			if len(rows) != tc.rows {
				t.Errorf("%d rows %v, want %d", len(rows), rows, tc.rows)
			}
			for _, row := range rows {
				if row.Err != nil {
					t.Errorf("row %d: %v", row.Number, row.Err)
				}
			}
			if !reflect.DeepEqual(got.FooterRows, tc.footer) {
				t.Errorf("footer rows %v, want %v", got.FooterRows, tc.footer)
			}
		})
	}
}
