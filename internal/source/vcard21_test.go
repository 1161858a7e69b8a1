package source

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// TestVCard21 reads what Outlook and old phones export: vCard 2.1 with
// quoted-printable values (soft line breaks), CHARSET parameters and bare
// types (TEL;WORK;VOICE, EMAIL;PREF;INTERNET).
func TestVCard21(t *testing.T) {
	t.Parallel()
	card := "BEGIN:VCARD\r\nVERSION:2.1\r\n" +
		"N;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:=C1lvarez;Jos=E9\r\n" +
		"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Jos=C3=A9 =C3=81lvarez Mart=C3=ADnez de la Fuente y =\r\n" +
		"Garc=C3=ADa\r\n" +
		"ORG;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Caf=E9 S.A.;Ventas\r\n" +
		"EMAIL;INTERNET:jose@home.example\r\n" +
		"EMAIL;PREF;INTERNET:jose@work.example\r\n" +
		"EMAIL;WORK;INTERNET:second@work.example\r\n" +
		"EMAIL;WORK;INTERNET:third@work.example\r\n" +
		"TEL;WORK;VOICE:+34 91 123 45 67\r\n" +
		"TEL;CELL;VOICE:+34 600 111 222\r\n" +
		"TEL;HOME;VOICE:+34 91 765 43 21\r\n" +
		"TEL;WORK;FAX:+34 91 123 45 68\r\n" +
		"ADR;WORK;ENCODING=QUOTED-PRINTABLE;CHARSET=Windows-1252:;;Calle Mayor 1;M=E1laga;;29001;Espa=F1a\r\n" +
		"NOTE;ENCODING=QUOTED-PRINTABLE:line one=0D=0Aline two\r\n" +
		"PHOTO;ENCODING=BASE64;TYPE=JPEG:\r\n /9j/4AAQSkZJRgABAQAAAQABAAD\r\n\r\n" +
		"END:VCARD\r\n"
	r, err := Open(strings.NewReader(card), Options{Name: "outlook.vcf"})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := readAll(t, r)
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows %v, err %v", rows, err)
	}
	row := rows[0]
	if row.Err != nil {
		t.Fatalf("row error %v", row.Err)
	}
	got := map[string]string{}
	for i, h := range r.Header() {
		if i < len(row.Values) && row.Values[i] != "" {
			got[h] = row.Values[i]
		}
	}
	want := map[string]string{
		"name": "José Álvarez Martínez de la Fuente y García", "last_name": "Álvarez", "first_name": "José",
		"company": "Café S.A.", "email": "jose@work.example", "alternate_emails_other": "jose@home.example",
		"alternate_emails_work": "second@work.example", "alternate_emails_work_2": "third@work.example",
		"phone": "+34 91 123 45 67", "alternate_phones_mobile": "+34 600 111 222", "alternate_phones_home": "+34 91 765 43 21",
		"alternate_phones_fax": "+34 91 123 45 68",
		"address":              "Calle Mayor 1", "city": "Málaga", "postal_code": "29001", "country": "España",
		"notes": "line one\r\nline two",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d values %v, want %d", len(got), got, len(want))
	}
}

// TestVCardFoldedLinear is D6: a long folded property is unfolded in
// linear time, and the card limit stops a longer one while it is read.
func TestVCardFoldedLinear(t *testing.T) {
	t.Parallel()
	folded := func(size int) string {
		var b strings.Builder
		b.WriteString("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Long\r\nNOTE:")
		for b.Len() < size {
			b.WriteString(strings.Repeat("x", 74) + "\r\n ")
		}
		b.WriteString("end\r\nEND:VCARD\r\n")
		return b.String()
	}
	// Just under the limit: read whole, and fast (at 64 KiB a line the
	// old quadratic join of a 3.9 MB value took 117 s).
	r, err := Open(strings.NewReader(folded(900<<10)), Options{MaxRowBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := readAll(t, r)
	if err != nil || len(rows) != 1 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	note := rows[0].Values[vcardColumn["notes"]]
	if len(note) < 850<<10 || !strings.HasSuffix(note, "xend") || strings.Contains(note, " ") {
		t.Errorf("note of %d bytes, ends %q", len(note), note[len(note)-10:])
	}
	// Over the limit: the file fails at the limit; the reader never asked
	// for much more than the limit.
	src := &countingReader{r: strings.NewReader(folded(8 << 20))}
	r, err = Open(src, Options{MaxRowBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); FileCode(err) != "row_too_long" {
		t.Fatalf("Next = %v, want row_too_long", err)
	}
	if src.n > 2<<20 {
		t.Errorf("read %d bytes of a card limited to 1 MiB", src.n)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// BenchmarkVCardFolded measures D6's shape: one 3.9 MB folded property.
func BenchmarkVCardFolded(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Long\r\nNOTE:")
	for sb.Len() < 3900<<10 {
		sb.WriteString(strings.Repeat("x", 74) + "\r\n ")
	}
	sb.WriteString("end\r\nEND:VCARD\r\n")
	card := sb.String()
	for b.Loop() {
		r, err := Open(strings.NewReader(card), Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Next(); err != nil {
			b.Fatal(fmt.Errorf("next: %w", err))
		}
	}
}
