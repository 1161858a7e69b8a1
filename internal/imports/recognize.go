package imports

import (
	"github.com/intake/intake"
	"github.com/intake/intake/internal/importer"
	"github.com/intake/intake/internal/source"
	"strings"
)

// previewSize is how many rows a job shows as read (DESIGN §4a) and how
// many the column profiles sample.
const previewSize = 20

// Bounds of the preview a job keeps with its options: a cell is cut at
// previewCell bytes and the rows stop at previewBytes in all, so a file
// of long or many cells does not make every read of the job heavy.
const (
	previewCell  = 256
	previewBytes = 64 << 10
)

// previewRows reads the first data rows of src, as read (long cells cut):
// they are the job's preview_rows and the sample recognition profiles.
// src is read further by nobody (readHeader closes it).
func previewRows(src source.Reader) [][]string {
	rows := [][]string{}
	size := 0
	for len(rows) < previewSize && size < previewBytes {
		row, err := src.Next()
		if err != nil {
			return rows // io.EOF, or a problem the job will report on its own read
		}
		if row.Err != nil {
			continue
		}
		vals := make([]string, len(row.Values))
		for i, v := range row.Values {
			if len(v) > previewCell {
				v = strings.ToValidUTF8(v[:previewCell], "") + "…"
			}
			vals[i], size = v, size+len(v)
		}
		rows = append(rows, vals)
	}
	return rows
}

// recognize resolves spec's mapping from the job's headers, its preview
// rows and the request's columns, and keeps the decisions in
// spec.Recognition.
func (s *Service) recognize(spec *intake.ImportSpec, req intake.ImportRequest, reg *intake.Registry, headers []string) (map[string]string, []intake.FieldError, []string) {
	rec := spec.Recognition
	if rec == nil {
		rec = &intake.Recognition{}
	}
	region := spec.Region
	if region == "" {
		region = s.Engine.Region
	}
	res := importer.Recognize(spec.Resource, reg, headers, rec.PreviewRows, region, req.Columns)
	source := rec.MappingSource
	if req.LearnedFrom != nil {
		source = req.LearnedFrom
		for i, c := range res.Columns {
			if reason := req.Learned[c.Header]; reason != "" {
				res.Columns[i].Reason = reason
			}
		}
	}
	spec.Recognition = &intake.Recognition{Columns: res.Columns, PreviewRows: rec.PreviewRows, MappingSource: source,
		Uncertain: res.Uncertain}
	return res.Mapping, res.Problems, res.Warnings
}
