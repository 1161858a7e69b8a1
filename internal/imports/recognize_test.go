package imports

import (
	"context"
	"strings"
	"testing"

	"github.com/intake/intake"
	"github.com/intake/intake/internal/testdb"
)

// TestRecognitionOnTheJob: a column whose header says nothing but whose
// values are email addresses maps to email by its content, and the job
// shows per column its target, reason, confidence and samples, and the
// rows as read.
func TestRecognitionOnTheJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be.Open(t))
			b.svc.Queue = enqueueOnly{}
			file := "Kontaktpunkt;Person - Name;Téléphone mobile;Pays\nann@x.nl;Ann Smit;06 12345678;Pays-Bas\nbob@y.de;Bob Bauer;0151 23456789;Allemagne\ncy@z.fr;Cy Roux;06 12 34 56 78;France\n"
			up, err := b.svc.Save(ctx, b.tenant, strings.NewReader(file), "people.csv", "")
			if err != nil {
				t.Fatal(err)
			}
			im, err := b.create(ctx, up, intake.ImportRequest{Spec: intake.DefaultSpec(), Autostart: true, Remap: true, MappingStep: true})
			if err != nil {
				t.Fatal(err)
			}
			rec := im.Spec.Recognition
			if rec == nil || len(rec.Columns) != 4 || len(rec.PreviewRows) != 3 {
				t.Fatalf("recognition %+v", rec)
			}
			want := []struct{ target, reason string }{{"email", "content"}, {"name", "header"}, {"phone", "header"}, {"country", "header"}}
			for i, w := range want {
				c := rec.Columns[i]
				if c.Target != w.target || c.Reason != w.reason || c.Confidence < intake.ConfidenceThreshold || len(c.Samples) == 0 {
					t.Errorf("column %d: %+v, want %s by %s", i, c, w.target, w.reason)
				}
			}
			if im.Status != intake.StatusQueued {
				t.Fatalf("status %s, want queued", im.Status)
			}
			if err := b.svc.Run(ctx, b.tenant, im.ID); err != nil {
				t.Fatal(err)
			}
			got, err := b.svc.Get(ctx, b.tenant, im.ID)
			if err != nil || got.Created != 3 || got.FailedRows != 0 {
				t.Fatalf("job %+v %v", got, err)
			}
			if got.Spec.Recognition == nil || len(got.Spec.Recognition.Columns) != 4 {
				t.Fatalf("the stored job lost its recognition: %+v", got.Spec.Recognition)
			}
		})
	}
}

// TestUncertainColumnWaitsForAPerson: a column whose header hints at email
// (a weak word, "Mail") but whose values are no email addresses is below the threshold: a
// dialect with a mapping step waits in awaiting_mapping with the
// suggestion; another leaves the column out and says so.
func TestUncertainColumnWaitsForAPerson(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, be := range testdb.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, be.Open(t))
			b.svc.Queue = enqueueOnly{}
			file := "Name,Mail\nAnn Smit,Ann Smit\nBob Bauer,see notes\nCy Roux,ask Cy\n"
			for _, step := range []bool{true, false} {
				up, err := b.svc.Save(ctx, b.tenant, strings.NewReader(file), "people.csv", "")
				if err != nil {
					t.Fatal(err)
				}
				req := intake.ImportRequest{Spec: intake.DefaultSpec(), Autostart: true, Remap: true, MappingStep: step}
				req.Spec.MatchFields, req.Spec.Required = []string{"name"}, []string{"name"}
				im, err := b.create(ctx, up, req)
				if err != nil {
					t.Fatal(err)
				}
				c := im.Spec.Recognition.Columns[1]
				if c.Target != "" || c.Suggested != "email" || c.Confidence >= intake.ConfidenceThreshold {
					t.Fatalf("column %+v, want email suggested below the threshold", c)
				}
				wantStatus := intake.StatusQueued
				if step {
					wantStatus = intake.StatusAwaitingMapping
				}
				if im.Status != wantStatus || im.Spec.Mapping["Mail"] != "" {
					t.Fatalf("mapping step %v: status %s, mapping %v", step, im.Status, im.Spec.Mapping)
				}
			}
		})
	}
}
