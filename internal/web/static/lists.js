// Past imports and the contacts browser.
import { api, el, fillTable, $, fmt } from './api.js';

export function initLists(openJob) {
  $('history-refresh').addEventListener('click', () => history(openJob));
  $('contacts-form').addEventListener('submit', (e) => { e.preventDefault(); pages = ['']; contacts(); });
  $('contacts-next').addEventListener('click', () => { if (next) { pages.push(next); contacts(); } });
  $('contacts-prev').addEventListener('click', () => { if (pages.length > 1) { pages.pop(); contacts(); } });
}

export async function history(openJob) {
  let list;
  try { list = await api('GET', '/api/v1/imports?limit=20'); } catch (e) {
    fillTable($('history-table'), ['Past imports'], [[e.message]]);
    return;
  }
  const rows = (list.data || []).map((j) => {
    const b = el('button', { type: 'button', 'aria-label': `Open import ${j.id}` }, 'Open');
    b.addEventListener('click', () => openJob(j.id));
    const what = j.kind === 'undo' ? `Undo of import ${j.undo_of}` : j.file_name || j.name || '';
    return [j.id, what, j.undone_at ? `${j.status}, undone` : j.status, fmt(j.total_rows), fmt(j.created), fmt(j.updated),
      fmt(j.skipped), fmt(j.failed_rows), new Date(j.created_at).toLocaleString(), el('td', {}, b)];
  });
  if (!rows.length) rows.push(['No imports yet.', '', '', '', '', '', '', '', '', '']);
  fillTable($('history-table'), ['#', 'File', 'Status', 'Rows', 'Created', 'Updated', 'Skipped', 'Failed', 'Uploaded', ''], rows);
}

let pages = [''], next = '';

export async function contacts() {
  const q = $('contacts-q').value.trim();
  const params = new URLSearchParams({ limit: '20' });
  if (q) params.set('q', q);
  if (pages.at(-1)) params.set('cursor', pages.at(-1));
  let page;
  try { page = await api('GET', `/api/v1/contacts?${params}`); } catch (e) {
    fillTable($('contacts-table'), ['Contacts'], [[e.message]]);
    return;
  }
  next = page.next_cursor || '';
  const rows = (page.data || []).map((c) => [c.id, c.name || [c.first_name, c.last_name].filter(Boolean).join(' '),
    c.email || '', c.phone || '', c.city || '', (c.tags || []).join(', ')]);
  if (!rows.length) rows.push(['No contacts found.', '', '', '', '', '']);
  fillTable($('contacts-table'), ['#', 'Name', 'Email', 'Phone', 'City', 'Tags'], rows);
  $('contacts-prev').disabled = pages.length <= 1;
  $('contacts-next').disabled = !next;
  $('contacts-page').textContent = `Page ${pages.length}`;
}
