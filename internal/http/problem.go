package http

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// ErrorModel is every error response of the API: RFC 9457 problem+json as
// huma writes it, whose field errors also carry the stable code of a row
// error. It replaces huma's error type (see init), so the OpenAPI document
// describes the bodies actually sent, and huma's own validation errors
// share the shape.
type ErrorModel struct {
	Type     string         `json:"type,omitempty" format:"uri" default:"about:blank" doc:"A URI reference to human-readable documentation for the error."`
	Title    string         `json:"title,omitempty" example:"Unprocessable Entity" doc:"A short, human-readable summary of the problem type."`
	Status   int            `json:"status,omitempty" example:"422" doc:"HTTP status code"`
	Detail   string         `json:"detail,omitempty" doc:"A human-readable explanation specific to this occurrence of the problem."`
	Instance string         `json:"instance,omitempty" format:"uri" doc:"A URI reference that identifies the specific occurrence of the problem."`
	Errors   []*ErrorDetail `json:"errors,omitempty" doc:"The values at fault, one entry each."`
}

// Error implements error: the detail.
func (e *ErrorModel) Error() string { return e.Detail }

// GetStatus implements huma.StatusError.
func (e *ErrorModel) GetStatus() int { return e.Status }

// ContentType implements huma.ContentTypeFilter: problems are problem+json.
func (e *ErrorModel) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

// ErrorDetail is one value at fault: where, the value, a sentence, and for
// a contact's value the row error code an import would report for it.
type ErrorDetail struct {
	Message  string `json:"message,omitempty" doc:"Error message text"`
	Location string `json:"location,omitempty" doc:"Where the error occurred, e.g. 'body.email' or 'query.cursor'"`
	Value    any    `json:"value,omitempty" doc:"The value at the given location"`
	Code     string `json:"code,omitempty" doc:"Stable code of the problem with this value, as import row errors have: invalid_email, invalid_number, invalid_date, value_taken, missing_required, …"`
}

// Error implements error.
func (d *ErrorDetail) Error() string { return d.Message }

// ErrorDetail implements huma.ErrorDetailer.
func (d *ErrorDetail) ErrorDetail() *huma.ErrorDetail {
	return &huma.ErrorDetail{Message: d.Message, Location: d.Location, Value: d.Value}
}

func init() {
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		m := &ErrorModel{Status: status, Title: http.StatusText(status), Detail: msg}
		for _, err := range errs {
			switch d := err.(type) {
			case nil:
			case *ErrorDetail:
				m.Errors = append(m.Errors, d)
			case huma.ErrorDetailer:
				hd := d.ErrorDetail()
				m.Errors = append(m.Errors, &ErrorDetail{Message: hd.Message, Location: hd.Location, Value: hd.Value})
			default:
				m.Errors = append(m.Errors, &ErrorDetail{Message: err.Error()})
			}
		}
		return m
	}
}
