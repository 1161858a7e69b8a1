// The import flow: upload → preview and mapping → options → run → finished.
import { api, upload, download, el, fillTable, $, fmt } from './api.js';
import { firstRows, showDetected, showRows, buildMapping, mapping } from './preview.js';

const CURRENT = 'intake.current';
let job = null, targets = [], poller = null, samples = [];

const show = (id, on) => { $(id).hidden = !on; };
const finished = (s) => ['completed', 'failed', 'cancelled', 'expired'].includes(s);

export function initImporter(onFinished) {
  const drop = $('drop'), input = $('file');
  input.addEventListener('change', () => input.files[0] && begin(input.files[0]));
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer.files[0]) begin(e.dataTransfer.files[0]);
  });
  $('start').addEventListener('click', start);
  $('cancel').addEventListener('click', cancel);
  $('again').addEventListener('click', reset);
  $('download-errors').addEventListener('click', () =>
    download(job.error_report_url, `import-${job.id}-errors.csv`).catch((e) => { $('summary').textContent = e.message; }));
  $('opt-match').addEventListener('change', checkRequired);
  $('opt-mode').addEventListener('change', checkRequired);
  finishedHook = onFinished;
}
let finishedHook = () => {};

// resume shows the job this tab was following before a reload.
export async function resume() {
  const id = sessionStorage.getItem(CURRENT);
  if (id) open(Number(id)).catch(() => sessionStorage.removeItem(CURRENT));
}

// open shows a job: its progress while it runs, its summary when done.
export async function open(id) {
  job = await api('GET', `/api/v1/imports/${id}`);
  sessionStorage.setItem(CURRENT, String(id));
  if (finished(job.status)) return showDone();
  if (job.status === 'awaiting_mapping') return showMapping(null);
  return follow();
}

function reset() {
  stopPolling();
  job = null;
  sessionStorage.removeItem(CURRENT);
  ['preview', 'run', 'done'].forEach((s) => show(s, false));
  $('file').value = '';
  $('upload-progress').value = 0;
  $('upload-status').textContent = '';
  $('file').focus();
}

async function begin(file) {
  reset();
  $('upload-status').textContent = `Uploading ${file.name}…`;
  try {
    job = await upload(file, { autostart: 'false' }, (loaded, total) => {
      $('upload-progress').value = Math.round((loaded / total) * 100);
      $('upload-status').textContent = `Uploading ${file.name}: ${fmt(loaded)} of ${fmt(total)} bytes`;
    });
  } catch (e) {
    $('upload-status').textContent = e.message;
    return;
  }
  $('upload-progress').value = 100;
  $('upload-status').textContent = `Uploaded ${file.name}.`;
  sessionStorage.setItem(CURRENT, String(job.id));
  await showMapping(file);
}

async function showMapping(file) {
  if (!targets.length) targets = (await api('GET', '/api/v1/fields')).targets || [];
  showDetected(job);
  showRows(job, file ? await firstRows(job, file) : null);
  buildMapping(job, targets, checkRequired);
  const match = $('opt-match');
  match.replaceChildren(...targets.filter((t) => t.match).map((t) => el('option', { value: t.name }, t.label || t.name)));
  match.value = (job.match_fields || ['email'])[0] || 'email';
  if (job.mode) $('opt-mode').value = job.mode;
  if (job.options?.duplicates) $('opt-duplicates').value = job.options.duplicates;
  show('preview', true);
  checkRequired();
  $('preview-title').scrollIntoView({ block: 'start' });
}

// checkRequired blocks Start while a required field or the match field
// has no column.
function checkRequired() {
  const mapped = new Set(Object.values(mapping()).filter(Boolean));
  const need = [...(job.options?.required_fields || targets.filter((t) => t.required).map((t) => t.name))];
  if ($('opt-mode').value !== 'create' || !need.length) need.push($('opt-match').value);
  const missing = [...new Set(need)].filter((f) => f && !mapped.has(f));
  $('blocking').textContent = missing.length ? `Map a column to ${missing.join(', ')} before you start: ${missing.length > 1 ? 'they are' : 'it is'} needed to find or create each contact.` : '';
  $('start').disabled = missing.length > 0;
}

async function start() {
  $('start-error').textContent = '';
  $('start').disabled = true;
  const patch = {
    mapping: mapping(), mode: $('opt-mode').value, match_fields: [$('opt-match').value],
    ignore_empty_fields: $('opt-empty').value === 'keep', duplicates: $('opt-duplicates').value,
    skip_on_error: $('opt-errors').value === 'skip',
  };
  try {
    await api('PATCH', `/api/v1/imports/${job.id}`, patch);
    job = await api('POST', `/api/v1/imports/${job.id}/start`);
  } catch (e) {
    $('start-error').textContent = e.message;
    $('start').disabled = false;
    return;
  }
  show('preview', false);
  follow();
}

function follow() {
  samples = [];
  show('run', true);
  $('run-file').textContent = `Importing ${job.file_name || 'the file'}`;
  $('cancel').disabled = false;
  render();
  stopPolling();
  poller = setInterval(poll, 500);
}

function stopPolling() { if (poller) clearInterval(poller); poller = null; }

async function poll() {
  try { job = await api('GET', `/api/v1/imports/${job.id}`); } catch (e) { $('rate').textContent = e.message; return; }
  if (finished(job.status)) { stopPolling(); return showDone(); }
  render();
}

// render shows progress, counts, rows per second and the time left, the
// rate taken over the last ten seconds of polls.
function render() {
  $('import-progress').value = job.progress || 0;
  for (const d of $('counts').querySelectorAll('[data-count]')) d.textContent = fmt(job[d.dataset.count]);
  const now = Date.now();
  samples.push([now, job.processed_rows || 0]);
  while (samples.length > 2 && now - samples[0][0] > 10000) samples.shift();
  const [t0, p0] = samples[0];
  const rate = now > t0 ? ((job.processed_rows - p0) * 1000) / (now - t0) : 0;
  const left = (job.total_rows || 0) - (job.processed_rows || 0);
  let text = `${fmt(job.processed_rows)}${job.total_rows ? ' of ' + fmt(job.total_rows) : ''} rows, ${job.status}`;
  if (rate > 0) text += `, ${fmt(Math.round(rate))} rows/s`;
  if (rate > 0 && left > 0) text += `, about ${Math.ceil(left / rate)} s left`;
  $('rate').textContent = text;
}

async function cancel() {
  $('cancel').disabled = true;
  try { job = await api('POST', `/api/v1/imports/${job.id}/cancel`); } catch (e) { $('rate').textContent = e.message; }
}

function showDone() {
  stopPolling();
  show('run', false);
  show('preview', false);
  show('done', true);
  for (const d of $('final-counts').querySelectorAll('[data-count]')) d.textContent = fmt(job[d.dataset.count]);
  const took = job.started_at && job.finished_at ? (new Date(job.finished_at) - new Date(job.started_at)) / 1000 : 0;
  let s = `Import ${job.id} of ${job.file_name || 'the file'} ${job.status}`;
  if (took > 0) s += ` in ${took.toFixed(1)} s (${fmt(Math.round((job.processed_rows || 0) / took))} rows/s)`;
  if (job.options?.mode === 'validate' || job.mode === 'validate') s += '; validate wrote nothing';
  if (job.error) s += `: ${job.error}`;
  $('summary').textContent = s + '.';
  const errs = job.errors || [];
  show('errors-box', job.has_errors);
  const outcome = { failed: 'Not written', skipped: 'Skipped', partial: 'Written without this value', removed: 'Removed' };
  fillTable($('errors-table'), ['Row', 'Column', 'Value', 'Outcome', 'What happened'],
    errs.map((e) => [e.row, e.column || e.field || '', e.value || '', outcome[e.outcome] || e.outcome || '', el('td', { class: 'msg' }, e.message)]));
  finishedHook();
}
