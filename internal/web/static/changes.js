// The change list of a previewed import (GET /api/v1/imports/{id}/changes):
// per row its outcome and each field's value before → after, paged, with
// a filter by outcome. Shown before "Start import" of a preview and on
// the finished screen of an import that was previewed.
import { api, el, fillTable, fmt } from './api.js';

const OUTCOMES = ['created', 'updated', 'unchanged', 'skipped', 'failed', 'partial', 'deleted', 'removed'];
const WORDS = {
  created: 'New contact', updated: 'Updated', unchanged: 'No change', skipped: 'Skipped', failed: 'Not written',
  partial: 'Written without a bad value', deleted: 'Deleted', removed: 'Removed',
};
const PAGE = 50;

// value renders a stored value for a person: lists joined, empty shown
// as such.
function value(v) {
  if (v === null || v === undefined || v === '') return '(empty)';
  if (Array.isArray(v)) return v.length ? v.join(', ') : '(empty)';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// summaryText says the change set's totals in a sentence.
export function summaryText(summary) {
  const parts = OUTCOMES.filter((o) => summary?.[o]).map((o) => `${fmt(summary[o])} ${o}`);
  return parts.length ? parts.join(', ') : 'No rows.';
}

// changeList fills box with a filter, a table and paging for job id; it
// answers the first page's summary. prefix keeps the ids of two lists
// on one page apart.
export async function changeList(box, id, prefix) {
  const filter = el('select', { id: `${prefix}-outcome` }, el('option', { value: '' }, 'All rows'),
    ...OUTCOMES.map((o) => el('option', { value: o }, WORDS[o])));
  const table = el('table', { id: `${prefix}-table` });
  const scroll = el('div', { class: 'scroll', tabindex: '0', 'aria-label': 'Changes per row' }, table);
  const more = el('button', { type: 'button', id: `${prefix}-more` }, 'Show more rows');
  const status = el('p', { class: 'muted', role: 'status' });
  box.replaceChildren(el('div', { class: 'inline' }, el('label', { for: filter.id }, 'Show'), filter), scroll, more, status);
  let cursor = '', rows = [], n = 0, first = null;
  const load = async (fresh) => {
    if (fresh) { cursor = ''; rows = []; n = 0; }
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (filter.value) q.set('outcome', filter.value);
    if (cursor) q.set('cursor', cursor);
    const page = await api('GET', `/api/v1/imports/${id}/changes?${q}`);
    first = first || page;
    cursor = page.next_cursor || '';
    rows = rows.concat(page.data.flatMap(changeRows));
    n += page.data.length;
    fillTable(table, ['Row', 'What happens', 'Field', 'Before', 'After'], rows.length ? rows : [['No rows.', '', '', '', '']]);
    more.hidden = !cursor;
    status.textContent = `${fmt(n)} rows shown${cursor ? '; more with “Show more rows”' : ''}.`;
  };
  filter.addEventListener('change', () => load(true).catch((e) => { status.textContent = e.message; }));
  more.addEventListener('click', () => load(false).catch((e) => { status.textContent = e.message; }));
  await load(true);
  return first.summary;
}

// changeRows turns one row of the change set into table rows: one per
// changed field, the row's number and outcome on the first.
function changeRows(c) {
  const what = WORDS[c.outcome] || c.outcome;
  if (!c.changes?.length) return [[c.row, what, '', '', '']];
  return c.changes.map((f, i) => [i ? '' : c.row, i ? '' : what, f.field,
    el('td', { class: 'before' }, value(f.before)), el('td', { class: 'after' }, '→ ' + value(f.after))]);
}
