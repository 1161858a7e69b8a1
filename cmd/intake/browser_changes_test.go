package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The web importer's preview → start → undo flow (TestWebImporter runs it
// after its imports, on the contacts they left).

const newInChanges = 5

// countContacts pages through the tenant's contacts with the API.
func countContacts(t *testing.T, api client) int {
	t.Helper()
	n, cursor := 0, ""
	for {
		st, page, raw := api.do("GET", "/api/v1/contacts?limit=1000&cursor="+url.QueryEscape(cursor), nil)
		if st != 200 {
			t.Fatalf("list contacts: %d %s", st, raw)
		}
		data, _ := page["data"].([]any)
		n += len(data)
		cursor, _ = page["next_cursor"].(string)
		if cursor == "" || len(data) == 0 {
			return n
		}
	}
}

// changesCSV writes a file that moves three existing contacts to another
// city and adds newInChanges contacts; it answers the file and the
// changed contacts' email → city before.
func changesCSV(t *testing.T, api client, dir string) (string, map[string]string) {
	t.Helper()
	st, page, raw := api.do("GET", "/api/v1/contacts?limit=3", nil)
	data, _ := page["data"].([]any)
	if st != 200 || len(data) != 3 {
		t.Fatalf("contacts: %d %s", st, raw)
	}
	var b strings.Builder
	b.WriteString("email,first_name,last_name,city\n")
	changed := map[string]string{}
	for i, c := range data {
		c := c.(map[string]any)
		email, _ := c["email"].(string)
		city, _ := c["city"].(string)
		changed[email] = city
		fmt.Fprintf(&b, "%s,%v,%v,Changed City %d\n", email, c["first_name"], c["last_name"], i+1)
	}
	for i := range newInChanges {
		fmt.Fprintf(&b, "new-%d@example.org,New,Person %d,Ede\n", i+1, i+1)
	}
	path := filepath.Join(dir, "changes.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, changed
}

// currentJob answers the id of the job the page follows.
func currentJob(t *testing.T, ctx context.Context) int {
	t.Helper()
	id := must(chromedp.Run(ctx, chromedp.Evaluate[string](`sessionStorage.getItem('intake.current')`)))(t)
	n, err := strconv.Atoi(id)
	if err != nil {
		t.Fatalf("job id %q", id)
	}
	return n
}

// previewChanges uploads the file, clicks "Preview changes" and checks the
// change list shows before → after while nothing is written.
func previewChanges(t *testing.T, ctx context.Context, api client, file, shots string, before int) int {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}),
		chromedp.WaitVisible(chromedp.ID("preview")),
		chromedp.WaitVisible(chromedp.CSS(`#mapping select`)),
		chromedp.Click(chromedp.ID("preview-changes")),
		chromedp.WaitVisible(chromedp.CSS(`#changes-table td.after`)))
	if err != nil {
		t.Fatalf("preview changes: %v", err)
	}
	id := currentJob(t, ctx)
	job := api.wait(id)
	if job["status"] != "previewed" || num(job, "created") != newInChanges || num(job, "updated") != 3 {
		t.Fatalf("preview job: status %v, created %d, updated %d", job["status"], num(job, "created"), num(job, "updated"))
	}
	table := must(chromedp.Run(ctx, chromedp.Text(chromedp.ID("changes-table"))))(t)
	summary := must(chromedp.Run(ctx, chromedp.Text(chromedp.ID("changes-summary"))))(t)
	for _, want := range []string{"Updated", "New contact", "city", "→ Changed City 1", "new-1@example.org"} {
		if !strings.Contains(table, want) {
			t.Errorf("the change list lacks %q:\n%.800s", want, table)
		}
	}
	if !strings.Contains(summary, "5 created") || !strings.Contains(summary, "3 updated") {
		t.Errorf("change summary: %q", summary)
	}
	if n := countContacts(t, api); n != before {
		t.Fatalf("a preview wrote: %d contacts, %d before", n, before)
	}
	allLabelled(t, ctx)
	saveShot(t, shots, "changes-1280.png", must(chromedp.Run(ctx, chromedp.FullScreenshot(100)))(t))
	return id
}

// applyPreview clicks "Start import" under the change list and checks the
// finished screen shows the counts and the change list.
func applyPreview(t *testing.T, ctx context.Context, api client, id int, shots string, before int) {
	t.Helper()
	// With the keyboard: focus the button under the change list, press Enter.
	err := chromedp.Do(ctx, chromedp.Focus(chromedp.ID("apply")), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.ID("done")),
		chromedp.WaitVisible(chromedp.CSS(`#done-changes-table td.after`)),
		chromedp.WaitVisible(chromedp.ID("undo")))
	if err != nil {
		t.Fatalf("start the preview: %v", err)
	}
	job := api.wait(id)
	if job["status"] != "completed" || num(job, "created") != newInChanges || num(job, "updated") != 3 {
		t.Fatalf("applied job: status %v, created %d, updated %d", job["status"], num(job, "created"), num(job, "updated"))
	}
	shown := must(chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#final-counts dd[data-count="created"]`))))(t)
	if shown != strconv.Itoa(newInChanges) {
		t.Errorf("finished page shows created %q, the API %d", shown, newInChanges)
	}
	if n := countContacts(t, api); n != before+newInChanges {
		t.Fatalf("after the import: %d contacts, want %d", n, before+newInChanges)
	}
	saveShot(t, shots, "finished-changes-1280.png", must(chromedp.Run(ctx, chromedp.FullScreenshot(100)))(t))
}

// undoImport clicks Undo, waits for the undo job's result on the page and
// checks through the API that the tenant is back where it was.
func undoImport(t *testing.T, ctx context.Context, api client, id int, shots string, before int, changed map[string]string) {
	t.Helper()
	err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("undo")),
		chromedp.Poll[chromedp.Void](`!document.getElementById('done').hidden && document.getElementById('done-title').textContent.startsWith('Undo of import')`))
	if err != nil {
		t.Fatalf("undo: %v", err)
	}
	undoID := currentJob(t, ctx)
	job := api.wait(undoID)
	if undoID == id || job["status"] != "completed" || job["kind"] != "undo" || num(job, "undo_of") != id ||
		num(job, "deleted") != newInChanges || num(job, "updated") != 3 {
		t.Fatalf("undo job %d: %v", undoID, job)
	}
	shown := must(chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#final-counts dd[data-count="deleted"]`))))(t)
	if shown != strconv.Itoa(newInChanges) {
		t.Errorf("the undo's page shows deleted %q, the API %d", shown, newInChanges)
	}
	if n := countContacts(t, api); n != before {
		t.Fatalf("after the undo: %d contacts, %d before the import", n, before)
	}
	for email, city := range changed {
		_, page, _ := api.do("GET", "/api/v1/contacts?q="+url.QueryEscape(email), nil)
		data, _ := page["data"].([]any)
		if len(data) != 1 || data[0].(map[string]any)["city"] != city && !(city == "" && data[0].(map[string]any)["city"] == nil) {
			t.Errorf("%s after the undo: %v, want city %q", email, data, city)
		}
	}
	saveShot(t, shots, "undone-1280.png", must(chromedp.Run(ctx, chromedp.FullScreenshot(100)))(t))
}

// allLabelled fails on a visible control with no accessible name: no
// label, no aria-label and, for a button, no text.
func allLabelled(t *testing.T, ctx context.Context) {
	t.Helper()
	bare := must(chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('input, select, textarea, button')]
		.filter((e) => e.offsetParent !== null)
		.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !(e.tagName === 'BUTTON' && e.textContent.trim()))
		.map((e) => e.id || e.outerHTML.slice(0, 80))`)))(t)
	if len(bare) > 0 {
		t.Errorf("controls without a label: %q", bare)
	}
}

// participantsFlow imports two people as participants of an event: the
// event key input appears with the resource, Start stays blocked without
// it, and the job the page makes is a participants import of that event.
func participantsFlow(t *testing.T, ctx context.Context, api client, dir string) {
	t.Helper()
	if st, _, raw := api.do("POST", "/api/v1/events", map[string]any{"key": "conf26", "name": "Conference 2026"}); st != 201 {
		t.Fatalf("create event: %d %s", st, raw)
	}
	file := filepath.Join(dir, "attendees.csv")
	os.WriteFile(file, []byte("email,first_name,last_name\nann.attendee@example.org,Ann,Attendee\nbo.attendee@example.org,Bo,Attendee\n"), 0o644)
	err := chromedp.Do(ctx,
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}),
		chromedp.WaitVisible(chromedp.ID("preview")),
		chromedp.SetValue(chromedp.ID("opt-resource"), "participants"))
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	must(chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('opt-resource').dispatchEvent(new Event('change'))`)))(t)
	blocked := must(chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('start').disabled && !document.getElementById('event-box').hidden`)))(t)
	blocking := must(chromedp.Run(ctx, chromedp.Text(chromedp.ID("blocking"))))(t)
	if !blocked || !strings.Contains(blocking, "event key") {
		t.Fatalf("participants without an event key: start disabled and the input shown %v, blocking %q", blocked, blocking)
	}
	err = chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("opt-event"), "conf26"),
		chromedp.Click(chromedp.ID("preview-changes")),
		chromedp.WaitVisible(chromedp.CSS(`#changes-table td.after`)),
		chromedp.Click(chromedp.ID("apply")),
		chromedp.WaitVisible(chromedp.ID("done")))
	if err != nil {
		t.Fatalf("participants preview and start: %v", err)
	}
	job := api.wait(currentJob(t, ctx))
	opts, _ := job["options"].(map[string]any)
	if job["status"] != "completed" || job["resource"] != "participants" || opts["event_key"] != "conf26" || num(job, "created") != 2 {
		t.Fatalf("participants job: %v", job)
	}
	st, page, raw := api.do("GET", "/api/v1/events/conf26/participants", nil)
	if data, _ := page["data"].([]any); st != 200 || len(data) != 2 {
		t.Fatalf("the event's participants: %d %s", st, raw)
	}
}
