package importer

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/intake/intake"
)

// buildSet are the exporters the header model and the profiles were built
// and tuned on; heldOut are the exporters used only to measure: their
// layouts were written down before the first measurement and no word was
// added to the vocabulary for them (docs/recognition.md says how the
// numbers were taken).
var buildSet = []exporter{
	{name: "Google Contacts", lang: "en", source: "support.google.com/contacts: Google CSV", phones: "intl", countries: "name", cols: [][2]string{
		{"Name", "full"}, {"Given Name", "first"}, {"Family Name", "last"}, {"E-mail 1 - Type", "noise"}, {"E-mail 1 - Value", "email"},
		{"Phone 1 - Type", "noise"}, {"Phone 1 - Value", "mobile"}, {"Organization 1 - Name", "company"}, {"Group Membership", "noise"}}},
	{name: "Outlook", lang: "en", source: "Outlook CSV export (Microsoft support)", phones: "intl", countries: "name", cols: [][2]string{
		{"First Name", "first"}, {"Middle Name", "noise"}, {"Last Name", "last"}, {"Company", "company"}, {"Business Street", "street"},
		{"Business City", "city"}, {"Business State", "state"}, {"Business Postal Code", "zip"}, {"Business Country/Region", "country"},
		{"Home Street", "altstreet"}, {"Home City", "altcity"}, {"Home Postal Code", "altzip"}, {"Business Phone", "phone"},
		{"Mobile Phone", "mobile"}, {"E-mail Address", "email"}, {"E-mail 2 Address", "email2"}, {"E-mail 3 Address", "email3"}, {"Notes", "notes"}}},
	{name: "HubSpot", lang: "en", source: "knowledge.hubspot.com: export records", phones: "intl", countries: "name", cols: [][2]string{
		{"Record ID", "noise"}, {"First Name", "first"}, {"Last Name", "last"}, {"Email", "email"}, {"Phone Number", "phone"},
		{"Mobile Phone Number", "mobile"}, {"Company Name", "company"}, {"Street Address", "street"}, {"City", "city"},
		{"State/Region", "state"}, {"Postal Code", "zip"}, {"Country/Region", "country"}, {"Contact owner", "noise"}, {"Create Date", "date"}}},
	{name: "Salesforce", lang: "en", source: "Salesforce Contact fields (Data Export)", phones: "national", countries: "name", cols: [][2]string{
		{"Salutation", "noise"}, {"First Name", "first"}, {"Last Name", "last"}, {"Account Name", "company"}, {"Title", "noise"},
		{"Email", "email"}, {"Phone", "phone"}, {"Mobile", "mobile"}, {"Mailing Street", "street"}, {"Mailing City", "city"},
		{"Mailing State/Province", "state"}, {"Mailing Zip/Postal Code", "zip"}, {"Mailing Country", "country"}, {"Other Street", "altstreet"},
		{"Other City", "altcity"}, {"Email Opt Out", "bool"}, {"Lead Source", "noise"}}},
	{name: "Mailchimp", lang: "en", source: "mailchimp.com/help: export audience", phones: "intl", countries: "alpha2", cols: [][2]string{
		{"Email Address", "email"}, {"First Name", "first"}, {"Last Name", "last"}, {"Address", "oneline"}, {"Phone Number", "phone"},
		{"MEMBER_RATING", "noise"}, {"OPTIN_TIME", "date"}, {"CC", "country"}, {"TAGS", "tags"}}},
	{name: "Pipedrive", lang: "en", source: "support.pipedrive.com: exporting data", phones: "intl", countries: "name", cols: [][2]string{
		{"Person - Name", "full"}, {"Person - Email - Work", "email"}, {"Person - Email - Home", "email2"}, {"Person - Phone - Work", "phone"},
		{"Person - Phone - Mobile", "mobile"}, {"Person - Organization", "company"}, {"Person - Label", "noise"}, {"Person - Owner", "noise"}}},
	{name: "Zoho CRM", lang: "en", source: "zoho.com/crm: Contacts module fields", phones: "national", countries: "name", cols: [][2]string{
		{"Contact Owner", "noise"}, {"First Name", "first"}, {"Last Name", "last"}, {"Account Name", "company"}, {"Email", "email"},
		{"Secondary Email", "email2"}, {"Phone", "phone"}, {"Mobile", "mobile"}, {"Mailing Street", "street"}, {"Mailing City", "city"},
		{"Mailing Zip", "zip"}, {"Mailing Country", "country"}, {"Other Street", "altstreet"}, {"Other City", "altcity"}, {"Description", "notes"}}},
	{name: "Lexoffice", lang: "de", source: "lexoffice Kontakte CSV-Export", phones: "national", countries: "name", sep: ";", cols: [][2]string{
		{"Kundennummer", "noise"}, {"Firmenname", "company"}, {"Anrede", "noise"}, {"Vorname", "first"}, {"Nachname", "last"},
		{"Straße", "street"}, {"PLZ", "zip"}, {"Ort", "city"}, {"Land", "country"}, {"Telefon", "phone"}, {"Mobil", "mobile"}, {"E-Mail", "email"}, {"Notiz", "notes"}}},
	{name: "Brevo", lang: "fr", source: "help.brevo.com: contact attributes (SMS, WHATSAPP, LANDLINE_NUMBER)", phones: "lostplus", countries: "name", cols: [][2]string{
		{"EMAIL", "email"}, {"NOM", "last"}, {"PRENOM", "first"}, {"SMS", "mobile"}, {"LANDLINE_NUMBER", "phone"}, {"DOUBLE_OPT-IN", "bool"}}},
	{name: "Odoo", lang: "fr", source: "Odoo Contacts export (res.partner)", phones: "national", countries: "name", cols: [][2]string{
		{"Nom", "full"}, {"Société", "company"}, {"Rue", "street"}, {"Rue 2", "line2"}, {"Code postal", "zip"}, {"Ville", "city"},
		{"Pays", "country"}, {"Téléphone", "phone"}, {"Mobile", "mobile"}, {"Courriel", "email"}, {"Étiquettes", "tags"}}},
	{name: "Exact Online", lang: "nl", source: "Exact Online relaties exporteren", phones: "national", countries: "alpha2", sep: ";", cols: [][2]string{
		{"Code", "noise"}, {"Voornaam", "first"}, {"Achternaam", "last"}, {"E-mail", "email"}, {"Telefoon", "phone"}, {"Mobiel", "mobile"},
		{"Adres", "street"}, {"Postcode", "zip"}, {"Plaats", "city"}, {"Land", "country"}, {"Opmerkingen", "notes"}}},
	{name: "Shopify", lang: "en", source: "help.shopify.com: customer CSV", phones: "apostrophe", countries: "alpha2", cols: [][2]string{
		{"First Name", "first"}, {"Last Name", "last"}, {"Email", "email"}, {"Accepts Email Marketing", "bool"}, {"Default Address Company", "company"},
		{"Default Address Address1", "street"}, {"Default Address Address2", "line2"}, {"Default Address City", "city"},
		{"Default Address Country Code", "countrycode"}, {"Default Address Zip", "zip"}, {"Phone", "mobile"}, {"Total Spent", "noise"}, {"Tags", "tags"}}},
	{name: "ActiveCampaign", lang: "en", source: "help.activecampaign.com: export contacts", phones: "intl", countries: "name", cols: [][2]string{
		{"Email", "email"}, {"First Name", "first"}, {"Last Name", "last"}, {"Phone", "phone"}, {"Organization", "company"},
		{"Tags", "tags"}, {"Date Created", "date"}, {"IP Address", "noise"}}},
}

var heldOut = []exporter{
	{name: "Klaviyo", lang: "en", source: "help.klaviyo.com: profile properties export", phones: "intl", countries: "name", cols: [][2]string{
		{"Email", "email"}, {"First Name", "first"}, {"Last Name", "last"}, {"Phone Number", "mobile"}, {"Address", "street"}, {"Address 2", "line2"},
		{"City", "city"}, {"State / Region", "state"}, {"Country", "country"}, {"Zip Code", "zip"}, {"Organization", "company"}, {"Source", "noise"}}},
	{name: "Teamleader", lang: "nl", source: "Teamleader Focus contacten exporteren", phones: "national", countries: "name", sep: ";", cols: [][2]string{
		{"Voornaam", "first"}, {"Familienaam", "last"}, {"E-mail", "email"}, {"Telefoon", "phone"}, {"GSM", "mobile"}, {"Straat", "street"},
		{"Postcode", "zip"}, {"Gemeente", "city"}, {"Land", "country"}, {"Bedrijf", "company"}}},
	{name: "Copper", lang: "en", source: "support.copper.com: export people", phones: "intl", countries: "name", cols: [][2]string{
		{"First Name", "first"}, {"Last Name", "last"}, {"Work Email", "email"}, {"Personal Email", "email2"}, {"Work Phone", "phone"},
		{"Mobile Phone", "mobile"}, {"Street", "street"}, {"City", "city"}, {"State", "state"}, {"Postal Code", "zip"}, {"Country", "country"},
		{"Company", "company"}, {"Tags", "tags"}}},
	{name: "Freshsales", lang: "en", source: "crmsupport.freshworks.com: export contacts", phones: "intl", countries: "name", cols: [][2]string{
		{"First name", "first"}, {"Last name", "last"}, {"Emails", "email"}, {"Work number", "phone"}, {"Mobile number", "mobile"},
		{"Address", "street"}, {"City", "city"}, {"State", "state"}, {"Zipcode", "zip"}, {"Country", "country"}, {"Lifecycle stage", "noise"}}},
	{name: "Constant Contact", lang: "en", source: "knowledgebase.constantcontact.com: export contacts", phones: "intl", countries: "name", cols: [][2]string{
		{"Email address - other", "email"}, {"First name", "first"}, {"Last name", "last"}, {"Company", "company"}, {"Phone - mobile", "mobile"},
		{"Phone - work", "phone"}, {"Street address line 1 - Home", "street"}, {"City - Home", "city"}, {"State/Province - Home", "state"},
		{"Zip/Postal Code - Home", "zip"}, {"Country - Home", "country"}, {"Tags", "tags"}}},
	{name: "Zendesk", lang: "en", source: "support.zendesk.com: bulk user export", phones: "intl", countries: "name", cols: [][2]string{
		{"name", "full"}, {"email", "email"}, {"phone", "phone"}, {"organization", "company"}, {"notes", "notes"}, {"tags", "tags"}, {"role", "noise"}}},
	{name: "Eventbrite", lang: "en", source: "Eventbrite attendee summary report", phones: "national", countries: "alpha2", cols: [][2]string{
		{"Order #", "noise"}, {"Order Date", "date"}, {"First Name", "first"}, {"Last Name", "last"}, {"Email", "email"}, {"Quantity", "noise"},
		{"Home Address 1", "street"}, {"Home Address 2", "line2"}, {"Home City", "city"}, {"Home State", "state"}, {"Home Zip", "zip"},
		{"Home Country", "country"}, {"Cell Phone", "mobile"}, {"Work Phone", "phone"}, {"Company", "company"}}},
	{name: "DATEV", lang: "de", source: "DATEV Debitoren/Kreditoren Stammdaten", phones: "national", countries: "alpha2", sep: ";", cols: [][2]string{
		{"Konto", "noise"}, {"Vorname", "first"}, {"Nachname", "last"}, {"Unternehmen", "company"}, {"Straße", "street"}, {"Postleitzahl", "zip"},
		{"Ort", "city"}, {"Land", "country"}, {"Telefon", "phone"}, {"E-Mail", "email"}}},
	{name: "Fatture in Cloud", lang: "it", source: "Fatture in Cloud: esporta anagrafica clienti", phones: "national", countries: "name", sep: ";", cols: [][2]string{
		{"Nome", "first"}, {"Cognome", "last"}, {"Email", "email"}, {"Telefono", "phone"}, {"Cellulare", "mobile"}, {"Indirizzo", "street"},
		{"CAP", "zip"}, {"Città", "city"}, {"Provincia", "state"}, {"Nazione", "country"}, {"Note", "notes"}}},
	{name: "Holded", lang: "es", source: "Holded: exportar contactos", phones: "national", countries: "name", sep: ";", cols: [][2]string{
		{"Nombre", "first"}, {"Apellidos", "last"}, {"Correo electrónico", "email"}, {"Teléfono", "phone"}, {"Móvil", "mobile"},
		{"Dirección", "street"}, {"Código postal", "zip"}, {"Población", "city"}, {"Provincia", "state"}, {"País", "country"}, {"Etiquetas", "tags"}}},
	{name: "Fakturownia", lang: "pl", source: "Fakturownia: eksport klientów", phones: "national", countries: "name", sep: ";", cols: [][2]string{
		{"Imię", "first"}, {"Nazwisko", "last"}, {"E-mail", "email"}, {"Telefon", "phone"}, {"Telefon komórkowy", "mobile"}, {"Ulica", "street"},
		{"Kod pocztowy", "zip"}, {"Miejscowość", "city"}, {"Kraj", "country"}, {"Nazwa firmy", "company"}, {"Uwagi", "notes"}}},
	{name: "RD Station", lang: "pt", source: "RD Station CRM: exportar contatos", phones: "intl", countries: "name", cols: [][2]string{
		{"Nome", "first"}, {"Sobrenome", "last"}, {"E-mail", "email"}, {"Telefone", "phone"}, {"Celular", "mobile"}, {"Endereço", "street"},
		{"CEP", "zip"}, {"Cidade", "city"}, {"Estado", "state"}, {"País", "country"}, {"Empresa", "company"}}},
	{name: "Stripe", lang: "en", source: "Stripe customers export", phones: "intl", countries: "alpha2", cols: [][2]string{
		{"id", "noise"}, {"Description", "notes"}, {"Email", "email"}, {"Name", "full"}, {"Phone", "phone"}, {"Address Line1", "street"},
		{"Address Line2", "line2"}, {"Address City", "city"}, {"Address State", "state"}, {"Address Country", "countrycode"},
		{"Address Postal Code", "zip"}, {"Created (UTC)", "date"}}},
	{name: "LinkedIn", lang: "en", source: "LinkedIn Connections.csv", phones: "intl", countries: "name", cols: [][2]string{
		{"First Name", "first"}, {"Last Name", "last"}, {"URL", "noise"}, {"Email Address", "email"}, {"Company", "company"},
		{"Position", "noise"}, {"Connected On", "date"}}},
	{name: "Moneybird", lang: "nl", source: "Moneybird contacten exporteren", phones: "variant", countries: "variant", sep: ";", cols: [][2]string{
		{"Bedrijfsnaam", "company"}, {"Voornaam", "first"}, {"Achternaam", "last"}, {"Adres 1", "street"}, {"Adres 2", "line2"},
		{"Postcode", "zip"}, {"Plaats", "city"}, {"Land", "country"}, {"Telefoonnummer", "phone"}, {"E-mailadres", "email"}}},
}

// corpusRows is the rows of each generated file; the first previewSize
// are the sample recognition profiles, as the service's head.
const corpusRows = 30

// landed scores one generated file with no mapping: recognition from its
// headers and its first rows, then every row through the layout and the
// normaliser. It returns the field values right, all field values, and
// the misses by field.
func landed(t *testing.T, ex exporter, offset int) (right, total int, misses map[string]int) {
	t.Helper()
	headers, data, truths := genFile(ex, corpusRows, offset)
	res := Recognize(intake.ResourceContacts, nil, headers, data[:20], "NL", intake.ColumnMapping{})
	if res.Uncertain {
		t.Logf("%s: uncertain columns; the job would wait: %v", ex.name, res.Warnings)
	}
	layout := NewLayout(intake.ResourceContacts, nil, res.Mapping, headers)
	n := normalizer{region: "NL"}
	misses = map[string]int{}
	for i, row := range data {
		c, errs := n.build(layout.Fields(row))
		for field, want := range truths[i] {
			for _, w := range want {
				total++
				if !res.Uncertain && hasValue(c, field, w) && !erred(errs, field) {
					right++
				} else {
					misses[field]++
				}
			}
		}
	}
	return right, total, misses
}

func erred(errs []intake.RowError, field string) bool {
	return slices.ContainsFunc(errs, func(e intake.RowError) bool { return e.Field == field })
}

// hasValue reports whether contact c holds want as field: emails and
// phones as the primary or an alternate, an alternate address as part of
// one, tags as the set.
func hasValue(c intake.Contact, field, want string) bool {
	alts := func(typ string) []string {
		var out []string
		for _, a := range c.Alternates {
			if a.Type == typ {
				out = append(out, a.Value)
			}
		}
		return out
	}
	switch field {
	case "email":
		return c.Email == want || slices.Contains(alts("email"), want)
	case "phone":
		return strings.SplitN(c.Phone, ";", 2)[0] == want || slices.ContainsFunc(alts("phone"), func(v string) bool { return strings.SplitN(v, ";", 2)[0] == want })
	case "alt_address":
		return slices.ContainsFunc(alts("address"), func(v string) bool { return strings.Contains(v, want) })
	case "tags":
		got := slices.Clone(c.Tags)
		sort.Strings(got)
		return strings.Join(got, ",") == want
	}
	f, ok := intake.LookupField(field)
	if !ok {
		return false
	}
	v := f.Column(&c)
	return v != nil && *v == want
}

// TestCorpusGeneralises measures recognition on the build half and on the
// held-out half of the corpus, with no mapping, and logs both numbers and
// the misses by exporter and field.
func TestCorpusGeneralises(t *testing.T) {
	t.Parallel()
	langs := map[string]bool{}
	for _, ex := range append(slices.Clone(buildSet), heldOut...) {
		langs[ex.lang] = true
	}
	if len(buildSet)+len(heldOut) < 20 || len(langs) < 6 {
		t.Fatalf("the corpus has %d exporters in %d languages; want 20 and 6", len(buildSet)+len(heldOut), len(langs))
	}
	measure := func(set []exporter) float64 {
		var right, total int
		for i, ex := range set {
			r, n, misses := landed(t, ex, i*corpusRows)
			right, total = right+r, total+n
			if r < n {
				t.Logf("  %-18s %4d/%4d  misses %v", ex.name, r, n, misses)
			}
		}
		return float64(right) / float64(total)
	}
	build := measure(buildSet)
	held := measure(heldOut)
	t.Logf("field values right: build half %.1f %%, held-out half %.1f %%", build*100, held*100)
	if build < 0.98 || held < 0.98 {
		t.Errorf("field values right: build %.3f, held-out %.3f; want at least 0.98 each", build, held)
	}
}
