package http

import (
	"reflect"
	"regexp"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/intake/intake/internal/dialect/native"
)

// completeDocument fills in what the hand-written operations (the raw
// upload handlers, added with AddOperation) leave out of the OpenAPI
// document, so that it validates and tells a client what to send and
// what comes back: every {param} of a path declared, a request body for
// every upload, a schema for every answer with a body, and examples
// taken from real responses on the main routes. It runs once, after
// every route is registered.
func completeDocument(oapi *huma.OpenAPI) {
	view := oapi.Components.Schemas.Schema(reflect.TypeFor[native.ImportView](), true, "")
	for path, item := range oapi.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Put, item.Patch, item.Delete} {
			if op == nil {
				continue
			}
			declarePathParams(path, op)
			if op.RequestBody == nil {
				op.RequestBody = uploadBodies[op.OperationID]
			}
			completeResponses(op, view)
			addExamples(op)
		}
	}
}

var pathParamRe = regexp.MustCompile(`\{([^}]+)\}`)

// declarePathParams declares, as strings, the path's parameters the
// operation does not declare itself.
func declarePathParams(path string, op *huma.Operation) {
	for _, m := range pathParamRe.FindAllStringSubmatch(path, -1) {
		declared := false
		for _, p := range op.Parameters {
			declared = declared || (p.In == "path" && p.Name == m[1])
		}
		if !declared {
			op.Parameters = append(op.Parameters, &huma.Param{Name: m[1], In: "path", Required: true,
				Description: pathParamDocs[m[1]], Schema: &huma.Schema{Type: "string"}})
		}
	}
}

var pathParamDocs = map[string]string{
	"token":   "The upload token from the async import's answer (upload.url).",
	"account": "The key's tenant (its slug).",
	"slug":    "The import's slug from the upload's answer (contact-import-ID).",
}

// completeResponses gives each success answer without content a JSON
// schema: the import job for the native routes, an object otherwise
// (the dialects' own shapes are in their descriptions).
func completeResponses(op *huma.Operation, view *huma.Schema) {
	if op.Responses == nil {
		op.Responses = map[string]*huma.Response{}
	}
	success := false
	for code, r := range op.Responses {
		if code == "204" || !strings.HasPrefix(code, "2") {
			continue
		}
		success = true
		if len(r.Content) == 0 {
			r.Content = map[string]*huma.MediaType{"application/json": {Schema: answerSchema(op.OperationID, view)}}
		}
		for _, mt := range r.Content {
			if mt.Schema == nil { // a file: errors.csv
				mt.Schema = &huma.Schema{Type: "string"}
			}
		}
	}
	if !success {
		op.Responses["200"] = &huma.Response{Description: "OK",
			Content: map[string]*huma.MediaType{"application/json": {Schema: answerSchema(op.OperationID, view)}}}
	}
}

func answerSchema(opID string, view *huma.Schema) *huma.Schema {
	switch opID {
	case "create-import":
		return view
	case "textus-upload":
		return &huma.Schema{Type: "object", Properties: map[string]*huma.Schema{"contact_import_slug": {Type: "string"}}}
	case "copernica-create-import-post", "copernica-create-import-put":
		return &huma.Schema{Type: "object", Properties: map[string]*huma.Schema{"ID": {Type: "integer"}}}
	}
	return &huma.Schema{Type: "object", AdditionalProperties: true}
}

// fileField is a multipart file part.
var fileField = &huma.Schema{Type: "string", Format: "binary", ContentEncoding: "binary", Description: "The file: CSV/TSV, XLSX, JSON or vCard."}

func stringProps(names ...string) map[string]*huma.Schema {
	out := map[string]*huma.Schema{}
	for _, n := range names {
		out[n] = &huma.Schema{Type: "string"}
	}
	return out
}

func withFile(props map[string]*huma.Schema) map[string]*huma.Schema {
	props["file"] = fileField
	return props
}

// nativeOptions are the upload's option fields (DESIGN §3), as form fields.
var nativeOptions = []string{"resource", "mode", "match_fields", "mapping", "column_mapping", "headers", "duplicates",
	"ignore_empty_fields", "skip_on_error", "invalid_fields", "header_row", "autostart", "upload_mode", "format", "delimiter",
	"encoding", "sheet", "region", "name", "event_key", "create_contacts", "remove_missing"}

var uploadBodies = map[string]*huma.RequestBody{
	"create-import": {Required: true, Description: "The file and its options.", Content: map[string]*huma.MediaType{
		"multipart/form-data": {Schema: &huma.Schema{Type: "object", Required: []string{"file"}, Properties: withFile(stringProps(nativeOptions...))}},
		"application/json": {Schema: &huma.Schema{Type: "object", Properties: mergeProps(stringProps(nativeOptions...),
			map[string]*huma.Schema{"data": {Type: "string", Description: "A base64 data URI of the file."},
				"source":   {Description: "Rows inline: a JSON array of objects, or the file's text."},
				"location": {Type: "string", Format: "uri", Description: "An http(s) URL to fetch the file from."}})}},
	}},
	"packagex-create-import": {Required: true, Content: map[string]*huma.MediaType{"application/json": {Schema: &huma.Schema{
		Type: "object", Required: []string{"action"}, Properties: mergeProps(stringProps("upload_mode", "action", "resource", "duplicate_handling", "name"),
			map[string]*huma.Schema{"data": {Description: "A base64 data URI of a CSV or XLSX file, an array of objects, or null (async)."},
				"column_mapping": {Type: "object", AdditionalProperties: &huma.Schema{Type: "string"}},
				"save_upload":    {Type: "boolean"}})}}}},
	"packagex-upload": {Required: true, Description: "The file itself.", Content: map[string]*huma.MediaType{
		"application/octet-stream": {Schema: &huma.Schema{Type: "string", Format: "binary", ContentEncoding: "binary"}},
		"text/csv":                 {Schema: &huma.Schema{Type: "string"}}}},
	"textus-upload": {Required: true, Content: map[string]*huma.MediaType{
		"multipart/form-data": {Schema: &huma.Schema{Type: "object", Required: []string{"file"}, Properties: withFile(stringProps("headers"))}},
		"application/json": {Schema: &huma.Schema{Type: "object", Properties: map[string]*huma.Schema{"file": {Type: "string", Description: "A data URI of the CSV."},
			"headers": {Type: "array", Items: &huma.Schema{Type: "string"}}}}}}},
	"copernica-create-import-post": copernicaBody,
	"copernica-create-import-put":  copernicaBody,
	"plannr-create-import": {Required: true, Content: map[string]*huma.MediaType{"multipart/form-data": {Schema: &huma.Schema{
		Type: "object", Required: []string{"type", "mode", "file"}, Properties: withFile(stringProps("type", "mode"))}}}},
	"plannr-set-mapping": {Required: true, Content: map[string]*huma.MediaType{"application/json": {Schema: &huma.Schema{
		Type: "object", Properties: map[string]*huma.Schema{"mapping": {Type: "object", AdditionalProperties: &huma.Schema{Type: "string"}}}}}}},
}

var copernicaBody = &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
	"application/json": {Schema: &huma.Schema{Type: "object", Properties: mergeProps(stringProps("database", "name", "action", "location", "format", "delimiter"),
		map[string]*huma.Schema{"keyFields": {Type: "array", Items: &huma.Schema{Type: "string"}}, "source": {Description: "The rows: a string or an array."},
			"ignoreEmptyFields": {Type: "boolean"}, "removeMissing": {Type: "boolean"}, "autostart": {Type: "boolean"}})}},
	"application/x-www-form-urlencoded": {Schema: &huma.Schema{Type: "object", Properties: stringProps("database", "name", "action", "keyFields",
		"source", "location", "format", "delimiter", "ignoreEmptyFields", "removeMissing", "autostart")}},
}}

func mergeProps(a, b map[string]*huma.Schema) map[string]*huma.Schema {
	for k, v := range b {
		a[k] = v
	}
	return a
}
