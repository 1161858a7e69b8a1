package importer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// The recognition corpus: exporters' column layouts, written from their
// public documentation and export samples, with rows generated per layout
// and the ground truth of every field value. Nothing here is a fixture
// file: each layout is a list of (header, what the column holds), and
// genFile writes the rows.

// colKind is what a generated column holds.
type colKind string

const (
	cEmail, cEmail2, cEmail3            colKind = "email", "email2", "email3"
	cPhone, cMobile, cPhone2            colKind = "phone", "mobile", "phone2"
	cFirst, cLast, cFull, cCompany      colKind = "first", "last", "full", "company"
	cStreet, cLine2, cCity, cZip        colKind = "street", "line2", "city", "zip"
	cState, cCountry, cCountryCode      colKind = "state", "country", "countrycode"
	cAltStreet, cAltCity, cAltZip       colKind = "altstreet", "altcity", "altzip"
	cAltCountry                         colKind = "altcountry"
	cNotes, cTags, cNoise, cDate, cBool colKind = "notes", "tags", "noise", "date", "bool"
	cOneLineAddress                     colKind = "oneline"
)

// exporter is one exporter's layout.
type exporter struct {
	name, lang string
	source     string // where the layout comes from
	cols       [][2]string
	phones     string // how its phones are written: intl, national, lostplus, apostrophe, tel
	countries  string // how its countries are written: name (the exporter's language), alpha2, alpha3, variant
	sep        string
}

// person is one generated contact.
type person struct {
	first, last, company, email, email2, email3 string
	region                                      string // ISO alpha-2
	mobile, phone, phone2                       *phonenumbers.PhoneNumber
	street, line2, city, zip, state             string
	altStreet, altCity, altZip, altRegion       string
	notes                                       string
	tags                                        []string
}

var corpusRegions = []string{"NL", "DE", "FR", "ES", "IT", "PL", "PT", "GB", "US", "BE", "IE", "AT"}

var corpusNames = map[string][2][]string{
	"NL": {{"Anouk", "Daan", "Sanne", "Bram"}, {"de Vries", "Jansen", "Bakker", "Visser"}},
	"DE": {{"Jürgen", "Anna", "Lukas", "Sophie"}, {"Müller", "Schmidt", "Weiß", "Becker"}},
	"FR": {{"Élodie", "Louis", "Chloé", "Hugo"}, {"Martin", "Lefèvre", "Dubois", "Moreau"}},
	"ES": {{"Lucía", "Javier", "Sofía", "Álvaro"}, {"García", "Martínez", "López", "Núñez"}},
	"IT": {{"Giulia", "Marco", "Chiara", "Luca"}, {"Rossi", "Bianchi", "Esposito", "Ricci"}},
	"PL": {{"Zofia", "Jakub", "Małgorzata", "Piotr"}, {"Nowak", "Kowalski", "Wiśniewska", "Wójcik"}},
	"PT": {{"João", "Inês", "Tiago", "Beatriz"}, {"Silva", "Santos", "Ferreira", "Gonçalves"}},
	"GB": {{"Oliver", "Amelia", "Harry", "Isla"}, {"Smith", "Jones", "Taylor", "O'Brien"}},
	"US": {{"James", "Olivia", "Ethan", "Ava"}, {"Johnson", "Williams", "Brown", "Davis"}},
	"BE": {{"Lotte", "Arthur", "Emma", "Louis"}, {"Peeters", "Janssens", "Maes", "Dupont"}},
	"IE": {{"Aoife", "Seán", "Niamh", "Cian"}, {"Murphy", "Kelly", "O'Sullivan", "Walsh"}},
	"AT": {{"Lena", "Felix", "Marie", "Tobias"}, {"Gruber", "Huber", "Wagner", "Pichler"}},
}

var corpusCities = map[string][3]string{ // city, postal code, state
	"NL": {"Utrecht", "3511 AB", "Utrecht"}, "DE": {"Köln", "50667", "Nordrhein-Westfalen"}, "FR": {"Lyon", "69002", "Auvergne-Rhône-Alpes"},
	"ES": {"Sevilla", "41001", "Andalucía"}, "IT": {"Torino", "10121", "Piemonte"}, "PL": {"Kraków", "31-042", "Małopolskie"},
	"PT": {"Porto", "4050-262", "Porto"}, "GB": {"Leeds", "LS1 4DY", "West Yorkshire"}, "US": {"Denver", "80202", "CO"},
	"BE": {"Gent", "9000", "Oost-Vlaanderen"}, "IE": {"Cork", "T12 X70A", "Munster"}, "AT": {"Graz", "8010", "Steiermark"},
}

// numberFor is a valid number of region of type typ, varied by i.
func numberFor(region string, typ phonenumbers.PhoneNumberType, i int) *phonenumbers.PhoneNumber {
	ex := phonenumbers.GetExampleNumberForType(region, typ)
	nsn := fmt.Sprint(ex.GetNationalNumber())
	for d := 0; d < 50; d++ {
		tail := fmt.Sprintf("%03d", (i*37+d*11)%1000)
		cand := nsn[:len(nsn)-3] + tail
		n, err := phonenumbers.Parse("+"+fmt.Sprint(ex.GetCountryCode())+cand, region)
		if err == nil && phonenumbers.IsValidNumberForRegion(n, region) {
			return n
		}
	}
	return ex
}

func genPerson(i int) person {
	region := corpusRegions[i%len(corpusRegions)]
	names := corpusNames[region]
	p := person{first: names[0][i%4], last: names[1][(i/4)%4], region: region}
	p.company = []string{"Acme BV", "Müller & Söhne GmbH", "Société Générale de Test", "Ricci S.r.l.", ""}[i%5]
	local := strings.ToLower(fmt.Sprintf("p%d.%s", i, strings.Fields(p.last)[len(strings.Fields(p.last))-1]))
	local = strings.NewReplacer("ü", "u", "ß", "ss", "è", "e", "é", "e", "í", "i", "ñ", "n", "ś", "s", "ç", "c", "ó", "o", "'", "", "ú", "u").Replace(local)
	p.email = local + "@example.com"
	p.email2 = local + "@work.example.org"
	p.email3 = local + "@mail.example.net"
	p.mobile = numberFor(region, phonenumbers.MOBILE, i)
	p.phone = numberFor(region, phonenumbers.FIXED_LINE, i)
	p.phone2 = numberFor(region, phonenumbers.FIXED_LINE, i+500)
	c := corpusCities[region]
	p.street = fmt.Sprintf("Teststraat %d", i+1)
	p.line2 = fmt.Sprintf("Unit %d", i%7+1)
	p.city, p.zip, p.state = c[0], c[1], c[2]
	alt := corpusRegions[(i+3)%len(corpusRegions)]
	p.altStreet, p.altCity, p.altZip, p.altRegion = fmt.Sprintf("Altweg %d", i+2), corpusCities[alt][0], corpusCities[alt][1], alt
	p.notes = fmt.Sprintf("Met at fair %d", 2020+i%5)
	p.tags = []string{"vip", "newsletter"}[:1+i%2]
	return p
}

// countryText writes region as an exporter does.
func countryText(region, style, lang string, i int) string {
	r := language.MustParseRegion(region)
	switch style {
	case "alpha2":
		return region
	case "alpha3":
		return r.ISO3()
	case "variant":
		v := map[string][]string{"GB": {"U.K.", "United Kingdom", "Great Britain"}, "IE": {"Republic of Ireland", "Eire"},
			"US": {"USA", "U.S.A.", "United States of America"}, "DE": {"Deutschland", "Germany"}, "NL": {"Holland", "The Netherlands"}}
		if vs, ok := v[region]; ok {
			return vs[i%len(vs)]
		}
	}
	return display.Regions(language.MustParse(lang)).Name(r)
}

// phoneText writes n as an exporter does; national numbers only where
// the row says its country.
func phoneText(n *phonenumbers.PhoneNumber, style string, i int) string {
	switch style {
	case "national":
		return phonenumbers.Format(n, phonenumbers.NATIONAL)
	case "lostplus":
		if i%2 == 0 {
			return strings.TrimPrefix(phonenumbers.Format(n, phonenumbers.E164), "+")
		}
	case "apostrophe":
		return "'" + phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
	case "tel":
		return "tel:" + phonenumbers.Format(n, phonenumbers.E164)
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}

// truth is the field values a row must land as: field → values.
type truth map[string][]string

// genFile writes rows of ex and their truth.
func genFile(ex exporter, rows, offset int) (headers []string, data [][]string, truths []truth) {
	for _, c := range ex.cols {
		headers = append(headers, c[0])
	}
	for i := range rows {
		p := genPerson(i + offset)
		row := make([]string, len(ex.cols))
		tr := truth{}
		for j, c := range ex.cols {
			row[j] = cell(ex, colKind(c[1]), p, i, tr)
		}
		data = append(data, row)
		truths = append(truths, tr)
	}
	return headers, data, truths
}

func e164(n *phonenumbers.PhoneNumber) string { return phonenumbers.Format(n, phonenumbers.E164) }

// cell is one generated value and what it must become.
func cell(ex exporter, k colKind, p person, i int, tr truth) string {
	add := func(field, v string) { tr[field] = append(tr[field], v) }
	switch k {
	case cEmail, cEmail2, cEmail3:
		v := map[colKind]string{cEmail: p.email, cEmail2: p.email2, cEmail3: p.email3}[k]
		add("email", v)
		return v
	case cPhone, cMobile, cPhone2:
		n := map[colKind]*phonenumbers.PhoneNumber{cPhone: p.phone, cMobile: p.mobile, cPhone2: p.phone2}[k]
		add("phone", e164(n))
		return phoneText(n, ex.phones, i)
	case cFirst:
		add("first_name", p.first)
		return p.first
	case cLast:
		add("last_name", p.last)
		return p.last
	case cFull:
		add("name", p.first+" "+p.last)
		return p.first + " " + p.last
	case cCompany:
		if p.company != "" {
			add("company", p.company)
		}
		return p.company
	case cStreet:
		add("address", p.street)
		return p.street
	case cLine2:
		tr["address"] = []string{p.street + ", " + p.line2}
		return p.line2
	case cCity:
		add("city", p.city)
		return p.city
	case cZip:
		add("postal_code", p.zip)
		return p.zip
	case cState:
		add("state", p.state)
		return p.state
	case cCountry, cCountryCode:
		add("country", p.region)
		if k == cCountryCode {
			return p.region
		}
		return countryText(p.region, ex.countries, ex.lang, i)
	case cAltStreet, cAltCity, cAltZip, cAltCountry:
		v := map[colKind]string{cAltStreet: p.altStreet, cAltCity: p.altCity, cAltZip: p.altZip, cAltCountry: countryText(p.altRegion, "name", ex.lang, i)}[k]
		add("alt_address", v)
		return v
	case cOneLineAddress:
		v := p.street + ", " + p.zip + " " + p.city
		add("address", v)
		return v
	case cNotes:
		add("notes", p.notes)
		return p.notes
	case cTags:
		sorted := slices.Sorted(slices.Values(p.tags))
		add("tags", strings.Join(sorted, ","))
		return strings.Join(p.tags, ", ")
	case cDate:
		return fmt.Sprintf("2024-%02d-%02d", i%12+1, i%28+1)
	case cBool:
		return []string{"true", "false"}[i%2]
	}
	return fmt.Sprintf("x%d", i) // noise: an owner, a source, a rating
}
