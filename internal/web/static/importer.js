// The import flow: upload → preview and mapping → options → preview
// changes or start. What follows a start (progress, the change list,
// finished, undo) is run.js.
import { api, upload, el, $, fmt } from './api.js';
import { firstRows, showDetected, showRows, buildMapping, mapping } from './preview.js';
import { initRun, open as openJob, follow, resetRun, setJob, job, CURRENT } from './run.js';

let targets = [];
const show = (id, on) => { $(id).hidden = !on; };

// PARTICIPANT_FIELDS are a participant's own fields, offered besides a
// contact's when the rows are participants.
const PARTICIPANT_FIELDS = [{ name: 'status', label: 'Participant status' }];

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
  $('start').addEventListener('click', () => start(false));
  $('preview-changes').addEventListener('click', () => start(true));
  $('opt-match').addEventListener('change', checkRequired);
  $('opt-mode').addEventListener('change', checkRequired);
  $('opt-event').addEventListener('input', checkRequired);
  $('opt-resource').addEventListener('change', resourceChanged);
  initRun(onFinished, reset);
}

// open shows job id where it stands (its mapping, progress, changes or
// summary).
export const open = (id) => openJob(id, showMapping);

// resume shows the job this tab was following before a reload.
export async function resume() {
  const id = sessionStorage.getItem(CURRENT);
  if (id) open(Number(id)).catch(() => sessionStorage.removeItem(CURRENT));
}

function reset() {
  resetRun();
  sessionStorage.removeItem(CURRENT);
  ['preview', 'run', 'done', 'changes'].forEach((s) => show(s, false));
  $('file').value = '';
  $('upload-progress').value = 0;
  $('upload-status').textContent = '';
  $('file').focus();
}

async function begin(file) {
  reset();
  $('upload-status').textContent = `Uploading ${file.name}…`;
  let created;
  try {
    created = await upload(file, { autostart: 'false' }, (loaded, total) => {
      $('upload-progress').value = Math.round((loaded / total) * 100);
      $('upload-status').textContent = `Uploading ${file.name}: ${fmt(loaded)} of ${fmt(total)} bytes`;
    });
  } catch (e) {
    $('upload-status').textContent = e.message;
    return;
  }
  setJob(created);
  $('upload-progress').value = 100;
  $('upload-status').textContent = `Uploaded ${file.name}.`;
  sessionStorage.setItem(CURRENT, String(created.id));
  await showMapping(file);
}

// showMapping shows the columns, the mapping selects and the options of
// the job awaiting its mapping (file: the upload, to read its first rows
// when the job has none).
async function showMapping(file) {
  if (!targets.length) targets = (await api('GET', '/api/v1/fields')).targets || [];
  showDetected(job());
  showRows(job(), await firstRows(job(), file));
  const resource = job().resource === 'participants' ? 'participants' : 'contacts';
  $('opt-resource').value = resource;
  $('opt-event').value = job().options?.event_key || '';
  buildMapping(job(), fieldsFor(resource), checkRequired);
  const match = $('opt-match');
  match.replaceChildren(...targets.filter((t) => t.match).map((t) => el('option', { value: t.name }, t.label || t.name)));
  match.value = (job().match_fields || ['email'])[0] || 'email';
  if (job().mode) $('opt-mode').value = job().mode === 'validate' ? 'validate' : job().mode;
  if (job().options?.duplicates) $('opt-duplicates').value = job().options.duplicates;
  show('preview', true);
  showEvent();
  checkRequired();
  $('preview-title').scrollIntoView({ block: 'start' });
}

const fieldsFor = (resource) => (resource === 'participants' ? PARTICIPANT_FIELDS.concat(targets) : targets);

// resourceChanged rebuilds the selects with the resource's fields,
// keeping what is chosen.
function resourceChanged() {
  const chosen = mapping();
  buildMapping({ ...job(), mapping: chosen, columns: job().columns }, fieldsFor($('opt-resource').value), checkRequired);
  showEvent();
  checkRequired();
}

// showEvent shows the event key input for participants, with the
// tenant's events to pick from when the key may list them.
function showEvent() {
  const on = $('opt-resource').value === 'participants';
  show('event-box', on);
  if (!on || $('event-keys').children.length) return;
  api('GET', '/api/v1/events?limit=100').then((page) => {
    $('event-keys').replaceChildren(...(page.data || []).map((e) => el('option', { value: e.key }, e.name || e.key)));
  }).catch(() => {});
}

// checkRequired blocks Start while a required field, the match field or
// a participants import's event key is missing.
function checkRequired() {
  const mapped = new Set(Object.values(mapping()).filter(Boolean));
  const need = [...(job().options?.required_fields || targets.filter((t) => t.required).map((t) => t.name))];
  if ($('opt-mode').value !== 'create' || !need.length) need.push($('opt-match').value);
  const missing = [...new Set(need)].filter((f) => f && !mapped.has(f));
  let text = missing.length ? `Map a column to ${missing.join(', ')} before you start: ${missing.length > 1 ? 'they are' : 'it is'} needed to find or create each contact.` : '';
  const noEvent = $('opt-resource').value === 'participants' && !$('opt-event').value.trim();
  if (noEvent) text = (text ? text + ' ' : '') + 'Enter the event key: participants register for an event.';
  $('blocking').textContent = text;
  $('start').disabled = $('preview-changes').disabled = Boolean(text);
}

// options reads the options form as the PATCH body's fields.
function options(preview) {
  const patch = {
    mapping: mapping(), mode: $('opt-mode').value, match_fields: [$('opt-match').value],
    ignore_empty_fields: $('opt-empty').value === 'keep', duplicates: $('opt-duplicates').value,
    skip_on_error: $('opt-errors').value === 'skip', resource: $('opt-resource').value,
  };
  if (patch.resource === 'participants') patch.event_key = $('opt-event').value.trim();
  if (preview) patch.preview = true;
  return patch;
}

// start sets the mapping and options and starts the job: as a preview
// (nothing written, the change list kept) or as the import.
async function start(preview) {
  $('start-error').textContent = '';
  $('start').disabled = $('preview-changes').disabled = true;
  try {
    await api('PATCH', `/api/v1/imports/${job().id}`, options(preview));
    setJob(await api('POST', `/api/v1/imports/${job().id}/start`));
  } catch (e) {
    $('start-error').textContent = e.message;
    checkRequired();
    return;
  }
  show('preview', false);
  follow();
}
