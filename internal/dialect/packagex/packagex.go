// Package packagex is the PackageX imports dialect (shared/seeds/002_…):
// POST /v1/imports with a PX-API-KEY header and a JSON body (upload_mode,
// data as a base64 data URI or an array of objects, action, resource,
// duplicate_handling, column_mapping, name, save_upload, location_id). It
// checks PackageX's own rules and hands the options to the native
// translation, which already knows PackageX's names, limits and defaults.
package packagex

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
	"github.com/intake/intake/internal/dialect/native"
)

// Translate checks a request's PackageX rules and translates it (a
// dialect.Translate): upload_mode async holds the options until the file
// arrives; save_upload false discards the job's file when it ends (sync or
// async); location_id gives every contact that location.
// Errors: EINVALID with a field error per bad option.
func Translate(in dialect.Request) (dialect.Translation, error) {
	var out dialect.Translation
	var errs dialect.Errors
	var rest dialect.Params
	collection, mode := "", "sync"
	for _, x := range in.Params {
		v := strings.TrimSpace(x.Value)
		switch x.Key {
		case "upload_mode":
			mode = strings.ToLower(v) // the native sync means "answer when done": set below
		case "resource":
			if keep, coll := checkResource(&errs, v); keep {
				rest.Add(x.Key, x.Value)
			} else {
				collection = coll
			}
		case "save_upload":
			if b := errs.Bool(x.Key, v); b != nil {
				out.DiscardWhenDone = !*b
			}
		case "location_id":
			out.LocationID = locationID(&errs, v)
		default:
			if checkOption(&errs, x.Key, v) {
				rest.Add(x.Key, x.Value)
			}
		}
	}
	checkUploadMode(&errs, &out, &rest, mode, in.HasFile)
	if !in.Params.Has("action") {
		errs.Add("action", "", "action is required: merge, overwrite or delete.")
	}
	if err := errs.Err("The import options are not valid."); err != nil {
		return out, err
	}
	req, err := native.Translate(native.PackageXRules, rest, in.Registry)
	if err != nil {
		return out, err
	}
	if collection != "" {
		req.Spec.Resource = "collection:" + collection
		req.Spec.Limits = nil
	}
	req.Spec.DiscardUpload = out.DiscardWhenDone
	out.ImportRequest = req
	if out.LocationID != 0 && !isContacts(req.Spec.Resource) {
		return out, intake.Invalid("location_id applies to contacts only.", intake.FieldError{Field: "location_id",
			Value: fmt.Sprint(out.LocationID), Message: "location_id gives every imported contact a location: it applies to resource contact only."})
	}
	return out, nil
}

// isContacts reports whether a translated resource is contacts.
func isContacts(resource string) bool {
	switch strings.ToLower(resource) {
	case "", intake.ResourceContacts, "contact":
		return true
	}
	return false
}

// locationID reads location_id: null or empty is none; otherwise the id
// of one of the tenant's locations (GET /api/v1/locations), which the
// import service checks.
func locationID(errs *dialect.Errors, v string) int64 {
	if v == "" || v == "null" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		errs.Add("location_id", v, fmt.Sprintf("location_id %q is not a location id: send the id of one of your locations (GET /api/v1/locations), or null.", v))
		return 0
	}
	return id
}

// checkResource reads PackageX's resource: contact and group pass on
// (keep); items and assets are records of a collection of that name.
func checkResource(errs *dialect.Errors, v string) (keep bool, collection string) {
	switch strings.ToLower(v) {
	case "contact", "group":
		return true, ""
	case "item", "asset":
		return false, strings.ToLower(v)
	}
	errs.Add("resource", v, "resource must be contact, group, item or asset.")
	return false, ""
}

// checkOption checks an option against PackageX's documented values and
// says whether it passes on to the native translation.
func checkOption(errs *dialect.Errors, key, v string) bool {
	allowed := map[string][]string{"action": {"merge", "overwrite", "delete"}, "duplicate_handling": {"ignore_all", "use_first"}}
	switch key {
	case "name":
		if n := utf8.RuneCountInString(v); n < 3 || n > 127 {
			errs.Add("name", v, fmt.Sprintf("name must be 3 to 127 characters; it has %d.", n))
		}
	case "action", "duplicate_handling":
		if !slices.Contains(allowed[key], strings.ToLower(v)) {
			errs.Add(key, v, key+" must be "+strings.Join(allowed[key][:len(allowed[key])-1], ", ")+" or "+allowed[key][len(allowed[key])-1]+".")
			return false
		}
	case "column_mapping":
		checkColumnMapping(errs, v)
	}
	return true
}

// checkUploadMode applies upload_mode: sync needs data and answers when
// done; async holds the options until the file is PUT.
func checkUploadMode(errs *dialect.Errors, out *dialect.Translation, rest *dialect.Params, mode string, hasData bool) {
	switch mode {
	case "sync":
		if !hasData {
			errs.Add("data", "", "data is required when upload_mode is sync.")
		}
		rest.Add("upload_mode", "sync")
	case "async":
		if hasData {
			errs.Add("data", "", "data must be null when upload_mode is async: PUT the file to the upload target the answer gives.")
		}
		out.Hold = true
	default:
		errs.Add("upload_mode", mode, "upload_mode must be sync or async.")
	}
}

// Uploaded translates an async import's held options once its file has
// arrived by PUT (a dialect.Translate): an import with data, run on the
// queue rather than in the upload's request.
func Uploaded(in dialect.Request) (dialect.Translation, error) {
	in.Params = slices.DeleteFunc(slices.Clone(in.Params), func(x dialect.Param) bool { return x.Key == "upload_mode" })
	tr, err := Translate(in)
	tr.Sync = false
	return tr, err
}

// checkColumnMapping refuses a column_mapping that names one header for
// two fields: PackageX requires every header value to be unique.
func checkColumnMapping(errs *dialect.Errors, v string) {
	m := errs.Object("column_mapping", v)
	byHeader := map[string][]string{}
	for _, f := range slices.Sorted(maps.Keys(m)) {
		byHeader[m[f]] = append(byHeader[m[f]], f)
	}
	for _, h := range slices.Sorted(maps.Keys(byHeader)) {
		if fs := byHeader[h]; len(fs) > 1 {
			errs.Add("column_mapping", h, fmt.Sprintf("Header %q is mapped to %s: each header value must be unique.", h, strings.Join(fs, " and ")))
		}
	}
}

// Response is the answer to POST /v1/imports: the job as Intake shows it
// (its id, status, counts, mapping and first errors), and for an async
// import the upload target.
type Response struct {
	Data    *native.ImportView `json:"data,omitempty" doc:"The job; absent for an async import until its file arrives."`
	Upload  *UploadTarget      `json:"upload,omitempty"`
	Message string             `json:"message"`
}

// UploadTarget is where an async import's file goes.
type UploadTarget struct {
	URL    string `json:"url"`
	Method string `json:"method"`
}
