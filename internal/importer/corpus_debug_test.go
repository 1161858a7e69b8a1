package importer

import (
	"os"
	"testing"

	"github.com/intake/intake"
)

func TestCorpusDebug(t *testing.T) {
	name := os.Getenv("CORPUS_DEBUG")
	if name == "" {
		t.Skip()
	}
	for _, ex := range append(buildSet, heldOut...) {
		if ex.name != name {
			continue
		}
		headers, data, truths := genFile(ex, corpusRows, 0)
		res := Recognize(intake.ResourceContacts, nil, headers, data[:20], "NL", intake.ColumnMapping{})
		for _, c := range res.Columns {
			t.Logf("%-30q → %-28s %s %.2f %q %v", c.Header, c.Target, c.Reason, c.Confidence, c.Suggested, c.Samples)
		}
		t.Log(res.Warnings)
		layout := NewLayout(intake.ResourceContacts, nil, res.Mapping, headers)
		n := normalizer{region: "NL"}
		for i := range 2 {
			c, errs := n.build(layout.Fields(data[i]))
			t.Logf("row %v\n truth %v\n got %+v\n errs %v", data[i], truths[i], c, errs)
		}
	}
}
