package source

import (
	"bufio"
	"bytes"
	"github.com/intake/intake"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// textEncoding is the character encoding of a text file (CSV, TSV, JSON).
type textEncoding struct {
	name   string            // WHATWG name, for Info
	enc    encoding.Encoding // nil for UTF-8, which is read as is
	bomLen int               // bytes of byte order mark to skip
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// detectEncoding decides the encoding from the head of the file and the
// declared encoding name ("" detects). A byte order mark wins over the
// declared name. Without one, UTF-16 is recognised by its zero bytes, and a
// head that is not valid UTF-8 is an East Asian legacy encoding when it
// reads as one (detectLegacy), else windows-1252, the usual encoding of a
// CSV saved by Excel on Windows.
//
// The decision is made once, from the head: bytes further on that turn out
// not to be valid UTF-8 are replaced by U+FFFD and the row gets a RowError
// "invalid_encoding" (see fixEncoding), so no row is silently mangled.
func detectEncoding(head []byte, declared string, atEOF bool) (textEncoding, error) {
	switch {
	case bytes.HasPrefix(head, bomUTF8):
		return textEncoding{name: "utf-8", bomLen: 3}, nil
	case bytes.HasPrefix(head, bomUTF16LE):
		return textEncoding{name: "utf-16le", enc: unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), bomLen: 2}, nil
	case bytes.HasPrefix(head, bomUTF16BE):
		return textEncoding{name: "utf-16be", enc: unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), bomLen: 2}, nil
	}
	if declared != "" {
		enc, err := htmlindex.Get(strings.TrimSpace(declared))
		if err != nil || enc == encoding.Replacement {
			return textEncoding{}, errorf("unsupported_encoding", "The character encoding %q is not supported; use for example utf-8 or windows-1252.", declared)
		}
		name, _ := htmlindex.Name(enc)
		if name == "utf-8" {
			enc = nil
		}
		return textEncoding{name: name, enc: enc}, nil
	}
	if le, be := looksUTF16(head); le {
		return textEncoding{name: "utf-16le", enc: unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)}, nil
	} else if be {
		return textEncoding{name: "utf-16be", enc: unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)}, nil
	}
	if !atEOF {
		head = trimIncompleteRune(head)
	}
	if !utf8.Valid(head) {
		return detectLegacy(head), nil
	}
	return textEncoding{name: "utf-8"}, nil
}

// looksUTF16 recognises UTF-16 without a BOM by its zero bytes: mostly
// ASCII text in UTF-16LE has a zero in every odd byte and none in the even
// ones.
func looksUTF16(head []byte) (le, be bool) {
	if len(head) > 1024 {
		head = head[:1024]
	}
	pairs := len(head) / 2
	if pairs < 2 {
		return false, false
	}
	var even, odd int
	for i := 0; i+1 < len(head); i += 2 {
		if head[i] == 0 {
			even++
		}
		if head[i+1] == 0 {
			odd++
		}
	}
	return odd*2 > pairs && even == 0, even*2 > pairs && odd == 0
}

// trimIncompleteRune drops a UTF-8 sequence cut off at the end of b.
func trimIncompleteRune(b []byte) []byte {
	for i := 1; i <= utf8.UTFMax-1 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < utf8.RuneSelf {
			return b
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}

// decodeHead returns the head as UTF-8 text, without BOM, for sniffing.
func (e textEncoding) decodeHead(head []byte, atEOF bool) []byte {
	b := head[e.bomLen:]
	if e.enc == nil {
		if !atEOF {
			b = trimIncompleteRune(b)
		}
		return b
	}
	if !atEOF && len(b)%2 == 1 && strings.HasPrefix(e.name, "utf-16") {
		b = b[:len(b)-1]
	}
	out, _, err := transform.Bytes(e.enc.NewDecoder(), b)
	if err != nil {
		return b
	}
	return out
}

// reader returns the rest of the file (BOM already skipped) as UTF-8.
func (e textEncoding) reader(br *bufio.Reader) *bufio.Reader {
	if e.enc == nil {
		return br
	}
	return bufio.NewReaderSize(transform.NewReader(br, e.enc.NewDecoder()), 16<<10)
}

// fixEncoding replaces invalid UTF-8 in values (only possible when the file
// is read as UTF-8) and reports whether it had to.
func fixEncoding(values []string) bool {
	fixed := false
	for i, v := range values {
		if !utf8.ValidString(v) {
			values[i] = strings.ToValidUTF8(v, "\uFFFD")
			fixed = true
		}
	}
	return fixed
}

func errInvalidEncoding() *RowError {
	return &intake.RowError{Code: "invalid_encoding", Message: "row contains bytes that are not valid UTF-8; they were replaced by \uFFFD"}
}
