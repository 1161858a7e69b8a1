package http_test

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"golang.org/x/text/encoding/charmap"
)

// exportLines lists the tenant's contacts as
// "email|name|phone|company|address|city|postal_code|state|country|tags|alternates|external_id", sorted.
func (c client) exportLines() []string {
	c.t.Helper()
	_, page, raw := c.do("GET", "/api/v1/contacts?limit=1000", nil)
	data, ok := page["data"].([]any)
	if !ok {
		c.t.Fatalf("contacts: %s", raw)
	}
	var out []string
	for _, x := range data {
		m := x.(map[string]any)
		var alts []string
		for _, a := range asList(m["alternates"]) {
			a := a.(map[string]any)
			alts = append(alts, fmt.Sprintf("%v/%v=%v", a["type"], a["kind"], a["value"]))
		}
		sort.Strings(alts)
		out = append(out, strings.Join([]string{orEmpty(m["email"]), orEmpty(m["name"]), orEmpty(m["phone"]), orEmpty(m["company"]),
			orEmpty(m["address"]), orEmpty(m["city"]), orEmpty(m["postal_code"]), orEmpty(m["state"]), orEmpty(m["country"]),
			fmt.Sprint(m["tags"]), strings.Join(alts, " "), orEmpty(m["external_id"])}, "|"))
	}
	sort.Strings(out)
	return out
}

func cp1252(t *testing.T, s string) []byte {
	b, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(b)
}

// googleLabelled is Google Contacts' current CSV layout (its full header,
// in order): numbered emails, phones and addresses, each with its label.
const googleLabelled = "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As," +
	"Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,Labels," +
	"E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value," +
	"Address 1 - Label,Address 1 - Formatted,Address 1 - Street,Address 1 - City,Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,Address 1 - Extended Address," +
	"Address 2 - Label,Address 2 - Formatted,Address 2 - Street,Address 2 - City,Address 2 - PO Box,Address 2 - Region,Address 2 - Postal Code,Address 2 - Country,Address 2 - Extended Address," +
	"Website 1 - Label,Website 1 - Value\r\n" +
	"Carla,,Rossi,,,,,,,,Rossi SRL,CEO,,,,,* myContacts ::: Clienti,* Work,carla@rossi.example,Home,carla.rossi@mail.example,Mobile,347 123 4567,Work,06 1234 5678," +
	"Work,\"Via Roma 1\n00184 Roma RM\nItaly\",Via Roma 1,Roma,,RM,00184,Italy,,Home,\"Via Po 2\n10121 Torino TO\",Via Po 2,Torino,,TO,10121,Italy,,Profile,https://rossi.example\r\n" +
	"Dev,,Patel,,,,,,,,,,,,,,* myContacts,Other,dev@old.example,* Home,dev@patel.example,Home,+44 20 7946 0958,Mobile,07911 123456," +
	"Home,,10 Downing St,London,,,SW1A 2AA,United Kingdom,,,,,,,,,,,,\r\n" +
	"Eva,,Lind,,,,,,,,,,,,,,* myContacts ::: * starred,,,,,Mobile,070-123 45 67,Main,08-765 43 21,,,,,,,,Sweden,,,,,,,,,,,,\r\n"

// excelExport is a workbook as Excel users send them: the default first
// sheet left empty, the data on "Contacts", phones typed as numbers (Excel
// drops the leading 0 and the +).
func excelExport(t *testing.T) []byte {
	f := excelize.NewFile()
	f.NewSheet("Contacts")
	f.SetSheetRow("Contacts", "A1", &[]any{"Name", "Email", "Phone", "Country"})
	f.SetSheetRow("Contacts", "A2", &[]any{"Xaver Lang", "xl@example.de", 2211000560, "Deutschland"})
	f.SetSheetRow("Contacts", "A3", &[]any{"Yo Bos", "yo@example.nl", 612345678, "NL"})
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestExportersFilesEndToEnd uploads files in the exact shapes Google
// Contacts, Outlook, HubSpot, Mailchimp, a German Excel, JSON APIs and
// phones (vCard) export, with no options, and checks every stored field.
func TestExportersFilesEndToEnd(t *testing.T) {
	t.Parallel()
	vcf, err := os.ReadFile("../../internal/source/testdata/contacts.vcf")
	if err != nil {
		t.Fatal(err)
	}
	files := []struct {
		exporter, name string
		content        []byte
		want           []string
	}{
		{"Google Contacts", "contacts.csv", []byte("First Name,Middle Name,Last Name,Nickname,Organization Name,Organization Title,Birthday,Notes,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Address 1 - Label,Address 1 - Formatted,Address 1 - Street,Address 1 - City,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country\n" +
			"Anna,,Müller,,Acme GmbH,Sales,,,* myContacts ::: Kunden,* Work,anna@acme.example,,,Mobile,0221 100056,Work,\"Domstraße 1\n50667 Köln\",Domstraße 1,Köln,,50667,Germany\n" +
			"Bob,,Stone,,,,,,* myContacts,* Home,bob@home.example ::: bob@work.example,,,Mobile,1-303-555-6639,,,,Denver,CO,80202,United States\n"),
			[]string{
				"anna@acme.example|Anna Müller|+49221100056|Acme GmbH|Domstraße 1|Köln|50667||DE|[Kunden]||",
				// One cell of two emails under one label ("* Home"): the first is
				// the primary, the other a personal (home) alternate.
				"bob@home.example|Bob Stone|+13035556639|||Denver|80202|CO|US|[]|email/personal=bob@work.example|",
			}},
		{"Google Contacts, labelled families", "google-contacts.csv", []byte(googleLabelled), []string{
			// E-mail 1 is * Work: primary; E-mail 2 (Home) a personal alternate.
			// Phones in the row's country (Italy); address 2 (Home) one line.
			"carla@rossi.example|Carla Rossi|+393471234567|Rossi SRL|Via Roma 1|Roma|00184|RM|IT|[Clienti]|" +
				"address/home=Via Po 2, 10121 Torino, TO, Italy email/personal=carla.rossi@mail.example phone/work=+390612345678|",
			// E-mail 2 is marked *: it is the primary, E-mail 1 (Other) the alternate.
			"dev@patel.example|Dev Patel|+442079460958||10 Downing St|London|SW1A 2AA||GB|[]|email/other=dev@old.example phone/mobile=+447911123456|",
			// No email, a custom phone label (Main) on number 2: other.
			"|Eva Lind|+46701234567||||||SE|[starred]|phone/other=+4687654321|",
		}},
		{"Outlook", "outlook.csv", cp1252(t, "\"First Name\",\"Last Name\",\"E-mail Address\",\"E-mail 2 Address\",\"Home Phone\",\"Business Phone\",\"Mobile Phone\",\"Company\",\"Business Street\",\"Business City\",\"Business State\",\"Business Postal Code\",\"Business Country/Region\",\"Categories\",\"Notes\"\r\n"+
			"\"Jane\",\"Doe\",\"jane@contoso.example\",\"jane.doe@home.example\",\"\",\"+1 425 555 0100\",\"(425) 555-0101\",\"Contoso\",\"1 Microsoft Way\",\"Redmond\",\"WA\",\"98052\",\"United States\",\"Customers;VIP\",\"Met in Seattle\"\r\n"+
			"\"René\",\"Côté\",\"rene@example.fr\",\"\",\"01 42 68 53 00\",\"\",\"\",\"\",\"\",\"Paris\",\"\",\"75008\",\"France\",\"\",\"\"\r\n"),
			[]string{
				"jane@contoso.example|Jane Doe|+14255550101|Contoso|1 Microsoft Way|Redmond|98052|WA|US|[Customers VIP]|email/other=jane.doe@home.example phone/work=+14255550100|",
				"rene@example.fr|René Côté||||Paris|75008||FR|[]|phone/home=+33142685300|",
			}},
		{"HubSpot", "hubspot-crm-exports-all-contacts.csv", []byte("Record ID,First Name,Last Name,Email,Phone Number,Mobile Phone Number,Company Name,Street Address,City,State/Region,Postal Code,Country/Region\n" +
			"101,Kees,de Vries,kees@example.nl,020 123 4567,,Vries BV,Damrak 1,Amsterdam,Noord-Holland,1012 LG,Netherlands\n"),
			[]string{"kees@example.nl|Kees de Vries|+31201234567|Vries BV|Damrak 1|Amsterdam|1012 LG|Noord-Holland|NL|[]||101"}},
		{"Mailchimp", "subscribed_members_export.csv", []byte("Email Address,First Name,Last Name,Address,Phone Number,MEMBER_RATING,OPTIN_TIME,CC,TAGS\n" +
			"mia@example.es,Mia,García,,612 34 56 78,2,2024-01-02 10:00:00,ES,\"\"\"Customer\"\",\"\"VIP\"\"\"\n"),
			[]string{"mia@example.es|Mia García|+34612345678||||||ES|[Customer VIP]||"}},
		{"German Excel CSV", "kontakte.csv", cp1252(t, "Vorname;Nachname;E-Mail-Adresse;Mobil;Firma;Straße;PLZ;Ort;Land\r\n"+
			"Jürgen;Groß;juergen@example.de;0170 1234567;Groß & Söhne;Königsallee 1;40212;Düsseldorf;Deutschland\r\n"),
			[]string{"juergen@example.de|Jürgen Groß|+491701234567|Groß & Söhne|Königsallee 1|Düsseldorf|40212||DE|[]||"}},
		{"LinkedIn Connections", "Connections.csv", []byte("Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are missing. You will only see email addresses for connections who have allowed their connections to see or download it.\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\n" +
			"Sam,Okafor,https://www.linkedin.com/in/sam,sam@example.ng,Okafor Ltd,CEO,12 Mar 2024\nTia,Berg,https://www.linkedin.com/in/tia,,,Analyst,01 Feb 2023\n"),
			// Tia has no email: she is created by name, as rows without a match value are.
			[]string{"sam@example.ng|Sam Okafor||Okafor Ltd||||||[]||", "|Tia Berg||||||||[]||"}},
		{"JSON API answer", "contacts.json", []byte(`{"data":[{"email":"li@example.com","name":"Li Wei","company":{"name":"Wei Ltd"},"address":{"street":"1 Queen's Rd","city":"Hong Kong","country":"HK"},"phone":"2123 4567"}],"meta":{"total":1}}`),
			[]string{"li@example.com|Li Wei|+85221234567|Wei Ltd|1 Queen's Rd|Hong Kong|||HK|[]||"}},
		{"JSON Lines", "contacts.ndjson", []byte("{\"email\":\"a@example.ie\",\"first_name\":\"Aoife\",\"country\":\"Ireland\",\"phone\":\"087 123 4567\"}\n{\"email\":\"b@example.ie\",\"first_name\":\"Brian\"}\n"),
			[]string{"a@example.ie|Aoife|+353871234567||||||IE|[]||", "b@example.ie|Brian||||||||[]||"}},
		{"Excel workbook: an empty first sheet, phones stored as numbers", "contacts.xlsx", excelExport(t),
			[]string{"xl@example.de|Xaver Lang|+492211000560||||||DE|[]||", "yo@example.nl|Yo Bos|+31612345678||||||NL|[]||"}},
		{"vCard (iPhone, macOS)", "contacts.vcf", vcf,
			[]string{
				"anna@acme.example|Anna Müller|+491701234567|Acme GmbH|Domstraße 1|Köln|50667||DE|[Fair 2025 VIP]|email/personal=anna.private@example.org phone/work=+49221100056|",
				"bob@work.example|Bob Stone|+13035556639||1 Main St|Denver|80202|CO|US|[]|address/work=2 Market St, 80203 Denver, CO, USA email/other=bob@other.example email/personal=bob@home.example|",
				"folded@example.com|Folded Name||||||||[]||",
			}},
	}
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.url(t)
			base := serve(t, db)
			for _, f := range files {
				t.Run(f.exporter, func(t *testing.T) {
					c := newTenantClient(t, db, base)
					st, job, raw := c.upload(f.name, f.content, nil)
					if st != 201 {
						t.Fatalf("upload: %d %s", st, raw)
					}
					job = c.wait(num(job, "id"))
					if job["status"] != "completed" || num(job, "failed_rows") != 0 {
						t.Fatalf("job: %v %s, errors %v", job["status"], counts(job), c.rowErrors(job))
					}
					got := c.exportLines()
					landed, expected := scoreLines(got, f.want)
					t.Logf("%s: %d of %d expected values landed exactly (%.1f %%)", f.exporter, landed, expected, 100*float64(landed)/float64(expected))
					same(t, "contacts", got, f.want)
				})
			}
		})
	}
}

// TestHeaderRowEndToEnd: the job shows the header row it found below a
// title, and PATCH header_row re-reads the headers from the row given.
func TestHeaderRowEndToEnd(t *testing.T) {
	t.Parallel()
	b := backends(t)[0]
	db := b.url(t)
	c := newTenantClient(t, db, serve(t, db))
	file := "Code,Ref\nMembers report,\n,\nEmail,Name\nann@example.com,Ann\n"
	st, job, raw := c.upload("report.csv", []byte(file), map[string]string{"autostart": "false"})
	if st != 201 || fmt.Sprint(job["headers"]) != "[Email Name]" || !strings.Contains(raw, `"header_row":4`) ||
		!strings.Contains(raw, "The header is row 4") {
		t.Fatalf("upload: %d %s", st, raw)
	}
	id := num(job, "id")
	st, job, raw = c.do("PATCH", fmt.Sprintf("/api/v1/imports/%d", id), map[string]any{"header_row": 1})
	if st != 200 || fmt.Sprint(job["headers"]) != "[Code Ref]" || job["status"] != "awaiting_mapping" {
		t.Fatalf("patch header_row: %d %s", st, raw)
	}
	st, _, raw = c.do("PATCH", fmt.Sprintf("/api/v1/imports/%d", id), map[string]any{"header_row": 40})
	if st != 422 || !strings.Contains(raw, "header_row is 40") {
		t.Fatalf("patch header_row past the end: %d %s", st, raw)
	}
	st, job, raw = c.do("PATCH", fmt.Sprintf("/api/v1/imports/%d", id), map[string]any{"header_row": 4})
	if st != 200 || fmt.Sprint(job["headers"]) != "[Email Name]" {
		t.Fatalf("patch back: %d %s", st, raw)
	}
	c.must(200, "POST", fmt.Sprintf("/api/v1/imports/%d/start", id), nil)
	if job = c.wait(id); counts(job) != "total=1 created=1 updated=0 skipped=0 failed=0" {
		t.Fatalf("job %s", counts(job))
	}
}

// scoreLines counts the non-empty values of want's lines (each
// alternate and tag one value) and how many got holds exactly, lines
// paired by their email, else their name.
func scoreLines(got, want []string) (landed, expected int) {
	key := func(parts []string) string {
		if parts[0] != "" {
			return parts[0]
		}
		return parts[1]
	}
	values := func(parts []string) []string {
		var out []string
		for i, p := range parts {
			switch {
			case p == "" || p == "[]":
			case i == 9: // tags
				out = append(out, strings.Fields(strings.Trim(p, "[]"))...)
			case i == 10: // alternates
				out = append(out, strings.Fields(p)...)
			default:
				out = append(out, fmt.Sprint(i, "=", p))
			}
		}
		return out
	}
	byKey := map[string][]string{}
	for _, g := range got {
		parts := strings.Split(g, "|")
		byKey[key(parts)] = values(parts)
	}
	for _, w := range want {
		parts := strings.Split(w, "|")
		have := byKey[key(parts)]
		for _, v := range values(parts) {
			expected++
			if slices.Contains(have, v) {
				landed++
			}
		}
	}
	return landed, expected
}
