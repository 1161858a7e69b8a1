package source

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-vcard"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// vcardLines reads the content lines of a vCard file, unfolded, in linear
// time: each physical line is appended once to the logical line being
// built (go-vcard's decoder re-joins the whole value on every continuation
// line, which made a 3.9 MB folded NOTE take minutes). The card limit is
// applied while reading, so a 100 MB folded property costs at most the
// limit in memory and stops there.
//
// Two kinds of continuation are joined: RFC 2425/6350 folding (a line
// starting with a space or tab continues the previous one, that one
// character dropped) and vCard 2.1 quoted-printable soft line breaks (a
// QUOTED-PRINTABLE value's line ending in '=' continues on the next line).
type vcardLines struct {
	br    *bufio.Reader
	limit int    // bytes one card may span
	used  int    // bytes of the current card read so far
	line  []byte // the logical line being built, reused
}

// errCardTooLong is returned when a card passes the limit.
var errCardTooLong = errors.New("card too long")

// physical reads one physical line without its line ending, counting it
// against the card; the bytes are appended to dst.
func (v *vcardLines) physical(dst []byte) ([]byte, error) {
	start := len(dst)
	for {
		chunk, err := v.br.ReadSlice('\n')
		v.used += len(chunk)
		if v.used > v.limit {
			return dst, errCardTooLong
		}
		dst = append(dst, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && (err != io.EOF || len(dst) == start) {
			return dst, err
		}
		break
	}
	for len(dst) > start && (dst[len(dst)-1] == '\n' || dst[len(dst)-1] == '\r') {
		dst = dst[:len(dst)-1]
	}
	return dst, nil
}

// next returns the next logical line (valid until the next call), or
// io.EOF at the end of the input.
func (v *vcardLines) next() ([]byte, error) {
	var err error
	for {
		v.line, err = v.physical(v.line[:0])
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(v.line)) > 0 {
			break
		}
	}
	qp := isQuotedPrintable(v.line)
	for {
		if qp && len(v.line) > 0 && v.line[len(v.line)-1] == '=' {
			// A soft line break: the next line goes on without the '='.
			v.line = v.line[:len(v.line)-1]
			if v.line, err = v.physical(v.line); err != nil && err != io.EOF {
				return nil, err
			}
			continue
		}
		c, perr := v.br.Peek(1)
		if perr != nil || (c[0] != ' ' && c[0] != '\t') {
			return v.line, nil
		}
		v.used++
		if _, err := v.br.Discard(1); err != nil {
			return nil, err
		}
		if v.line, err = v.physical(v.line); err != nil && err != io.EOF {
			return nil, err
		}
	}
}

// isQuotedPrintable reports whether a content line's parameters say
// ENCODING=QUOTED-PRINTABLE (or the 2.1 bare QUOTED-PRINTABLE).
func isQuotedPrintable(line []byte) bool {
	colon := bytes.IndexByte(line, ':')
	if colon < 0 {
		return false
	}
	return bytes.Contains(bytes.ToUpper(line[:colon]), []byte("QUOTED-PRINTABLE"))
}

// vcardProp is one parsed content line.
type vcardProp struct {
	name   string       // upper case, group removed
	params vcard.Params // keys upper case; 2.1 bare values under TYPE
	value  string       // decoded (quoted-printable, charset), still escaped
}

// bareParams are the 2.1 bare parameter values that are not types.
var bareParams = map[string]string{
	"QUOTED-PRINTABLE": "ENCODING", "BASE64": "ENCODING", "8BIT": "ENCODING", "7BIT": "ENCODING",
	"INLINE": "VALUE", "URL": "VALUE",
}

// parseProp splits a logical line into name, parameters and value. fallback
// decodes a value that has no CHARSET and is not valid UTF-8 (the file's
// detected encoding; nil for windows-1252).
func parseProp(line []byte, fallback encoding.Encoding) (vcardProp, bool) {
	colon := paramsEnd(line)
	if colon < 0 {
		return vcardProp{}, false
	}
	head := string(line[:colon])
	parts := splitUnquoted(head, ';')
	name := strings.ToUpper(strings.TrimSpace(parts[0]))
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:] // item1.EMAIL: the group is Apple's label link
	}
	p := vcardProp{name: name, params: vcard.Params{}}
	for _, param := range parts[1:] {
		k, val, ok := strings.Cut(param, "=")
		if !ok {
			val = strings.TrimSpace(k)
			k = "TYPE"
			if other, isOther := bareParams[strings.ToUpper(val)]; isOther {
				k = other
			}
		}
		k = strings.ToUpper(strings.TrimSpace(k))
		for _, one := range splitUnquoted(val, ',') {
			p.params.Add(k, strings.Trim(strings.TrimSpace(one), `"`))
		}
	}
	raw := line[colon+1:]
	enc := strings.ToUpper(p.params.Get("ENCODING"))
	if enc == "QUOTED-PRINTABLE" || enc == "QP" {
		raw = decodeQP(raw)
	}
	p.value = decodeCharset(raw, p.params.Get("CHARSET"), fallback)
	return p, true
}

// paramsEnd returns the index of the ':' that ends the name and parameters
// (a quoted parameter value may hold one), or -1.
func paramsEnd(line []byte) int {
	quoted := false
	for i, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case c == ':' && !quoted:
			return i
		}
	}
	return -1
}

// splitUnquoted splits s at sep outside double quotes.
func splitUnquoted(s string, sep byte) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			quoted = !quoted
		case s[i] == sep && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// decodeQP decodes quoted-printable text leniently: "=XX" is a byte, any
// other '=' is kept (exporters write stray ones).
func decodeQP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '=' && i+2 < len(b) && isHex(b[i+1]) && isHex(b[i+2]) {
			out = append(out, unhex(b[i+1])<<4|unhex(b[i+2]))
			i += 2
			continue
		}
		out = append(out, b[i])
	}
	return out
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// decodeCharset turns a value's bytes into UTF-8: by its CHARSET parameter
// when it has one Intake knows, else as UTF-8 when valid, else by fallback
// (windows-1252 when nil), the encoding of the file.
func decodeCharset(b []byte, charset string, fallback encoding.Encoding) string {
	if charset != "" {
		if enc, err := htmlindex.Get(charset); err == nil && enc != encoding.Replacement {
			if name, _ := htmlindex.Name(enc); name != "utf-8" {
				if out, err := enc.NewDecoder().Bytes(b); err == nil {
					return string(out)
				}
			}
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	if fallback == nil {
		fallback = charmap.Windows1252
	}
	if out, err := fallback.NewDecoder().Bytes(b); err == nil {
		return string(out)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// vcardUnescape undoes vCard text escaping: \n, \N, \, \; \\.
func vcardUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// vcardComponents splits a structured value (N, ADR, ORG) at unescaped
// ';' and unescapes each component.
func vcardComponents(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ';':
			out = append(out, vcardUnescape(s[start:i]))
			start = i + 1
		}
	}
	return append(out, vcardUnescape(s[start:]))
}
