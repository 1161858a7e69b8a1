package native

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/intake/intake"
)

func TestContact(t *testing.T) {
	t.Parallel()
	reg := intake.NewRegistry([]intake.CustomField{{Name: "member_id", Type: intake.TypeNumber, Unique: true}})
	for _, tc := range []struct {
		name     string
		body     string
		want     map[string]string
		errField string
	}{
		{"a key that is no field, even null", `{"email":"A@B.nl","is_vip":null}`, nil, "is_vip"},
		{"scalars, numbers without exponent, null clears", `{"email":"A@B.nl","phone":31612345678,"city":null}`,
			map[string]string{"email": "A@B.nl", "phone": "31612345678", "city": ""}, ""},
		{"tags as an array or a string", `{"tags":["vip","lead"]}`, map[string]string{"tags": "vip,lead"}, ""},
		{"tags as a string", `{"tags":"vip; lead"}`, map[string]string{"tags": "vip; lead"}, ""},
		{"custom as an object, a custom.NAME key and a bare defined name", `{"custom":{"level":"Gold","Member_ID":7},"custom.note":"n"}`,
			map[string]string{"custom.level": "Gold", "custom.member_id": "7", "custom.note": "n"}, ""},
		{"a defined custom field by its bare name", `{"member_id":"7"}`, map[string]string{"custom.member_id": "7"}, ""},
		{"alternates as a list", `{"alternates":[{"type":"phone","kind":"work","value":"020 123 4567"},{"type":"email","kind":"Home","value":"a@home.nl"}]}`,
			map[string]string{"alternate_phones_work": "020 123 4567", "alternate_emails_home": "a@home.nl"}, ""},
		{"alternate columns by name", `{"alternate_emails_work":"a@work.nl"}`, map[string]string{"alternate_emails_work": "a@work.nl"}, ""},
		{"read-only keys of a fetched contact are ignored", `{"id":3,"created_at":"x","updated_at":"y","events":[],"name":"Ann"}`,
			map[string]string{"name": "Ann"}, ""},
		{"an unknown key", `{"shoe_size":42}`, nil, "shoe_size"},
		{"a synonym is no field name", `{"E-mail":"a@b.nl"}`, nil, "E-mail"},
		{"custom that is not an object", `{"custom":"x"}`, nil, "custom"},
		{"two alternates of one kind", `{"alternates":[{"type":"phone","kind":"work","value":"1"},{"type":"phone","kind":"work","value":"2"}]}`, nil, "alternates[1]"},
		{"an alternate without a kind", `{"alternates":[{"type":"fax","value":"1"}]}`, nil, "alternates[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body map[string]any
			if err := json.Unmarshal([]byte(tc.body), &body); err != nil {
				t.Fatal(err)
			}
			got, err := Contact(body, reg)
			if tc.errField != "" {
				ie, ok := err.(*intake.Error)
				if !ok || ie.Code != intake.EINVALID || ie.Fields[0].Field != tc.errField {
					t.Fatalf("err = %#v, want EINVALID on %s", err, tc.errField)
				}
				return
			}
			if err != nil || !maps.Equal(got, tc.want) {
				t.Fatalf("Contact = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
