// The preview: the file's first rows and the column mapping, built from
// the job the upload created (its headers, suggested mapping, what was
// detected and, when the server sends them, its recognised columns).
import { el, fillTable, $ } from './api.js';

const PREVIEW_ROWS = 8;

// firstRows answers the job's own preview rows when it has them, else
// reads the first rows of a CSV/TSV file in the browser with the
// delimiter and encoding the server detected; other formats show none.
export async function firstRows(job, file) {
  const rows = job.preview?.rows || job.sample_rows;
  if (Array.isArray(rows)) return rows.slice(0, PREVIEW_ROWS);
  if (job.format !== 'csv' && job.format !== 'tsv') return null;
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
  const parts = [`${job.file_name || 'The file'}: ${String(job.format || '').toUpperCase()}`];
  if (job.sheet) parts.push(`sheet “${job.sheet}”`);
  if (job.options?.header_row) parts.push(`header on row ${job.options.header_row}`);
  if (job.delimiter) parts.push(`separated by ${job.delimiter === '\t' ? 'tabs' : `“${job.delimiter}”`}`);
  if (job.encoding) parts.push(`encoding ${job.encoding}`);
  parts.push(`${(job.headers || []).length} columns`);
  $('detected').textContent = parts.join(', ') + '.';
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
    if (info?.reason) note = info.reason + (info.confidence !== undefined ? ` (confidence ${Math.round(info.confidence * 100)}%)` : '');
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
