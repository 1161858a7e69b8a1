package plandocket

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/dialect"
	"github.com/intake/intake/internal/importer"
)

func TestTranslate(t *testing.T) {
	t.Parallel()
	f := false
	for _, tc := range []struct {
		name     string
		req      BulkRequest
		check    func(intake.ImportSpec) bool
		fields   map[string]string // the first record's fields
		warnings int
		errField string // the field error expected, "" for none
	}{
		{"the seed's defaults: create on email, skip on error",
			BulkRequest{Records: []dialect.Record{{"email": "a@example.com"}}},
			func(s intake.ImportSpec) bool {
				return s.Mode == intake.ModeCreate && slices.Equal(s.MatchFields, []string{"email"}) && s.SkipOnError
			}, map[string]string{"email": "a@example.com"}, 0, ""},
		// Regression: a record key Email was ignored while a CSV header Email mapped.
		{"keys map like headers: Email and First Name are fields",
			BulkRequest{Records: []dialect.Record{{"Email": "a@example.com", "First Name": "Ann", "shoe": 42}}},
			nil, map[string]string{"email": "a@example.com", "first_name": "Ann"}, 1, ""},
		{"field_mapping wins, numbers keep their digits",
			BulkRequest{Records: []dialect.Record{{"Mail": "a@example.com", "Tel": 31612345678.0}}, FieldMapping: map[string]string{"Mail": "email", "Tel": "phone"}},
			nil, map[string]string{"email": "a@example.com", "phone": "31612345678"}, 0, ""},
		{"upsert on customer_number, all or nothing",
			BulkRequest{Mode: "update or add", MatchField: "customer_number", SkipOnError: &f},
			func(s intake.ImportSpec) bool {
				return s.Mode == intake.ModeUpsert && s.MatchFields[0] == "customer_number" && !s.SkipOnError
			}, nil, 0, ""},
		{"a mapping target that is no field", BulkRequest{FieldMapping: map[string]string{"G": "hobbies"}}, nil, nil, 0, "field_mapping.G"},
		{"an unknown mode", BulkRequest{Mode: "replace"}, nil, nil, 0, "mode"},
		{"an unknown match field", BulkRequest{MatchField: "company"}, nil, nil, 0, "match_field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec, recs, warnings, err := Translate(&tc.req, nil)
			if tc.errField != "" {
				ie, ok := err.(*intake.Error)
				if !ok || ie.Code != intake.EINVALID || len(ie.Fields) != 1 || ie.Fields[0].Field != tc.errField {
					t.Fatalf("err = %#v, want EINVALID on %s", err, tc.errField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.check != nil && !tc.check(spec) {
				t.Fatalf("spec %+v", spec)
			}
			if tc.fields != nil && !maps.Equal(recs[0].Fields, tc.fields) {
				t.Fatalf("fields %v, want %v", recs[0].Fields, tc.fields)
			}
			if len(warnings) != tc.warnings {
				t.Fatalf("warnings %v, want %d", warnings, tc.warnings)
			}
		})
	}
}

func TestUnknownKeysAreWarnedOnceEach(t *testing.T) {
	t.Parallel()
	rec := dialect.Record{}
	for i := range 5000 {
		rec["k"+string(rune('a'+i%26))+string(rune('a'+i/26%26))+string(rune('a'+i/676))] = "x"
	}
	req := BulkRequest{Records: []dialect.Record{rec, rec}}
	_, _, warnings, err := Translate(&req, nil)
	if err != nil || len(warnings) != len(rec) || !slices.IsSorted(warnings) {
		t.Fatalf("%d warnings for %d keys (sorted %v), %v", len(warnings), len(rec), slices.IsSorted(warnings), err)
	}
}

// Regression: numbers above 2^53 were decoded as float64 and
// 90071992547409931 and …932 became one customer number.
func TestNumbersKeepEveryDigit(t *testing.T) {
	t.Parallel()
	var req BulkRequest
	body := `{"records":[{"customer_number":90071992547409931},{"customer_number":90071992547409932,"phone":31612345678}]}`
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	_, recs, _, err := Translate(&req, nil)
	if err != nil || recs[0].Fields["customer_number"] != "90071992547409931" || recs[1].Fields["customer_number"] != "90071992547409932" ||
		recs[1].Fields["phone"] != "31612345678" {
		t.Fatalf("%v %v", recs, err)
	}
}

func TestRespond(t *testing.T) {
	t.Parallel()
	ok := &importer.Item{Row: 0, Outcome: intake.OutcomeCreated, ID: 7}
	bad := &importer.Item{Row: 1, Outcome: intake.OutcomeFailed, Errs: []intake.RowError{{Row: 1, Field: "email", Code: intake.CodeInvalidEmail, Message: "bad"}}}
	res := importer.Result{Counts: importer.Counts{Rows: 2, Created: 1, Failed: 1}, Total: 2}
	out, err := Respond(res, []*importer.Item{ok, bad}, nil)
	if err != nil || out.Total != 2 || out.Created != 1 || out.Skipped != 1 || len(out.Errors) != 1 ||
		out.Errors[0].Index != 1 || out.Details[0].ID != 7 || out.Details[1].Code != intake.CodeInvalidEmail {
		t.Fatalf("%+v %v", out, err)
	}
	res.Rejected = true
	if _, err := Respond(res, []*importer.Item{ok, bad}, nil); intake.ErrorCode(err) != intake.EINVALID {
		t.Fatalf("a rejected import answers %v, want EINVALID", err)
	}
}

func TestTranslateParticipants(t *testing.T) {
	t.Parallel()
	f := false
	rec := []dialect.Record{{"E-mail": "a@example.com", "Status": "attended", "shoe": 42}}
	for _, tc := range []struct {
		name     string
		req      BulkRequest
		contacts bool   // the spec's CreateContacts
		fields   string // the first record's fields
		errField string // the field error expected, "" for none
	}{
		{"the seed's defaults: create_contacts true, status is a field", BulkRequest{EventKey: "conf", Records: rec},
			true, "map[email:a@example.com status:attended]", ""},
		{"create_contacts false", BulkRequest{EventKey: " conf ", CreateContacts: &f, Records: rec}, false, "", ""},
		{"status mapped from another key", BulkRequest{EventKey: "conf", Records: []dialect.Record{{"email": "a@example.com", "RSVP state": "yes"}},
			FieldMapping: map[string]string{"RSVP state": "status"}}, true, "map[email:a@example.com status:yes]", ""},
		{"event_key missing", BulkRequest{Records: rec}, true, "", "event_key"},
		{"event_key blank", BulkRequest{EventKey: "  ", Records: rec}, true, "", "event_key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec, recs, _, err := TranslateParticipants(&tc.req, nil)
			if tc.errField != "" {
				ie, ok := err.(*intake.Error)
				if !ok || ie.Code != intake.EINVALID || len(ie.Fields) != 1 || ie.Fields[0].Field != tc.errField {
					t.Fatalf("err = %#v, want EINVALID on %s", err, tc.errField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if spec.Resource != intake.ResourceParticipants || spec.EventKey != "conf" || spec.CreateContacts != tc.contacts || spec.Mode != intake.ModeCreate {
				t.Fatalf("spec %+v", spec)
			}
			if tc.fields != "" && fmt.Sprint(recs[0].Fields) != tc.fields {
				t.Fatalf("fields %v, want %s", recs[0].Fields, tc.fields)
			}
		})
	}
	// The contacts endpoint takes the same body and ignores the participant options.
	spec, _, _, err := Translate(&BulkRequest{EventKey: "conf", CreateContacts: &f, Records: rec}, nil)
	if err != nil || spec.Resource != intake.ResourceContacts || spec.EventKey != "" || !spec.CreateContacts {
		t.Fatalf("contacts spec %+v %v", spec, err)
	}
}

func TestRespondParticipants(t *testing.T) {
	t.Parallel()
	made := &importer.Item{Row: 0, Outcome: intake.OutcomeCreated, ID: 3, Data: &intake.Contact{ID: 9}, ContactCreated: true}
	res := importer.Result{Counts: importer.Counts{Rows: 1, Created: 1, ContactsCreated: 1}, Total: 1}
	out, err := RespondParticipants(res, []*importer.Item{made}, nil)
	if err != nil || out.ContactsCreated != 1 || out.Created != 1 || out.Details[0].ID != 3 || out.Details[0].ContactID != 9 || !out.Details[0].ContactCreated {
		t.Fatalf("%+v %v", out, err)
	}
}

// TestTranslateWithCustomFields: the tenant's custom fields are match
// fields and record keys by their bare names and labels.
func TestTranslateWithCustomFields(t *testing.T) {
	t.Parallel()
	reg := intake.NewRegistry([]intake.CustomField{{Name: "member_id", Label: "Member No", Type: intake.TypeNumber, Unique: true}})
	req := BulkRequest{MatchField: "member_id", FieldMapping: map[string]string{"Lid": "member_id"},
		Records: []dialect.Record{{"Member No": 7, "email": "a@b.nl"}, {"Lid": "8"}, {"custom.member_id": "9"}, {"member_id": 10}}}
	spec, recs, _, err := Translate(&req, reg)
	if err != nil || !slices.Equal(spec.MatchFields, []string{"custom.member_id"}) || spec.Mapping["Lid"] != "custom.member_id" {
		t.Fatalf("spec %+v, %v", spec, err)
	}
	for i, want := range []string{"7", "8", "9", "10"} {
		n := 1
		if i == 0 {
			n = 2 // and the email
		}
		if got := recs[i].Fields["custom.member_id"]; got != want || len(recs[i].Fields) != n {
			t.Errorf("record %d: fields %v, want custom.member_id %s", i, recs[i].Fields, want)
		}
	}
	if _, _, _, err := Translate(&BulkRequest{MatchField: "member_id"}, nil); intake.ErrorCode(err) != intake.EINVALID {
		t.Fatalf("a bare custom name without the registry: %v", err)
	}
}
