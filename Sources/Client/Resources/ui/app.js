// OLAF browser UI. Everything that comes from the network is inserted with textContent or as an attribute
// value checked here (file links: http/https only); no HTML parsing of network text, ever.
'use strict';

const $ = (id) => document.getElementById(id);

const state = {
  me: null,            // own fingerprint
  connection: null,
  servers: [],         // [{address, isHome, clients: [{fingerprint, nickname, isSelf}]}]
  nicknames: {},       // fingerprint -> nickname
  conversations: [],
  current: { id: 'public', kind: 'public', participants: [] },
  selected: new Set(), // fingerprints ticked for a group chat
  shown: new Set(),    // message ids rendered in the current conversation
  expanded: new Set(), // fingerprints whose details are open
  maxUploadBytes: 0,
  fileHosts: new Set(), // host:port of our home server and upload endpoint (see fileHostTrusted)
  listRefreshedAt: null, // seconds since 1970: when the home server last sent the online list
};

// ---------- access token ----------
// The URL olaf-client prints carries the token in its fragment (#token=...), which the browser never sends to
// any server. It is kept in this tab's sessionStorage (scoped to this origin, port included: no other local port
// can read it) and sent as an Authorization header; no cookie, because cookies are not port-scoped and would
// reach any other local port a link in a chat points to. The fragment is removed from the address bar at once.
const TOKEN_KEY = 'olaf-ui-token';

function takeToken() {
  const match = /^#token=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, '', location.pathname);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

const token = takeToken();

// ---------- small helpers ----------

function el(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs || {})) node.setAttribute(name, value);
  for (const child of children) if (child) node.append(child);
  return node;
}

function short(fingerprint) { return fingerprint.slice(0, 10) + '…'; }

function label(fingerprint) {
  if (fingerprint === state.me) return 'you';
  return cleanName(state.nicknames[fingerprint] || short(fingerprint));
}

function isOnline(fingerprint) {
  return state.servers.some((server) => server.clients.some((client) => client.fingerprint === fingerprint));
}

async function api(path, options = {}) {
  const init = { method: options.method || 'GET', headers: { Authorization: 'Bearer ' + token },
    credentials: 'omit', referrerPolicy: 'no-referrer' };
  if (options.body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    return { ok: false, status: 0, data: { error: 'olaf-client is not answering (is it still running?)' } };
  }
  let data = {};
  try { data = await response.json(); } catch (error) { data = {}; }
  if (response.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    showFatal('This page has no valid access token: open the address that `olaf-client url` prints.');
  }
  return { ok: response.ok, status: response.status, data };
}

function showFatal(text) { const banner = $('fatal'); banner.textContent = text; banner.hidden = false; }

function setError(id, text) { $(id).textContent = text || ''; }

// Conversation ids as olaf-client computes them: "c:" + hex of the first 16 bytes of
// SHA-256(sorted unique fingerprints joined by "\n").
async function chatID(participants) {
  const sorted = [...new Set(participants)].sort();
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(sorted.join('\n')));
  return 'c:' + [...new Uint8Array(digest)].slice(0, 16).map((b) => b.toString(16).padStart(2, '0')).join('');
}

// ---------- unlock screen ----------

async function showUnlock(current) {
  $('main-screen').hidden = true;
  $('unlock-screen').hidden = false;
  $('unlock-home').textContent = current.homeServer;
  const creating = !current.hasKey;
  $('confirm-row').hidden = !creating;
  $('passphrase').autocomplete = creating ? 'new-password' : 'current-password';
  $('unlock-button').textContent = creating ? 'Create my key' : 'Unlock';
  $('unlock-intro').textContent = creating
    ? 'Welcome! Choose a passphrase (at least 8 characters) to protect your new key. It cannot be recovered.'
    : 'Unlock your key to start chatting.';
  if (current.fingerprint) {
    $('unlock-fingerprint').textContent = current.fingerprint;
    $('unlock-fingerprint-row').hidden = false;
  }
  $('passphrase').focus();
}

$('unlock-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  setError('unlock-error', '');
  const passphrase = $('passphrase').value;
  const creating = !$('confirm-row').hidden;
  if (creating && passphrase !== $('passphrase-confirm').value) {
    setError('unlock-error', 'The two passphrases differ.');
    return;
  }
  $('unlock-button').disabled = true;
  $('unlock-status').textContent = creating ? 'Creating your key…' : 'Unlocking…';
  const result = await api(creating ? '/api/create' : '/api/unlock', { method: 'POST', body: { passphrase } });
  $('unlock-button').disabled = false;
  $('unlock-status').textContent = '';
  if (!result.ok) {
    setError('unlock-error', result.data.error || 'Could not unlock.');
    return;
  }
  $('passphrase').value = '';
  $('passphrase-confirm').value = '';
  await enterMain(result.data);
});

// ---------- main screen ----------

async function enterMain(current) {
  state.me = current.fingerprint;
  state.maxUploadBytes = current.maxUploadBytes;
  state.fileHosts = new Set([hostOf('ws://' + current.homeServer), hostOf(current.uploadURL)].filter(Boolean));
  $('unlock-screen').hidden = true;
  $('main-screen').hidden = false;
  $('me').textContent = 'You: ' + short(current.fingerprint);
  $('me-fingerprint').textContent = current.fingerprint;
  renderConnection(current.connection);
  renderDrops(current.drops);
  connectEvents();
  await Promise.all([refreshOnline(), refreshConversations()]);
  await openConversation(state.current);
}

$('me').addEventListener('click', () => { $('me-details').hidden = !$('me-details').hidden; });

$('sidebar-toggle').addEventListener('click', () => {
  const open = $('sidebar').classList.toggle('open');
  $('sidebar-toggle').setAttribute('aria-expanded', String(open));
});

function closeSidebarOnNarrow() {
  $('sidebar').classList.remove('open');
  $('sidebar-toggle').setAttribute('aria-expanded', 'false');
}

function renderConnection(connection) {
  state.connection = connection;
  const badge = $('connection');
  const status = connection ? connection.state : 'connecting';
  badge.className = 'badge ' + status;
  const text = { online: 'online', connecting: 'connecting…', offline: 'offline' }[status] || status;
  badge.textContent = text;
  badge.title = (connection && connection.detail) || '';
  if (status === 'offline' && connection && connection.detail) {
    setError('chat-error', 'Home server unreachable: ' + connection.detail + ' — retrying.');
  } else if (status === 'online' && $('chat-error').textContent.startsWith('Home server unreachable')) {
    setError('chat-error', '');
  }
}

function renderDrops(drops) {
  const total = Object.entries(drops || {}).filter(([reason]) => reason !== 'not_for_us' && reason !== 'over_budget')
    .reduce((sum, [, count]) => sum + count, 0);
  const skipped = (drops || {}).over_budget || 0;
  const parts = [];
  if (total) parts.push(`${total} received message(s) failed verification and were not shown.`);
  if (skipped) parts.push(`${skipped} chat(s) were not opened during a flood of chats to many recipients.`);
  $('drops').textContent = parts.join(' ');
}

async function refreshState() {
  const result = await api('/api/state');
  if (result.ok) { renderConnection(result.data.connection); renderDrops(result.data.drops); }
}

async function refreshOnline() {
  const result = await api('/api/online');
  if (!result.ok) return;
  state.servers = result.data.servers;
  state.nicknames = result.data.nicknames || {};
  setListRefreshedAt(result.data.refreshedAt);
  renderOnline();
  renderConversations();
  renderChatHeader();
}

// The online list's age ("updated 3 s ago"), kept current by a one-second timer; text only.
function setListRefreshedAt(seconds) {
  state.listRefreshedAt = typeof seconds === 'number' ? seconds : null;
  renderListAge();
}

function renderListAge() {
  const at = state.listRefreshedAt;
  let text = 'not updated yet';
  if (at !== null) {
    const age = Math.max(0, Math.round(Date.now() / 1000 - at));
    if (age < 2) text = 'updated just now';
    else if (age < 60) text = `updated ${age} s ago`;
    else if (age < 3600) text = `updated ${Math.floor(age / 60)} min ago`;
    else text = 'updated at ' + new Date(at * 1000).toLocaleTimeString();
  }
  $('online-updated').textContent = text;
}

setInterval(renderListAge, 1000);

let onlineRenderDeferred = false;

function renderOnline() {
  const container = $('online');
  // Do not rebuild the list under a nickname being typed; catch up when the field loses focus.
  if (container.contains(document.activeElement) && document.activeElement.tagName === 'INPUT'
      && document.activeElement.type === 'text') {
    onlineRenderDeferred = true;
    return;
  }
  onlineRenderDeferred = false;
  container.replaceChildren();
  let count = 0;
  for (const server of state.servers) {
    const box = el('div', { className: 'server' }, [
      el('p', { className: 'server-name', text: server.address + (server.isHome ? ' (your server)' : '') }),
    ]);
    for (const client of server.clients) {
      count += 1;
      box.append(renderPerson(client));
    }
    if (server.clients.length === 0) box.append(el('p', { className: 'muted small', text: 'nobody online' }));
    container.append(box);
  }
  $('online-count').textContent = count ? `(${count})` : '';
  for (const fingerprint of [...state.selected]) if (!isOnline(fingerprint)) state.selected.delete(fingerprint);
  $('group-button').disabled = state.selected.size < 2;
}

function renderPerson(client) {
  const row = el('div', { className: 'person', attrs: { 'data-fingerprint': client.fingerprint } });
  if (client.isSelf) {
    row.append(el('span', { className: 'muted', text: 'you (' + short(client.fingerprint) + ')' }));
    return row;
  }
  const tick = el('input', { attrs: { type: 'checkbox', 'aria-label': 'select for a group chat' } });
  tick.checked = state.selected.has(client.fingerprint);
  tick.addEventListener('change', () => {
    if (tick.checked) state.selected.add(client.fingerprint); else state.selected.delete(client.fingerprint);
    $('group-button').disabled = state.selected.size < 2;
  });
  const name = el('button', { className: 'name', text: label(client.fingerprint),
    attrs: { type: 'button', title: 'Chat with ' + client.fingerprint } });
  name.addEventListener('click', async () => {
    await openConversation({ kind: 'direct', participants: [state.me, client.fingerprint] });
  });
  const info = el('button', { className: 'info', text: 'i', attrs: { type: 'button', title: 'Fingerprint and nickname' } });
  info.addEventListener('click', () => {
    if (state.expanded.has(client.fingerprint)) state.expanded.delete(client.fingerprint);
    else state.expanded.add(client.fingerprint);
    renderOnline();
  });
  row.append(tick, name, info);
  if (state.expanded.has(client.fingerprint)) row.append(renderDetails(client.fingerprint));
  return row;
}

function renderDetails(fingerprint) {
  const input = el('input', { attrs: { type: 'text', placeholder: 'nickname', maxlength: '64', 'aria-label': 'nickname' } });
  input.value = state.nicknames[fingerprint] || '';
  const save = el('button', { text: 'Save', attrs: { type: 'submit' } });
  const form = el('form', {}, [input, save]);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = await api('/api/nickname', { method: 'POST', body: { fingerprint, nickname: input.value } });
    if (!result.ok) setError('chat-error', result.data.error || 'Could not save the nickname.');
    else state.expanded.delete(fingerprint);
    input.blur();
    await refreshOnline();
    await refreshConversations();
  });
  return el('div', { className: 'person-details' }, [
    el('div', { text: 'Fingerprint:' }), el('code', { text: fingerprint }), form,
  ]);
}

$('online').addEventListener('focusout', () => {
  setTimeout(() => { if (onlineRenderDeferred) renderOnline(); }, 0);
});

$('group-button').addEventListener('click', async () => {
  await openConversation({ kind: 'group', participants: [state.me, ...state.selected] });
  state.selected.clear();
  renderOnline();
});

async function refreshConversations() {
  const result = await api('/api/conversations');
  if (!result.ok) return;
  state.conversations = result.data.conversations;
  renderConversations();
}

function conversationTitle(conversation) {
  if (conversation.kind === 'public') return 'Public channel';
  const others = conversation.participants.filter((fingerprint) => fingerprint !== state.me);
  if (conversation.kind === 'direct') return label(others[0] || '');
  return 'Group: ' + others.map(label).sort().join(', ');
}

function renderConversations() {
  const list = $('conversations');
  list.replaceChildren();
  const all = [...state.conversations];
  if (!all.some((conversation) => conversation.id === 'public')) {
    all.unshift({ id: 'public', kind: 'public', participants: [], lastText: null });
  }
  for (const conversation of all) {
    const button = el('button', { attrs: { type: 'button' } }, [
      el('span', { text: conversationTitle(conversation) }),
      el('span', { className: 'preview', text: conversation.lastText || '' }),
    ]);
    if (conversation.id === state.current.id) button.classList.add('active');
    button.addEventListener('click', () => openConversation(conversation));
    list.append(el('li', {}, [button]));
  }
}

function renderChatHeader() {
  const current = state.current;
  $('chat-title').textContent = conversationTitle(current);
  let subtitle = 'Plain text, visible to everyone in the neighbourhood.';
  if (current.kind !== 'public') {
    const others = current.participants.filter((fingerprint) => fingerprint !== state.me);
    const offline = others.filter((fingerprint) => !isOnline(fingerprint));
    subtitle = 'End-to-end encrypted' + (current.kind === 'group' ? ` group of ${current.participants.length}` : '')
      + (offline.length ? ` — offline now: ${offline.map(label).join(', ')}` : '');
  }
  $('chat-subtitle').textContent = subtitle;
}

async function openConversation(conversation) {
  const participants = conversation.participants || [];
  const id = conversation.id || (conversation.kind === 'public' ? 'public' : await chatID(participants));
  const kind = conversation.kind === 'public' ? 'public' : (new Set(participants).size === 2 ? 'direct' : 'group');
  state.current = { id, kind, participants: [...new Set(participants)].sort() };
  state.shown.clear();
  $('messages').replaceChildren();
  setError('chat-error', '');
  renderConversations();
  renderChatHeader();
  closeSidebarOnNarrow();
  const result = await api('/api/messages?conversation=' + encodeURIComponent(id));
  if (result.ok && state.current.id === id) for (const message of result.data.messages) appendMessage(message);
  $('text').focus();
}

// Bidi overrides and isolates, other invisible format characters and control characters: shown as U+FFFD in
// every name that came from the network, so "invoice\u202Efdp.exe" cannot pose as "invoiceexe.pdf".
const HIDDEN_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

function cleanName(text) { return String(text).replace(HIDDEN_CHARACTERS, '\ufffd'); }

function hostOf(url) {
  try { return new URL(url).host.toLowerCase(); } catch (error) { return null; }
}

// Loopback, private, link-local and unspecified addresses, and names that mean this machine.
function isLocalHost(hostname) {
  const name = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (name === 'localhost' || name.endsWith('.localhost') || name.endsWith('.local')) return true;
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(name);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31)
      || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (name.includes(':')) {
    return name === '::' || name === '::1' || /^f[cd]/.test(name) || /^fe[89ab]/.test(name) || name.startsWith('::ffff:');
  }
  return false;
}

// The servers of the neighbourhood (from the online list), our home server and our upload endpoint: the only
// local or private addresses a file link may point at. Anything else local is a trap (another local user's
// listener), shown as plain text.
function fileHostTrusted(parsed) {
  if (!isLocalHost(parsed.hostname)) return true;
  const host = parsed.host.toLowerCase();
  if (state.fileHosts.has(host)) return true;
  return state.servers.some((server) => {
    const address = String(server.address).toLowerCase();
    return address === host || (!parsed.port && (address === host + ':80' || address === host + ':443'));
  });
}

function safeLink(url) {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    return fileHostTrusted(parsed) ? parsed : null;
  } catch (error) { return null; }
}

function appendMessage(message) {
  if (message.conversation !== state.current.id || state.shown.has(message.id)) return;
  state.shown.add(message.id);
  const outgoing = message.direction === 'out';
  const time = new Date(message.timestamp * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const mark = outgoing
    ? el('span', { className: 'mark', text: '✓ sent', attrs: { title: 'handed to your home server' } })
    : el('span', { className: 'mark', text: '✔ verified',
      attrs: { title: 'signature and counter checked against ' + message.sender } });
  const meta = el('div', { className: 'meta' }, [
    el('span', { className: 'sender', text: outgoing ? 'you' : label(message.sender), attrs: { title: message.sender } }),
    el('span', { text: time }), mark,
  ]);
  if (state.current.kind !== 'public') meta.append(el('span', { className: 'mark', text: 'encrypted', attrs: { title: 'end-to-end encrypted' } }));
  const item = el('li', { className: 'message ' + (outgoing ? 'out' : 'in'), attrs: { 'data-id': String(message.id) } }, [meta]);
  const parsed = message.file ? safeLink(message.file.url) : null;
  if (parsed) {
    const size = message.file.size ? ` (${formatBytes(message.file.size)})` : '';
    const name = cleanName(message.file.name);
    // The host is part of the text, not only the tooltip: a link is only as trustworthy as where it goes.
    const link = el('a', { className: 'file', text: `File: ${name}${size} — ${parsed.host}`,
      attrs: { href: parsed.href, download: name, target: '_blank', rel: 'noopener noreferrer', title: parsed.href } });
    item.append(link);
  } else {
    item.append(el('div', { className: 'body', text: message.text }));
  }
  const list = $('messages');
  list.append(item);
  list.scrollTop = list.scrollHeight;
}

function formatBytes(bytes) {
  if (bytes < 1024) return bytes + ' B';
  if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + ' KiB';
  return (bytes / 1024 / 1024).toFixed(1) + ' MiB';
}

function recipients() {
  return state.current.participants.filter((fingerprint) => fingerprint !== state.me);
}

async function sendText(text, file) {
  const current = state.current;
  const body = current.kind === 'public'
    ? { kind: 'public', text }
    : { kind: 'chat', text, to: recipients(), file };
  const result = await api('/api/send', { method: 'POST', body });
  if (!result.ok) {
    setError('chat-error', result.data.error || 'The message was not sent.');
    return false;
  }
  setError('chat-error', '');
  appendMessage(result.data);
  refreshConversations();
  return true;
}

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = $('text').value;
  if (!text.trim()) return;
  $('send').disabled = true;
  if (await sendText(text)) $('text').value = '';
  $('send').disabled = false;
  $('text').focus();
});

$('text').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    $('composer').requestSubmit();
  }
});

$('attach').addEventListener('click', () => $('file-input').click());

$('file-input').addEventListener('change', () => {
  const file = $('file-input').files[0];
  $('file-input').value = '';
  if (file) uploadFile(file);
});

function uploadFile(file) {
  if (state.maxUploadBytes && file.size > state.maxUploadBytes) {
    setError('chat-error', `The file is too large: at most ${formatBytes(state.maxUploadBytes)} can be sent.`);
    return;
  }
  const conversation = state.current;
  const request = new XMLHttpRequest();
  request.open('POST', '/api/upload?name=' + encodeURIComponent(file.name));
  request.setRequestHeader('Authorization', 'Bearer ' + token);
  $('upload-row').hidden = false;
  $('upload-label').textContent = 'Uploading ' + file.name + '…';
  $('upload-progress').value = 0;
  request.upload.addEventListener('progress', (event) => {
    if (event.lengthComputable) $('upload-progress').value = Math.round((event.loaded / event.total) * 100);
  });
  request.addEventListener('load', async () => {
    $('upload-row').hidden = true;
    let data = {};
    try { data = JSON.parse(request.responseText); } catch (error) { data = {}; }
    if (request.status !== 200) {
      setError('chat-error', data.error || `Upload failed (${request.status}).`);
      return;
    }
    if (state.current.id !== conversation.id) await openConversation(conversation);
    await sendText(data.file_url, { url: data.file_url, name: data.name, size: data.size });
  });
  request.addEventListener('error', () => {
    $('upload-row').hidden = true;
    setError('chat-error', 'Upload failed: olaf-client did not answer.');
  });
  request.send(file);
}

// ---------- live updates ----------

let socketDelay = 500;
let refreshTimer = null;

function scheduleRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(async () => {
    refreshTimer = null;
    await Promise.all([refreshOnline(), refreshState()]);
  }, 150);
}

function connectEvents() {
  // Browsers cannot set headers on a WebSocket: the token rides as a subprotocol entry (see UIGuard).
  const socket = new WebSocket(`ws://${location.host}/api/events`, ['olaf-ui', 'olaf-token.' + token]);
  socket.addEventListener('open', () => { socketDelay = 500; scheduleRefresh(); });
  socket.addEventListener('message', (event) => {
    let update;
    try { update = JSON.parse(event.data); } catch (error) { return; }
    if (update.type === 'message' && update.message) {
      appendMessage(update.message);
      refreshConversations();
    } else if (update.type === 'connection') {
      renderConnection(update.connection);
    } else if (update.type === 'list_refreshed') {
      setListRefreshedAt(update.refreshedAt);
    } else if (update.type === 'online' || update.type === 'dropped') {
      scheduleRefresh();
    }
  });
  socket.addEventListener('close', () => {
    setTimeout(connectEvents, socketDelay);
    socketDelay = Math.min(socketDelay * 2, 10000);
  });
}

// ---------- start ----------

(async function start() {
  if (!token) {
    showFatal('This page has no access token: open the address that `olaf-client url` prints.');
    return;
  }
  const result = await api('/api/state');
  if (!result.ok) return;
  if (result.data.locked) await showUnlock(result.data); else await enterMain(result.data);
})();
