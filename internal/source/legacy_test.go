package source

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// TestLegacyEncodings reads CSV files saved in East Asian legacy
// encodings and in windows-1252, with no encoding given.
func TestLegacyEncodings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, want string
		enc        encoding.Encoding
		text       string
	}{
		{"shift_jis", "shift_jis", japanese.ShiftJIS, "氏名,メールアドレス,電話番号,住所\n佐藤 太郎,taro@example.jp,03-1234-5678,東京都千代田区丸の内1丁目\n鈴木 花子,hanako@example.jp,06-9876-5432,大阪府大阪市北区梅田2丁目\n"},
		{"euc-jp", "euc-jp", japanese.EUCJP, "氏名,メール\n高橋 一郎,ichiro@example.jp\n田中 美咲,misaki@example.jp\n"},
		{"gbk", "gb18030", simplifiedchinese.GBK, "姓名,邮箱,电话,公司\n王伟,wang@example.cn,13800138000,北京科技有限公司\n李娜,li@example.cn,13900139000,上海贸易有限公司\n张敏,zhang@example.cn,13700137000,深圳电子集团\n"},
		{"big5", "big5", traditionalchinese.Big5, "姓名,郵箱,電話,地址\n陳大文,chan@example.tw,0912345678,台北市中正區\n林美玲,lin@example.tw,0987654321,高雄市前鎮區\n"},
		{"euc-kr", "euc-kr", korean.EUCKR, "이름,이메일,전화번호,주소\n김민수,kim@example.kr,010-1234-5678,서울특별시 강남구\n이지은,lee@example.kr,010-9876-5432,부산광역시 해운대구\n"},
		{"windows-1252", "windows-1252", charmap.Windows1252, "Name,E-Mail,Stadt\nJürgen Müller,j@example.de,Köln\nJosé Peña,jose@example.es,Málaga\nFrançois Lefèvre,f@example.fr,Besançon\n"},
		{"windows-1252 upper", "windows-1252", charmap.Windows1252, "NAME;STADT\nÅSA ÖBERG;GÖTEBORG\nSØREN ÆRØ;ÅRHUS\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := tc.enc.NewEncoder().String(tc.text)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Open(strings.NewReader(data), Options{Name: "people.csv"})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if got := info(t, r).Encoding; got != tc.want {
				t.Errorf("encoding %q, want %q", got, tc.want)
			}
			rows, err := readAll(t, r)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(tc.text), "\n")
			wantHeader := strings.FieldsFunc(lines[0], func(r rune) bool { return r == ',' || r == ';' })
			if strings.Join(r.Header(), "|") != strings.Join(wantHeader, "|") {
				t.Errorf("header %q, want %q", r.Header(), wantHeader)
			}
			if len(rows) != len(lines)-1 || rows[0].Values[0] != strings.FieldsFunc(lines[1], func(r rune) bool { return r == ',' || r == ';' })[0] {
				t.Errorf("rows %v", rows)
			}
		})
	}
}
