// The API client: the key lives in sessionStorage (this tab only) and is
// sent as a bearer token with every call.
const KEY = 'intake.key';

export const key = {
  get: () => sessionStorage.getItem(KEY) || '',
  set: (k) => sessionStorage.setItem(KEY, k),
  clear: () => sessionStorage.removeItem(KEY),
};

// ApiError carries the problem+json detail, which is written for people.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problemText(status, problem));
    this.status = status;
    this.problem = problem;
  }
}

function problemText(status, p) {
  if (!p) return `The server answered ${status}.`;
  let text = p.detail || p.title || `The server answered ${status}.`;
  const more = (p.errors || []).map((e) => e.message).filter((m) => m && m !== text);
  if (more.length) text += ' ' + more.slice(0, 3).join(' ');
  return text;
}

// api calls the server with the key and answers the parsed JSON body.
export async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + key.get() };
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// upload sends a file as multipart/form-data with XHR, whose upload
// events give a progress bar (fetch has none), and answers the job.
export function upload(file, fields, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/imports');
    xhr.setRequestHeader('Authorization', 'Bearer ' + key.get());
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); };
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { data = null; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(xhr.status, data));
    };
    xhr.onerror = () => reject(new Error('The upload was cut off. Check the connection and try again.'));
    xhr.send(form);
  });
}

// download fetches a file with the key and saves it under name: a plain
// link could not send the Authorization header.
export async function download(path, name) {
  const res = await fetch(path, { headers: { Authorization: 'Bearer ' + key.get() } });
  if (!res.ok) {
    let p = null;
    try { p = await res.json(); } catch { p = null; }
    throw new ApiError(res.status, p);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// el builds an element: el('td', {class: 'x'}, 'text', child…).
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c ?? '')));
  return e;
}

// fillTable replaces a table's content with a header row and body rows.
export function fillTable(table, head, rows) {
  table.replaceChildren(
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => (c instanceof Node && c.tagName === 'TD' ? c : el('td', {}, c)))))),
  );
}

export const $ = (id) => document.getElementById(id);
export const fmt = (n) => Number(n || 0).toLocaleString('en-US');
