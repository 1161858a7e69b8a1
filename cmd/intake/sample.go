package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
)

// sampleCmd is `intake sample N [--messy]`: a contacts CSV for trying
// Intake out, the same columns and mess as the project's benchmark
// generator (bench's gen_contacts.py), and as deterministic: one seed, so
// the same N gives the same file.
type sampleCmd struct {
	rows  int
	messy bool
}

func (c *sampleCmd) flags(fs *flag.FlagSet) {
	fs.BoolVar(&c.messy, "messy", false, "add what real exports have: ~1% repeated emails in another case with spaces, ~0.5% invalid emails, ~0.5% empty last names, phones in mixed national formats")
}

func (c *sampleCmd) args(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: intake sample ROWS [--messy] > contacts.csv")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 0 {
		return fmt.Errorf("rows %q: want a whole number such as 100000", args[0])
	}
	c.rows = n
	return nil
}

func (c *sampleCmd) run(m *Main) error {
	return writeSample(m.Stdout, c.rows, c.messy)
}

var (
	sampleFirst     = []string{"Anna", "Ben", "Carla", "David", "Eva", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Karin", "Lukas", "Mara", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sven", "Tara", "Ugo", "Vera", "Wim", "Xena", "Yusuf", "Zoe", "Zoë", "José", "Łukasz", "Chloé"}
	sampleLast      = []string{"Smith", "Müller", "Garcia", "Rossi", "Dubois", "Jansen", "Novak", "Kowalski", "Silva", "Berg", "O'Neil", "van Dijk", "Nguyen", "Kim", "Ivanova", "Hansen"}
	sampleCities    = []string{"Amsterdam", "Berlin", "Paris", "Madrid", "Rome", "Warsaw", "Lisbon", "Oslo", "Prague", "Vienna", "Zürich", "Kraków"}
	sampleCountries = []string{"NL", "DE", "FR", "ES", "IT", "PL", "PT", "NO", "CZ", "AT", "CH"}
	sampleTags      = []string{"vip", "newsletter", "lead", "customer", "partner", "trial"}
	sampleLegal     = []string{"BV", "GmbH", "SA", "Ltd"}
)

// writeSample writes rows contacts as CSV. With messy, about 1% of rows
// repeat an earlier row's email upper-cased with spaces around it (an
// in-file duplicate), 0.5% have an invalid email, 0.5% an empty
// last_name, and 40% a national phone format (06-…, (020) …).
func writeSample(out io.Writer, rows int, messy bool) error {
	r := rand.New(rand.NewPCG(42, 42))
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	between := func(lo, hi int) int { return lo + r.IntN(hi-lo) } // [lo, hi)
	w := bufio.NewWriterSize(out, 64<<10)
	w.WriteString("email,first_name,last_name,phone,company,city,country,customer_number,tags,signup_date\n")
	emails := make([]string, 0, rows)
	for i := range rows {
		fn, ln := pick(sampleFirst), pick(sampleLast)
		email := fmt.Sprintf("%s.%d@example%d.com", strings.ToLower(fn), i, i%97)
		phone := fmt.Sprintf("+31 6 %d", between(10000000, 99999999))
		if messy {
			switch x := r.Float64(); {
			case x < 0.01 && i > 10:
				email = "  " + strings.ToUpper(emails[r.IntN(i)]) + " "
			case x < 0.015:
				email = fmt.Sprintf("%s.%d-at-example.com", strings.ToLower(fn), i)
			case x < 0.02:
				ln = ""
			}
			switch y := r.Float64(); {
			case y < 0.3:
				phone = fmt.Sprintf("06-%d", between(10000000, 99999999))
			case y < 0.4:
				phone = fmt.Sprintf("(020) %d %d", between(100, 999), between(1000, 9999))
			}
		}
		emails = append(emails, strings.ToLower(strings.TrimSpace(email)))
		company := fmt.Sprintf("\"%s, %s\"", pick(sampleLast), pick(sampleLegal))
		tags := sampleTagsOf(r)
		date := fmt.Sprintf("20%d-%02d-%02d", between(10, 25), between(1, 13), between(1, 29))
		fmt.Fprintf(w, "%s,%s,%s,%s,%s,%s,%s,C%08d,\"%s\",%s\n", email, fn, ln, phone, company, pick(sampleCities), pick(sampleCountries), i, tags, date)
	}
	return w.Flush()
}

// sampleTagsOf picks 0–2 distinct tags.
func sampleTagsOf(r *rand.Rand) string {
	n := r.IntN(3)
	perm := r.Perm(len(sampleTags))[:n]
	out := make([]string, n)
	for i, p := range perm {
		out[i] = sampleTags[p]
	}
	return strings.Join(out, ",")
}
