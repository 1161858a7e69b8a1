// The web importer: sign in with an API key, then import, follow, look back.
import { api, key, $ } from './api.js';
import { initImporter, open, resume } from './importer.js';
import { initLists, history, contacts } from './lists.js';

async function signIn(k) {
  key.set(k);
  let me;
  try { me = await api('GET', '/api/v1/me'); } catch (e) {
    key.clear();
    $('signin-error').textContent = e.status === 401 ? 'That API key is not valid (or was revoked).' : e.message;
    $('api-key').focus();
    return;
  }
  $('signin-error').textContent = '';
  $('tenant').textContent = me.tenant;
  $('scopes').textContent = `(${me.scopes.join(', ')})`;
  $('who').hidden = false;
  $('signin').hidden = true;
  $('app').hidden = false;
  const openJob = (id) => open(id).catch((e) => { $('upload-status').textContent = e.message; });
  history(openJob);
  contacts();
  resume();
}

function signOut() {
  key.clear();
  sessionStorage.clear();
  location.reload();
}

initImporter(() => { history((id) => open(id)); contacts(); });
initLists((id) => open(id));
$('signin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  signIn($('api-key').value.trim());
});
$('signout').addEventListener('click', signOut);
if (key.get()) signIn(key.get());
else $('api-key').focus();
