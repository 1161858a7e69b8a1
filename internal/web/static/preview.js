// The preview: the file's first rows and the column mapping, built from
// the job the upload created (its headers, suggested mapping, what was
// detected and, when the server sends them, its recognised columns).
import { el, fillTable, $ } from './api.js';

const PREVIEW_ROWS = 8;

// firstRows answers the rows the server read (the job's preview_rows)
// when it has them, else reads the first rows of a CSV/TSV upload in the
// browser with the delimiter and encoding the server detected.
export async function firstRows(job, file) {
  const rows = job.preview_rows;
  if (Array.isArray(rows) && rows.length) return rows.slice(0, PREVIEW_ROWS);
  if (!file || (job.format !== 'csv' && job.format !== 'tsv')) return null;
  const buf = await file.slice(0, 256 * 1024).arrayBuffer();
  let text;
  try { text = new TextDecoder(job.encoding || 'utf-8').decode(buf); } catch { text = new TextDecoder().decode(buf); }
  const delim = job.delimiter || (job.format === 'tsv' ? '\t' : ',');
  const records = parseCSV(text.replace(/^\uFEFF/, ''), delim, PREVIEW_ROWS + 40);
  const headerRow = job.options?.header_row || findHeader(records, job.headers);
  return records.slice(headerRow, headerRow + PREVIEW_ROWS);
}

// findHeader answers the 1-based row whose cells are the job's headers.
function findHeader(records, headers) {
  const want = (headers || []).join('\u0000');
  const i = records.findIndex((r) => r.map((c) => c.trim()).join('\u0000') === want);
  return i >= 0 ? i + 1 : 1;
}

// parseCSV reads up to max records of delimited text (quotes, doubled
// quotes and line breaks inside quotes), enough for a preview.
export function parseCSV(text, delim, max) {
  const out = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length && out.length < max; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === delim) { row.push(cell); cell = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); out.push(row); row = []; cell = '';
    } else cell += c;
  }
  return out;
}

// showDetected says what the server found in the file, in words.
export function showDetected(job) {
  const d = job.detected || {};
  const format = d.format || job.format || '';
  const parts = [`${job.file_name || 'The file'}: ${String(format).toUpperCase()}`];
  if (d.sheet || job.sheet) parts.push(`sheet “${d.sheet || job.sheet}”`);
  if (d.path) parts.push(`records at “${d.path}”`);
  const headerRow = d.header_row || job.options?.header_row;
  if (headerRow) parts.push(`header on row ${headerRow}`);
  const delim = d.delimiter || job.delimiter;
  if (delim) parts.push(`separated by ${delim === '\t' ? 'tabs' : `“${delim}”`}`);
  if (d.encoding || job.encoding) parts.push(`encoding ${d.encoding || job.encoding}`);
  parts.push(`${(job.headers || []).length} columns`);
  $('detected').textContent = 'Detected: ' + parts.join(', ') + '.';
}

export function showRows(job, rows) {
  const t = $('preview-table');
  if (!rows) {
    fillTable(t, ['Preview'], [[`The ${job.format} file's rows are read when the import runs; its columns are listed below.`]]);
    return;
  }
  const n = (job.headers || []).length;
  fillTable(t, job.headers, rows.map((r) => Array.from({ length: n }, (_, i) => r[i] ?? '')));
}

// REASONS say why the server suggested a column's field, in words.
const REASONS = {
  header: 'Recognised from the header', content: 'Recognised from the values',
  remembered: 'Remembered from your last import with these columns', saved: 'From the saved mapping', given: 'Set in the upload',
};
const confidence = (c) => (typeof c.confidence === 'number' ? ` (confidence ${Math.round(c.confidence * 100)}%).` : '.');

// column answers what the server's recognition says of header, if it did.
function column(job, header) {
  return (job.columns || []).find((c) => c.header === header || c.column === header);
}

// buildMapping makes one select per column, labelled with its header and
// set to the suggested field; columns the server could not place are
// marked.
export function buildMapping(job, targets, onChange) {
  const box = $('mapping');
  box.replaceChildren();
  (job.headers || []).forEach((h, i) => {
    const id = `map-${i}`;
    const suggested = job.mapping?.[h] || '';
    const sel = el('select', { id, 'data-header': h });
    sel.append(el('option', { value: '' }, 'Leave out'));
    for (const t of targets) sel.append(el('option', { value: t.name }, t.label ? `${t.label} (${t.name})` : t.name));
    if (suggested && !targets.some((t) => t.name === suggested)) sel.append(el('option', { value: suggested }, suggested));
    sel.value = suggested;
    const info = column(job, h);
    let note = suggested ? 'Recognised from the header.' : 'Not recognised: pick a field or leave it out.';
    if (suggested && info?.reason) note = (REASONS[info.reason] || info.reason) + confidence(info);
    const noteEl = el('p', { class: 'note', id: `${id}-note` }, note);
    sel.setAttribute('aria-describedby', noteEl.id);
    const box1 = el('div', { class: suggested ? 'col' : 'col unknown' }, el('label', { for: id }, h || `(column ${i + 1})`), sel, noteEl);
    sel.addEventListener('change', () => {
      box1.classList.toggle('unknown', !sel.value);
      noteEl.textContent = sel.value ? (sel.value === suggested ? note : 'Set by you.') : 'Left out.';
      onChange();
    });
    box.append(box1);
  });
}

// mapping reads the selects: header → field ("" leaves it out).
export function mapping() {
  const m = {};
  for (const s of $('mapping').querySelectorAll('select')) m[s.dataset.header] = s.value;
  return m;
}
