package imports

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/directory"
	"github.com/intake/intake/internal/store"
	"github.com/intake/intake/internal/testdb"
)

// dump is every piece of a tenant's data (contacts with their tags,
// custom values, alternates, groups and locations; groups with members;
// events with participants; collections with records; custom fields),
// updated_at aside, as comparable JSON.
func dump(t *testing.T, s store.Store, tenant int64) string {
	t.Helper()
	ctx := context.Background()
	out := map[string]any{}
	var contacts []intake.Contact
	for after := int64(0); ; {
		page, err := s.ListContacts(ctx, tenant, store.ContactFilter{After: after, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		contacts, after = append(contacts, page...), page[len(page)-1].ID
	}
	out["contacts"] = contacts
	groups, err := s.ListGroups(ctx, tenant, store.GroupFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var full []intake.Group
	for _, g := range groups {
		fg, err := s.GetGroup(ctx, tenant, g.ID)
		if err != nil {
			t.Fatal(err)
		}
		full = append(full, fg)
	}
	out["groups"] = full
	events, err := s.ListEvents(ctx, tenant, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]intake.Participant{}
	for _, e := range events {
		ps, err := s.ListParticipants(ctx, tenant, e.ID, store.ParticipantFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		parts[e.Key] = ps
	}
	out["participants"] = parts
	colls, err := s.ListCollections(ctx, tenant)
	if err != nil {
		t.Fatal(err)
	}
	records := map[string][]intake.CollectionRecord{}
	for _, c := range colls {
		rs, err := s.ListRecords(ctx, tenant, store.RecordFilter{CollectionID: c.ID, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		records[c.Name] = rs
	}
	out["collections"], out["records"] = colls, records
	if out["fields"], err = s.ListFields(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out)
	var v any
	json.Unmarshal(b, &v)
	b, _ = json.MarshalIndent(dropUpdated(v), "", " ")
	return string(b)
}

func dropUpdated(v any) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "updated_at")
		for k, x := range v {
			v[k] = dropUpdated(x)
		}
	case []any:
		for i, x := range v {
			v[i] = dropUpdated(x)
		}
	}
	return v
}

// runJob runs a file import to its end and returns the job.
func runJob(t *testing.T, b *bundle, content string, mutate func(*intake.Import)) intake.Import {
	t.Helper()
	im := b.newImport(t, content, mutate)
	if err := b.svc.Run(context.Background(), b.tenant, im.ID); err != nil {
		t.Fatal(err)
	}
	return getImport(t, b, im.ID)
}

// undo undoes import id to its end and returns the undo job.
func undo(t *testing.T, b *bundle, id int64, force bool) intake.Import {
	t.Helper()
	ctx := context.Background()
	u, err := b.svc.Undo(ctx, b.tenant, id, force)
	if err != nil {
		t.Fatal(err)
	}
	if u.Kind != intake.KindUndo || u.UndoOf != id {
		t.Fatalf("undo job %+v", u)
	}
	if err := b.svc.Run(ctx, b.tenant, u.ID); err != nil {
		t.Fatal(err)
	}
	return getImport(t, b, u.ID)
}

// seedTenant gives a tenant data of every kind: contacts with tags,
// custom values, groups and child orders, an event with participants.
func seedTenant(t *testing.T, b *bundle) {
	t.Helper()
	ctx := context.Background()
	if _, err := directory.New(b.store, b.svc.Engine).CreateField(ctx, b.tenant, intake.CustomField{Name: "member_id", Type: intake.TypeText}); err != nil {
		t.Fatal(err)
	}
	if err := b.store.CreateEvent(ctx, b.tenant, &intake.Event{Key: "conf"}); err != nil {
		t.Fatal(err)
	}
	runJob(t, b, "email,first_name,city,tags,groups,member_id,Order.OrderID,Order.Status\n"+
		"ann@x.nl,Ann,Utrecht,vip,Newsletter,M1,1,new\nbob@x.nl,Bob,Delft,,Newsletter;Board,M2,2,paid\ncee@x.nl,Cee,Gouda,lead,,,,\n",
		func(im *intake.Import) {
			im.Spec.Mapping["member_id"] = "custom.member_id"
			im.Spec.Mapping["Order.OrderID"], im.Spec.Mapping["Order.Status"] = "Order.OrderID", "Order.Status"
			im.Spec.MatchFields = []string{"email", "Order.OrderID"}
		})
	runJob(t, b, "email,status\nann@x.nl,registered\nbob@x.nl,waitlist\n", participants)
}

func participants(im *intake.Import) {
	im.Spec.Resource, im.Spec.EventKey = intake.ResourceParticipants, "conf"
	im.Spec.Mapping["status"] = "status"
}

// TestUndoRestoresTheTenant imports into a tenant with data, undoes the
// import and compares a dump of the tenant with the one before.
func TestUndoRestoresTheTenant(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		file    string
		mutate  func(*intake.Import)
		changed func(t *testing.T, im intake.Import)
	}{
		{"a create", "email,first_name,tags,groups\nnew1@x.nl,New,fresh,Fresh group\nnew2@x.nl,Two,,\n",
			func(im *intake.Import) { im.Spec.Mode = intake.ModeCreate }, nil},
		{"an upsert that changes and clears fields", "email,first_name,city,tags,groups,member_id\n" +
			"ann@x.nl,Anna,,vip;gold,Board,M9\nbob@x.nl,,Rotterdam,,,\nzed@x.nl,Zed,Ede,,Zeds,\n",
			func(im *intake.Import) {
				im.Spec.IgnoreEmptyFields = false
				im.Spec.Mapping["member_id"] = "custom.member_id"
			}, nil},
		{"a delete", "email\nbob@x.nl\ncee@x.nl\n", func(im *intake.Import) { im.Spec.Mode = intake.ModeDelete }, nil},
		{"a remove_missing", "email,city\nann@x.nl,Leiden\n", func(im *intake.Import) { im.Spec.RemoveMissing = true }, nil},
		{"a participants import", "email,status\nann@x.nl,attended\nnew@x.nl,registered\n", participants, nil},
		{"a group import", "name,resource,location,children\nBoard,contact,Hall,ann@x.nl\nNew group,contact,Annex,cee@x.nl\n", func(im *intake.Import) {
			im.Spec.Resource, im.Spec.MatchFields = intake.ResourceGroups, intake.GroupMatchFields
			im.Spec.Mapping = map[string]string{"name": "name", "resource": "resource", "location": "location", "children": "children"}
		}, nil},
		{"a collection import", "sku,qty\nA,1\nB,2\n", func(im *intake.Import) {
			im.Spec.Resource, im.Spec.MatchFields = intake.CollectionResource("items"), []string{"sku"}
			im.Spec.Mapping = map[string]string{"sku": "sku", "qty": "qty"}
		}, nil},
		{"a child-record import", "email,Order.OrderID,Order.Status\nann@x.nl,1,shipped\nann@x.nl,7,new\ncee@x.nl,3,new\n",
			func(im *intake.Import) {
				im.Spec.Mapping["Order.OrderID"], im.Spec.Mapping["Order.Status"] = "Order.OrderID", "Order.Status"
				im.Spec.MatchFields = []string{"email", "Order.OrderID"}
			}, nil},
	}
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			s := be.Open(t)
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					b := setup(t, s)
					b.svc.Queue = enqueueOnly{}
					b.svc.Engine.ChunkSize = 2
					seedTenant(t, b)
					before := dump(t, s, b.tenant)
					im := runJob(t, b, c.file, c.mutate)
					if im.Status != intake.StatusCompleted || im.Created+im.Updated+im.Deleted == 0 {
						t.Fatalf("import %+v", im)
					}
					if dump(t, s, b.tenant) == before {
						t.Fatal("the import changed nothing")
					}
					u := undo(t, b, im.ID, false)
					if u.Status != intake.StatusCompleted || u.Skipped != 0 || u.ProcessedRows != u.TotalRows || u.TotalRows == 0 {
						t.Fatalf("undo %+v", u)
					}
					if after := dump(t, s, b.tenant); after != before {
						t.Fatalf("after the undo the tenant is not as before:\n%s", lineDiff(before, after))
					}
					if got := getImport(t, b, im.ID); got.UndoneAt == nil || got.UndoID != u.ID {
						t.Fatalf("undone import %+v", got)
					}
					again, err := b.svc.Undo(context.Background(), b.tenant, im.ID, false)
					if err != nil || again.ID != u.ID {
						t.Fatalf("a second undo answered %+v, %v; want job %d", again, err, u.ID)
					}
				})
			}
		})
	}
}

// TestUndoKeepsLaterEdits: a record changed after the import is skipped
// and reported with both values, unless force.
func TestUndoKeepsLaterEdits(t *testing.T) {
	t.Parallel()
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			s := be.Open(t)
			for _, force := range []bool{false, true} {
				t.Run(map[bool]string{false: "kept", true: "forced"}[force], func(t *testing.T) { keepsLaterEdits(t, s, force) })
			}
		})
	}
}

func keepsLaterEdits(t *testing.T, s store.Store, force bool) {
	t.Helper()
	ctx := context.Background()
	b := setup(t, s)
	b.svc.Queue = enqueueOnly{}
	seedTenant(t, b)
	before := dump(t, s, b.tenant)
	im := runJob(t, b, "email,city\nann@x.nl,Leiden\nbob@x.nl,Breda\n", nil)
	ann, err := s.ListContacts(ctx, b.tenant, store.ContactFilter{Email: "ann@x.nl", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := directory.New(b.store, b.svc.Engine).UpdateContact(ctx, b.tenant, ann[0].ID, map[string]string{"city": "Edited"}); err != nil {
		t.Fatal(err)
	}
	u := undo(t, b, im.ID, force)
	got, err := s.GetContact(ctx, b.tenant, ann[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if force {
		if u.Skipped != 0 || got.City != "Utrecht" || dump(t, s, b.tenant) != before {
			t.Fatalf("force: undo %+v, city %q", u, got.City)
		}
		return
	}
	if u.Skipped != 1 || u.Updated != 1 || got.City != "Edited" {
		t.Fatalf("undo %+v, ann's city %q", u, got.City)
	}
	errs, err := b.svc.Errors(ctx, b.tenant, u.ID, 0, 10)
	if err != nil || len(errs) != 1 || errs[0].Code != CodeChangedSince ||
		!strings.Contains(errs[0].Message, `"Leiden"`) || !strings.Contains(errs[0].Message, `"Edited"`) {
		t.Fatalf("report %+v, %v", errs, err)
	}
	bob, _ := s.ListContacts(ctx, b.tenant, store.ContactFilter{Email: "bob@x.nl", Limit: 1})
	if bob[0].City != "Delft" {
		t.Fatalf("bob's city %q: not restored", bob[0].City)
	}
}

// TestPreview: a preview of an upsert shows every changed field's before
// and after and writes nothing; starting it writes exactly that, and a
// row whose data moved in between is named in the warnings.
func TestPreview(t *testing.T) {
	t.Parallel()
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			s := be.Open(t)
			for _, moved := range []bool{false, true} {
				t.Run(map[bool]string{false: "as previewed", true: "data moved"}[moved], func(t *testing.T) { previewThenStart(t, s, moved) })
			}
		})
	}
}

func previewThenStart(t *testing.T, s store.Store, moved bool) {
	t.Helper()
	ctx := context.Background()
	file := "email,first_name,city,tags,member_id\nann@x.nl,Anna,,vip;gold,M9\nbob@x.nl,Bob,Delft,,M2\nnew@x.nl,New,Ede,,\n"
	mutate := func(im *intake.Import) {
		im.Spec.Preview, im.Spec.IgnoreEmptyFields = true, false
		im.Spec.Mapping["member_id"] = "custom.member_id"
	}
	b := setup(t, s)
	b.svc.Queue = enqueueOnly{}
	seedTenant(t, b)
	before := dump(t, s, b.tenant)
	im := runJob(t, b, file, mutate)
	if im.Status != intake.StatusPreviewed || im.Created != 1 || im.Updated != 2 {
		t.Fatalf("preview %+v", im)
	}
	if dump(t, s, b.tenant) != before {
		t.Fatal("the preview wrote")
	}
	page, err := b.svc.Changes(ctx, b.tenant, im.ID, store.ChangeFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Change{
		{Row: 2, Outcome: "updated", Changes: []store.FieldChange{
			{Field: "city", Before: "Utrecht", After: ""},
			{Field: "custom.member_id", Before: "M1", After: "M9"},
			{Field: "first_name", Before: "Ann", After: "Anna"},
			{Field: "name", Before: "Ann", After: "Anna"},
			{Field: "tags", Before: []any{"vip"}, After: []any{"gold", "vip"}}}},
		{Row: 3, Outcome: "unchanged", Changes: []store.FieldChange{}},
		{Row: 4, Outcome: "created"},
	}
	if len(page.Data) != 3 {
		t.Fatalf("changes %+v", page.Data)
	}
	for i, w := range want {
		got := page.Data[i]
		if i == 2 {
			w.Changes = got.Changes // a creation lists every value it sets
			if len(got.Changes) == 0 {
				t.Fatalf("created row without values: %+v", got)
			}
		}
		got.ID, got.RecordID = 0, 0
		if !reflect.DeepEqual(got, w) {
			t.Fatalf("row %d: got %+v\nwant %+v", w.Row, got, w)
		}
	}
	if page.Summary.Outcomes["updated"] != 1 || page.Summary.Outcomes["unchanged"] != 1 ||
		page.Summary.Fields["city"] != (store.FieldCount{Cleared: 1}) || page.Summary.Fields["first_name"] != (store.FieldCount{Changed: 1}) {
		t.Fatalf("summary %+v", page.Summary)
	}
	if moved {
		bob, _ := s.ListContacts(ctx, b.tenant, store.ContactFilter{Email: "bob@x.nl", Limit: 1})
		if _, err := directory.New(b.store, b.svc.Engine).UpdateContact(ctx, b.tenant, bob[0].ID, map[string]string{"city": "Moved"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.svc.Start(ctx, b.tenant, im.ID); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
		t.Fatal(err)
	}
	done := getImport(t, b, im.ID)
	if done.Status != intake.StatusCompleted || done.Created != 1 || done.Updated != 2 {
		t.Fatalf("applied %+v", done)
	}
	ann, _ := s.ListContacts(ctx, b.tenant, store.ContactFilter{Email: "ann@x.nl", Limit: 1})
	if a := ann[0]; a.FirstName != "Anna" || a.City != "" || a.Custom["member_id"] != "M9" || !reflect.DeepEqual(a.Tags, []string{"gold", "vip"}) {
		t.Fatalf("ann after start %+v", a)
	}
	warned := strings.Contains(strings.Join(done.Warnings, " "), "Row 3 differs from the preview")
	if warned != moved || (!moved && len(done.Warnings) > 0) {
		t.Fatalf("moved %v: warnings %q", moved, done.Warnings)
	}
	wroteThePreview(t, b, done, page.Data, moved)
}

// wroteThePreview: what the started preview wrote, read off its undo
// records, is the change set the preview showed, row for row (but for
// row 3 when the data moved: the warning names it).
func wroteThePreview(t *testing.T, b *bundle, done intake.Import, previewed []store.Change, moved bool) {
	t.Helper()
	r, err := b.svc.changeStore()
	if err != nil {
		t.Fatal(err)
	}
	did, err := b.svc.doneChanges(context.Background(), r, done, store.ChangeFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	byID, created := map[int64]store.Change{}, []store.Change{}
	for _, c := range did.Data {
		if c.Kind != store.UndoContact {
			continue
		}
		if byID[c.RecordID] = c; c.Outcome == "created" {
			created = append(created, c)
		}
	}
	asJSON := func(v any) string { j, _ := json.Marshal(v); return string(j) }
	for _, p := range previewed {
		got, ok := byID[p.RecordID]
		switch {
		case p.Outcome == "unchanged" && !moved:
			// An update that changes nothing writes nothing: no undo row,
			// or one that says unchanged.
			if ok && got.Outcome != "unchanged" {
				t.Fatalf("row %d was previewed unchanged and wrote %+v", p.Row, got)
			}
			continue
		case p.Row == 3 && moved:
			if got.Outcome != "updated" {
				t.Fatalf("row 3 after the data moved: %+v", got)
			}
			continue
		case p.Outcome == "created":
			if len(created) != 1 {
				t.Fatalf("created %+v, want one", created)
			}
			got = created[0]
		}
		if got.Outcome != p.Outcome || asJSON(got.Changes) != asJSON(p.Changes) {
			t.Fatalf("row %d wrote %s %s, previewed %s %s", p.Row, got.Outcome, asJSON(got.Changes), p.Outcome, asJSON(p.Changes))
		}
	}
}

// lineDiff shows the lines of two dumps that differ.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out = append(out, fmt.Sprintf("%d: -%s +%s", i, x, y))
		}
		if len(out) > 20 {
			break
		}
	}
	return strings.Join(out, "\n")
}
