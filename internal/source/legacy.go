package source

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/transform"
)

// No maintained charset detector for Go is among the modules this project
// may use (the Mozilla/ICU ports are unmaintained or absent from the
// registry list), so detection is done here with golang.org/x/text's
// decoders, which are already a dependency: a head that is not UTF-8 is
// decoded with every candidate, and the decoding that reads as text wins.

// legacyCandidates are the East Asian legacy encodings tried, with their
// WHATWG names. GB18030 decodes GBK and GB2312 too.
var legacyCandidates = []struct {
	name string
	enc  encoding.Encoding
}{
	{"shift_jis", japanese.ShiftJIS},
	{"euc-jp", japanese.EUCJP},
	{"gb18030", simplifiedchinese.GB18030},
	{"big5", traditionalchinese.Big5},
	{"euc-kr", korean.EUCKR},
}

// detectLegacy picks the encoding of a head that is not valid UTF-8 (nor
// UTF-16): windows-1252 unless an East Asian encoding decodes it without
// error into text that reads as Japanese, Chinese or Korean.
//
// Latin text in windows-1252 has its 8-bit bytes mostly alone between
// ASCII letters (Müller, José); East Asian double-byte text has them in
// pairs and runs. Among the candidates that decode without error, each
// character counts by how plausible it is in contact data: kana and
// Hangul syllables (unambiguous in their encodings), the common Han
// characters of names, places and companies, other Han a little;
// half-width katakana and compatibility characters count against (a
// Latin text misread as Shift_JIS becomes half-width katakana).
func detectLegacy(head []byte) textEncoding {
	cp1252 := textEncoding{name: "windows-1252", enc: charmap.Windows1252}
	if isolatedHighBytes(head) {
		return cp1252
	}
	best, bestScore := cp1252, 0.0
	for _, c := range legacyCandidates {
		out, _, err := transform.Bytes(c.enc.NewDecoder(), head)
		if err != nil {
			continue
		}
		if s := legacyScore(out); s > bestScore {
			best, bestScore = textEncoding{name: c.name, enc: c.enc}, s
		}
	}
	return best
}

// isolatedHighBytes reports whether most 8-bit bytes stand alone between
// ASCII bytes, as accented letters in a Western text do.
func isolatedHighBytes(b []byte) bool {
	high, alone := 0, 0
	for i, c := range b {
		if c < 0x80 {
			continue
		}
		high++
		if (i == 0 || b[i-1] < 0x80) && (i+1 == len(b) || b[i+1] < 0x80) {
			alone++
		}
	}
	return high == 0 || alone*2 > high
}

// legacyScore scores decoded text; 0 or less means it does not read as
// East Asian text. A replacement character (a byte sequence the encoding
// lacks) disqualifies it, except one at the very end, where the head may
// cut a character.
func legacyScore(text []byte) float64 {
	s := strings.TrimRight(string(text), "\uFFFD")
	score, nonASCII := 0.0, 0
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		s = s[n:]
		if r < utf8.RuneSelf {
			continue
		}
		nonASCII++
		switch {
		case r == utf8.RuneError:
			return 0
		case r >= 0x3040 && r <= 0x30FF: // hiragana, katakana
			score += 2
		case r >= 0xAC00 && r <= 0xD7A3: // Hangul syllables
			score += 2
		case strings.ContainsRune(commonHan, r):
			score += 2
		case unicode.Is(unicode.Han, r):
			score += 0.25
		case r >= 0x3000 && r <= 0x303F, r >= 0xFF01 && r <= 0xFF5E: // CJK punctuation, full-width ASCII
			score += 0.5
		case r >= 0xFF61 && r <= 0xFF9F: // half-width katakana
			score -= 1
		default:
			score -= 0.5
		}
	}
	if nonASCII == 0 {
		return 0
	}
	return score / float64(nonASCII)
}

// commonHan are frequent Han characters of contact data (surnames, given
// names, places, address words, company words, the most frequent
// characters of running text) in simplified, traditional and Japanese
// forms. A wrong decoding lands on these rarely.
const commonHan = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴切局示杨刘陈赵吴周徐孙朱胡郭何高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金廖贾夏韦方邹孟熊秦邱尹薛段雷侯龙陶黎贺顾毛郝龚邵钱严覃戴莫孔汤省县街号楼室巷弄镇乡村段栋座层电话邮箱公司有限股份集团科技贸易实业中心大学医院银行北京上海广州深圳天津重庆成都杭州南京武汉西安台北台中高雄香港澳门這個來們為說會過對裡後麼發當現兩與樣見經頭長種無開給間點國區縣鎮鄉樓號電話郵箱責團貿業醫銀陳張劉楊黃趙吳孫鄭謝許韓馮鄧蕭董袁潘蔣蔡魏呂盧鍾譚陸廖賈韋鄒龍陶賀顧龔錢嚴湯臺門東車書學術華傳體聽氣處邊關廣張陽灣佐藤鈴木高橋渡辺伊山中小林加吉田松井斎清水森池川島村野宮内岡崎原藤本沢西谷坂口太郎次花子美智恵由紀都道府県町丁目番地様株式会社営業部課東京大阪京都名古屋横浜神奈川埼玉千葉北海福岡兵庫広島仙台札幌宛先氏名前住所携帯番号電子郵便"
