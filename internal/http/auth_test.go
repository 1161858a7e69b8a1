package http_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"gocloud.dev/blob/fileblob"

	"github.com/intake/intake"
	intakehttp "github.com/intake/intake/internal/http"
	"github.com/intake/intake/internal/imports"
	"github.com/intake/intake/internal/selection"
	"github.com/intake/intake/internal/testdb"
	"github.com/intake/intake/internal/webhook"
)

// TestEveryRouteByScope sends a request to every operation of the API with
// a key of each scope (and none) through a real listener, and checks 401,
// 403 or admission against a table written out by hand. A route added
// without a row here fails the test.
func TestEveryRouteByScope(t *testing.T) {
	t.Parallel()
	const c, i, a, p = intake.ScopeContacts, intake.ScopeImports, intake.ScopeAdmin, intake.ScopeParticipants
	// Who may use each operation. Regression: a key with only the imports
	// scope could create a job and then got 403 on every other route of it.
	allowed := map[string][]string{
		"list-contacts":  {c, a},
		"get-contact":    {c, a},
		"create-contact": {c, a},
		"update-contact": {c, a},
		"delete-contact": {c, a},
		"list-fields":    {c, a},
		"get-field":      {c, a},
		"create-field":   {c, a},
		"update-field":   {c, a},
		"delete-field":   {c, a},
		// Settings: read with imports (contacts too), changed with contacts, as fields are.
		"get-settings":         {c, i, a},
		"list-mappings":        {c, i, a},
		"save-mapping":         {c, i, a},
		"get-mapping":          {c, i, a},
		"delete-mapping":       {c, i, a},
		"update-settings":      {c, a},
		"bulk-import-contacts": {c, a},
		"create-import":        {c, i, a},
		"list-imports":         {c, i, a},
		"get-import":           {c, i, a},
		"update-import":        {c, i, a},
		"start-import":         {c, i, a},
		"cancel-import":        {c, i, a},
		"list-import-errors":   {c, i, a},
		"import-errors-csv":    {c, i, a},
		"list-import-changes":  {c, i, a},
		"undo-import":          {c, i, a},
		// Events and participants take the participants scope.
		"list-events":              {p, a},
		"create-event":             {p, a},
		"get-event":                {p, a},
		"delete-event":             {p, a},
		"list-participants":        {p, a},
		"bulk-import-participants": {p, a},
		// Webhooks: the imports scope (which contacts keys have); selections: contacts.
		"create-webhook": {c, i, a}, "list-webhooks": {c, i, a}, "get-webhook": {c, i, a}, "update-webhook": {c, i, a},
		"rotate-webhook-secret": {c, i, a}, "delete-webhook": {c, i, a}, "list-webhook-deliveries": {c, i, a},
		"create-selection": {c, a}, "list-selections": {c, a}, "get-selection": {c, a}, "rebuild-selection": {c, a},
		"delete-selection": {c, a}, "list-selection-contacts": {c, a},
		"list-groups":     {c, a},
		"get-group":       {c, a},
		"create-group":    {c, a},
		"delete-group":    {c, a},
		"list-locations":  {c, a},
		"create-location": {c, a},
		"delete-location": {c, a},
		// Collections and their records take the contacts scope, as fields do.
		"list-collections":  {c, a},
		"get-collection":    {c, a},
		"create-collection": {c, a},
		"update-collection": {c, a},
		"delete-collection": {c, a},
		"list-records":      {c, a},
		"get-record":        {c, a},
		"create-record":     {c, a},
		"update-record":     {c, a},
		"delete-record":     {c, a},
		"list-bulk-imports": {c, p, a},
		"get-bulk-import":   {c, p, a},
		// The seed dialects' routes.
		"copernica-create-import-post": {c, i, a},
		"copernica-create-import-put":  {c, i, a},
		"copernica-get-import":         {c, i, a},
		"packagex-create-import":       {c, i, a},
		"packagex-upload":              {c, i, a},
		"packagex-get-import":          {c, i, a},
		"textus-upload":                {c, a},
		"textus-get-import":            {c, a},
		"plannr-create-import":         {c, i, a},
		"plannr-get-import":            {c, i, a},
		"plannr-list-imports":          {c, i, a},
		"plannr-set-mapping":           {c, i, a},
		"plannr-start-import":          {c, i, a},
		// Key management is for the tenant's administrators only.
		"list-keys": {a},
		// Any valid key may ask who it is.
		"get-me":     {c, i, a, p},
		"revoke-key": {a},
	}
	ctx := context.Background()
	st := testdb.OpenSQLite(t)
	bucket, err := fileblob.OpenBucket(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bucket.Close()
	srv := intakehttp.NewServer(intakehttp.Config{Store: st, Imports: imports.New(st, bucket, "NL", 0),
		Webhooks: &webhook.Service{Store: st}, Selections: &selection.Service{Store: st}})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	tenant, err := st.EnsureTenant(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, scope := range intake.KnownScopes {
		key, hash := intake.NewAPIKey()
		if err := st.CreateAPIKey(ctx, tenant.ID, hash, []string{scope}); err != nil {
			t.Fatal(err)
		}
		keys[scope] = key
	}
	seen := 0
	for path, item := range srv.API().OpenAPI().Paths {
		ops := map[string]*huma.Operation{http.MethodGet: item.Get, http.MethodPost: item.Post,
			http.MethodPatch: item.Patch, http.MethodPut: item.Put, http.MethodDelete: item.Delete}
		for method, op := range ops {
			if op == nil || len(op.Security) == 0 {
				continue
			}
			seen++
			who, ok := allowed[op.OperationID]
			if !ok {
				t.Errorf("%s %s (%s) has no row in the table", method, path, op.OperationID)
				continue
			}
			url := ts.URL + strings.NewReplacer("/keys/{id}", "/keys/999999", "{id}", "1", "{key}", "k", "{name}", "member_id", "{token}", "00", "{account}", "acme", "{slug}", "contact-import-1", "{uuid}", "00000000-0000-8000-8000-000000000001").Replace(path)
			send := func(key string) (int, string) {
				req, _ := http.NewRequest(method, url, bytes.NewReader([]byte("{}")))
				req.Header.Set("Content-Type", "application/json")
				if key != "" {
					req.Header.Set("Authorization", "Bearer "+key)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var b bytes.Buffer
				b.ReadFrom(resp.Body)
				return resp.StatusCode, b.String()
			}
			if st, body := send(""); st != http.StatusUnauthorized {
				t.Errorf("%s %s without a key: %d %s", method, path, st, body)
			}
			for _, scope := range intake.KnownScopes {
				st, body := send(keys[scope])
				may := false
				for _, w := range who {
					may = may || w == scope
				}
				switch {
				case may && (st == http.StatusUnauthorized || st == http.StatusForbidden):
					t.Errorf("%s %s with %q: %d, want it admitted: %s", method, path, scope, st, body)
				case !may && st != http.StatusForbidden:
					t.Errorf("%s %s with %q: %d, want 403: %s", method, path, scope, st, body)
				case !may && !strings.Contains(body, "lacks the"):
					t.Errorf("%s %s with %q: the 403 does not say which scope: %s", method, path, scope, body)
				}
			}
		}
	}
	if seen != len(allowed) {
		t.Errorf("%d secured operations, the table has %d", seen, len(allowed))
	}
}
