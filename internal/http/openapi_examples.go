package http

import (
	"encoding/json"

	"github.com/danielgtaylor/huma/v2"
)

// examples are real answers of a running server (a 100,000-row messy
// sample imported with upsert; the lists cut to one item), shown in the
// API reference beside each main route's schema.
var examples = map[string]string{
	"get-import": `{"id":2,"status":"completed","file_name":"contacts.csv","file_size":10550594,"format":"csv","delimiter":",","encoding":"utf-8",
"options":{"resource":"contacts","mode":"upsert","match_fields":["email"],"mapping":{"city":"city","email":"email","first_name":"first_name","last_name":"last_name","phone":"phone","signup_date":""},"ignore_empty_fields":true,"duplicates":"use_last","skip_on_error":true,"required_fields":["email"],"create_contacts":true,"invalid_fields":"skip_field","header_row":1},
"headers":["email","first_name","last_name","phone","city","signup_date"],"total_rows":100000,"processed_rows":100000,"created":98527,"updated":0,"deleted":0,"skipped":963,"failed_rows":510,"partial_rows":36171,
"warnings":["Column \"signup_date\" is not mapped to a field and will not be imported."],"created_at":"2026-12-03T15:59:59.953837Z","updated_at":"2026-12-03T16:00:27.232528Z","started_at":"2026-12-03T16:00:00.001069Z","finished_at":"2026-12-03T16:00:27.232528Z","errors_omitted":0,"report_expired":false,
"resource":"contacts","mode":"upsert","match_fields":["email"],"mapping":{"city":"city","email":"email","first_name":"first_name","last_name":"last_name","phone":"phone"},"progress":100,"has_errors":true,
"errors":[{"row":2,"column":"email","field":"email","code":"duplicate_in_file","message":"Row 2 has the same email as row 12335; the last one is used.","outcome":"skipped"}],"error_report_url":"/api/v1/imports/2/errors.csv"}`,
	"create-import": `{"id":1,"status":"awaiting_mapping","file_name":"c.csv","file_size":103984,"format":"csv","delimiter":",","encoding":"utf-8",
"options":{"resource":"contacts","mode":"upsert","match_fields":["email"],"mapping":{"email":"email","first_name":"first_name","signup_date":""},"ignore_empty_fields":true,"duplicates":"use_last","skip_on_error":true,"required_fields":["email"],"create_contacts":true,"invalid_fields":"skip_field","header_row":1},
"headers":["email","first_name","signup_date"],"total_rows":0,"processed_rows":0,"created":0,"updated":0,"deleted":0,"skipped":0,"failed_rows":0,"partial_rows":0,
"warnings":["Column \"signup_date\" is not mapped to a field and will not be imported."],"created_at":"2026-12-03T15:57:56.488256266Z","updated_at":"2026-12-03T15:57:56.488256266Z","errors_omitted":0,"report_expired":false,
"resource":"contacts","mode":"upsert","match_fields":["email"],"mapping":{"email":"email","first_name":"first_name"},"progress":0,"has_errors":false,"errors":[],"error_report_url":"/api/v1/imports/1/errors.csv"}`,
	"list-contacts": `{"data":[{"id":1,"email":"tara.1@example1.com","customer_number":"C00000001","first_name":"Tara","last_name":"Smith","name":"Tara Smith","phone":"+31685329037","company":"Kim, GmbH","city":"Paris","country":"PT","tags":["partner"],"created_at":"2026-12-03T16:00:02.746403Z","updated_at":"2026-12-03T16:00:02.746403Z"}],"next_cursor":"YzE"}`,
	"bulk-import-contacts": `{"total":2,"created":1,"updated":0,"skipped":1,"contacts_created":1,"errors":[{"index":1,"field":"email","code":"invalid_email","message":"\"not-an-email\" is not a valid email address: it needs one @ with a name before it and a domain after it."}],
"details":[{"index":0,"status":"created","id":98528},{"index":1,"status":"failed","code":"invalid_email","reason":"\"not-an-email\" is not a valid email address: it needs one @ with a name before it and a domain after it."}]}`,
	"get-me": `{"tenant":"acme","scopes":["contacts","imports"],"key_id":1}`,
}

// addExamples puts the operation's real example on its JSON success answer.
func addExamples(op *huma.Operation) {
	raw, ok := examples[op.OperationID]
	if !ok {
		return
	}
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		panic("openapi example of " + op.OperationID + ": " + err.Error())
	}
	for code, r := range op.Responses {
		if code[0] == '2' && r.Content["application/json"] != nil {
			r.Content["application/json"].Example = v
		}
	}
}
