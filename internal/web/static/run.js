// A started job: live progress with Cancel, the change list of a
// preview with "Start import", and the finished screen with the counts,
// the first errors, the change list and Undo. An undo is a job too, and
// is followed the same way.
import { api, download, el, fillTable, $, fmt } from './api.js';
import { changeList, summaryText } from './changes.js';

export const CURRENT = 'intake.current';
let current = null, poller = null, samples = [], finishedHook = () => {}, resetHook = () => {};

export const job = () => current;
export const setJob = (j) => { current = j; };
const show = (id, on) => { $(id).hidden = !on; };
const ended = (s) => ['completed', 'failed', 'cancelled', 'expired'].includes(s);

export function initRun(onFinished, onReset) {
  finishedHook = onFinished;
  resetHook = onReset;
  $('cancel').addEventListener('click', cancel);
  $('again').addEventListener('click', () => resetHook());
  $('discard').addEventListener('click', () => resetHook());
  $('apply').addEventListener('click', apply);
  $('undo').addEventListener('click', undo);
  $('download-errors').addEventListener('click', () =>
    download(current.error_report_url, `import-${current.id}-errors.csv`).catch((e) => { $('summary').textContent = e.message; }));
}

export function resetRun() {
  stopPolling();
  current = null;
}

// open shows a job: its mapping while it awaits one, its progress while
// it runs, its change list when previewed, its summary when done.
export async function open(id, showMapping) {
  current = await api('GET', `/api/v1/imports/${id}`);
  sessionStorage.setItem(CURRENT, String(id));
  ['preview', 'run', 'done', 'changes'].forEach((s) => show(s, false));
  if (ended(current.status)) return showDone();
  if (current.status === 'previewed') return showChanges();
  if (current.status === 'awaiting_mapping' && showMapping) return showMapping(null);
  return follow();
}

// verb says what a running job does.
function verb(j) {
  if (j.kind === 'undo') return `Undoing import ${j.undo_of}`;
  return j.options?.preview || j.mode === 'validate' ? 'Previewing the changes of' : 'Importing';
}

export function follow() {
  samples = [];
  show('run', true);
  $('run-title').textContent = `3. ${verb(current).replace(/ of$/, '')}`;
  $('run-file').textContent = `${verb(current)} ${current.file_name || 'the file'}`;
  $('cancel').disabled = false;
  render();
  stopPolling();
  poller = setInterval(poll, 500);
}

function stopPolling() { if (poller) clearInterval(poller); poller = null; }

async function poll() {
  try { current = await api('GET', `/api/v1/imports/${current.id}`); } catch (e) { $('rate').textContent = e.message; return; }
  if (ended(current.status)) { stopPolling(); return showDone(); }
  if (current.status === 'previewed') { stopPolling(); return showChanges(); }
  render();
}

// render shows progress, counts, rows per second and the time left, the
// rate taken over the last ten seconds of polls.
function render() {
  $('import-progress').value = current.progress || 0;
  for (const d of $('counts').querySelectorAll('[data-count]')) d.textContent = fmt(current[d.dataset.count]);
  const now = Date.now();
  samples.push([now, current.processed_rows || 0]);
  while (samples.length > 2 && now - samples[0][0] > 10000) samples.shift();
  const [t0, p0] = samples[0];
  const rate = now > t0 ? ((current.processed_rows - p0) * 1000) / (now - t0) : 0;
  const left = (current.total_rows || 0) - (current.processed_rows || 0);
  let text = `${fmt(current.processed_rows)}${current.total_rows ? ' of ' + fmt(current.total_rows) : ''} rows, ${current.status}`;
  if (rate > 0) text += `, ${fmt(Math.round(rate))} rows/s`;
  if (rate > 0 && left > 0) text += `, about ${Math.ceil(left / rate)} s left`;
  $('rate').textContent = text;
}

async function cancel() {
  $('cancel').disabled = true;
  try { current = await api('POST', `/api/v1/imports/${current.id}/cancel`); } catch (e) { $('rate').textContent = e.message; }
}

// showChanges shows a previewed job's change list and offers to apply it.
async function showChanges() {
  show('run', false);
  show('changes', true);
  $('apply').disabled = false;
  $('apply-error').textContent = '';
  $('changes-summary').textContent = `Nothing is written yet. ${current.file_name || 'The file'} would make: ${summaryText(countsOf(current))}`;
  try {
    const summary = await changeList($('changes-box'), current.id, 'changes');
    $('changes-summary').textContent = `Nothing is written yet. ${current.file_name || 'The file'} would make: ${summaryText(summary)}`;
  } catch (e) {
    $('apply-error').textContent = e.message;
  }
  $('changes-title').scrollIntoView({ block: 'start' });
}

const countsOf = (j) => ({ created: j.created, updated: j.updated, deleted: j.deleted, skipped: j.skipped, failed: j.failed_rows, partial: j.partial_rows });

// apply starts a previewed job: it writes what the change list shows
// (re-deciding each row against the data as it is now).
async function apply() {
  $('apply').disabled = true;
  try { current = await api('POST', `/api/v1/imports/${current.id}/start`); } catch (e) {
    $('apply-error').textContent = e.message;
    $('apply').disabled = false;
    return;
  }
  show('changes', false);
  follow();
}

// undo asks for the import's undo job and follows it.
async function undo() {
  $('undo').disabled = true;
  $('undo-error').textContent = '';
  try { current = await api('POST', `/api/v1/imports/${current.id}/undo`); } catch (e) {
    $('undo-error').textContent = e.message;
    $('undo').disabled = false;
    return;
  }
  sessionStorage.setItem(CURRENT, String(current.id));
  show('done', false);
  follow();
}

function showDone() {
  stopPolling();
  ['run', 'preview', 'changes'].forEach((s) => show(s, false));
  show('done', true);
  for (const d of $('final-counts').querySelectorAll('[data-count]')) d.textContent = fmt(current[d.dataset.count]);
  $('done-title').textContent = current.kind === 'undo' ? `Undo of import ${current.undo_of} finished` : 'Finished';
  $('summary').textContent = summarySentence(current);
  const errs = current.errors || [];
  show('errors-box', current.has_errors);
  const outcome = { failed: 'Not written', skipped: 'Skipped', partial: 'Written without this value', removed: 'Removed' };
  fillTable($('errors-table'), ['Row', 'Column', 'Value', 'Outcome', 'What happened'],
    errs.map((e) => [e.row, e.column || e.field || '', e.value || '', outcome[e.outcome] || e.outcome || '', el('td', { class: 'msg' }, e.message)]));
  showDoneChanges();
  showUndo();
  finishedHook();
}

function summarySentence(j) {
  const took = j.started_at && j.finished_at ? (new Date(j.finished_at) - new Date(j.started_at)) / 1000 : 0;
  let s = j.kind === 'undo' ? `Undo ${j.id} of import ${j.undo_of} ${j.status}` : `Import ${j.id} of ${j.file_name || 'the file'} ${j.status}`;
  if (took >= 0.1) s += ` in ${took.toFixed(1)} s (${fmt(Math.round((j.processed_rows || 0) / took))} rows/s)`;
  else if (j.finished_at) s += ' in under 0.1 s';
  if (j.kind === 'undo') s += `: ${fmt(j.updated)} contacts restored, ${fmt(j.deleted)} removed, ${fmt(j.created)} brought back, ${fmt(j.skipped)} left alone (changed since)`;
  if (j.error) s += `: ${j.error}`;
  return s + '.';
}

// showDoneChanges lists what a previewed-then-applied import changed.
function showDoneChanges() {
  const on = current.kind !== 'undo';
  show('done-changes', on);
  if (!on) return;
  if (!current.previewed_at) {
    $('done-changes-box').replaceChildren(el('p', { class: 'muted' },
      'This import was started without “Preview changes”, so no per-row change list was kept. Undo still takes it back.'));
    return;
  }
  changeList($('done-changes-box'), current.id, 'done-changes').catch((e) => {
    $('done-changes-box').replaceChildren(el('p', { class: 'muted' }, e.message));
  });
}

// showUndo offers Undo for an import that wrote something and is not
// undone yet, or says which job undid it.
function showUndo() {
  const can = current.kind !== 'undo' && current.status !== 'expired';
  show('undo-box', can);
  if (!can) return;
  $('undo-error').textContent = '';
  const undone = Boolean(current.undo_id || current.undone_at);
  $('undo').disabled = undone;
  $('undo').textContent = undone ? 'Undone' : 'Undo this import';
  $('undo-text').textContent = undone
    ? `This import was taken back${current.undo_id ? ` by undo job ${current.undo_id}` : ''}.`
    : 'Undo removes the contacts this import created, restores the values it changed and brings back what it deleted. Contacts changed since are left alone and reported.';
}
