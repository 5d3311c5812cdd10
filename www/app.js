// The demo page: drives the npm package's WebSocketClient from plain JS.
// No inline script: the page runs under a CSP of 'self' + 'wasm-unsafe-eval'.
import init, { WebSocketClient } from '/pkg/index.js';
import { setUpChat } from './chat.js';

const $ = (id) => document.getElementById(id);
const STATE_NAMES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'];
const CANVAS_BYTES = $('draw').width * $('draw').height * 4;

let client = null;
let nextRetry = null; // { attempt, delay, at } while waiting to reconnect
let canvasEchoesPending = 0;
let autoTimer = null;

// ---- log -----------------------------------------------------------------

function log(kind, text, attrs = {}) {
  const li = document.createElement('li');
  li.dataset.kind = kind;
  for (const [k, v] of Object.entries(attrs)) li.dataset[k] = String(v);
  const time = document.createElement('span');
  time.className = 'time';
  time.textContent = new Date().toLocaleTimeString();
  const label = document.createElement('span');
  label.className = 'kind';
  label.textContent = kind;
  const body = document.createElement('span');
  body.className = 'body';
  body.textContent = text;
  li.append(time, label, body);
  $('log').append(li);
  $('log').scrollTop = $('log').scrollHeight;
  return body;
}

const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
const preview = (text) => (text.length > 80 ? `${text.slice(0, 80)}…` : text);

// ---- connection ------------------------------------------------------------

function binaryType() {
  return document.querySelector('input[name=binary-type]:checked').value;
}

function connect(url, protocol) {
  if (client) disconnectQuietly();
  let opened = false;
  const options = { binaryType: binaryType() };
  if ($('reconnect').checked) options.reconnect = { minDelay: 500, maxDelay: 5000 };
  nextRetry = null;
  try {
    client = new WebSocketClient(url, protocol ? [protocol] : [], options);
  } catch (e) {
    log('failure', `${e.name}: ${e.message}`);
    return;
  }
  const me = client;
  renderState();
  log('connect', `${me.url}${protocol ? ` (offering ${protocol})` : ''}`);
  me.onopen = () => {
    opened = true;
    renderState();
    log('open', `protocol "${me.protocol}"${me.extensions ? `, extensions ${me.extensions}` : ''}`);
  };
  me.onerror = () => {
    if (!opened) log('failure', `could not connect to ${me.url}`);
    else log('error', 'the connection reported an error');
  };
  me.onclose = (e) => {
    const reason = e.reason ? ` reason "${e.reason}"` : '';
    log('close', `code ${e.code}${reason} wasClean ${e.wasClean}`, { code: e.code, reason: e.reason, clean: e.wasClean });
    if (!opened && e.code === 1006) log('failure', 'connection failed before it opened (1006)');
    // A reconnecting client is CONNECTING again unless this close is final.
    if (client === me && me.readyState === WebSocketClient.CLOSED) client = null;
    renderState();
  };
  me.onmessage = (e) => onMessage(e.data);
  me.addEventListener('reconnecting', (e) => {
    const { attempt, delay, code, resent, possiblyLost, error } = e.detail;
    nextRetry = { attempt, delay, at: performance.now() + delay };
    // What happened to the messages in flight, when there were any.
    const inFlight = [
      resent ? `${resent} never sent, to be sent again` : '',
      possiblyLost ? `${possiblyLost} possibly lost` : '',
    ].filter(Boolean).join(', ');
    const why = error ? `attempt failed: ${error}` : `connection lost (${code})`;
    log('reconnect', `${why}; attempt ${attempt} in ${delay} ms${inFlight ? `; messages: ${inFlight}` : ''}`, { attempt, delay });
  });
  me.addEventListener('reconnected', (e) => {
    nextRetry = null;
    log('reconnect', `reconnected on attempt ${e.detail.attempt}`, { reconnected: e.detail.attempt });
  });
  me.addEventListener('gaveup', (e) => {
    nextRetry = null;
    log('failure', `gave up reconnecting: ${e.detail.reason}`);
  });
}

function disconnectQuietly() {
  const old = client;
  client = null;
  old.onclose = null;
  old.onmessage = null;
  old.onerror = null;
  old.close(); // nothing listens any more: once closed it is collected
  log('close', 'previous connection closed');
}

async function onMessage(data) {
  if (typeof data === 'string') {
    log('message', `text, ${data.length} chars: ${preview(data)}`, { type: 'text', size: data.length, text: preview(data) });
    return;
  }
  const isBlob = data instanceof Blob;
  const size = isBlob ? data.size : data.byteLength;
  const type = isBlob ? 'Blob' : 'ArrayBuffer';
  const body = log('message', `${type}, ${size} bytes`, { type, size });
  const bytes = new Uint8Array(isBlob ? await data.arrayBuffer() : data);
  body.textContent = `${type}, ${size} bytes: ${hex(bytes.subarray(0, 12))}${size > 12 ? ' …' : ''}`;
  if (canvasEchoesPending > 0 && size === CANVAS_BYTES) {
    canvasEchoesPending -= 1;
    const image = new ImageData(new Uint8ClampedArray(bytes.buffer, bytes.byteOffset, size), $('echo').width, $('echo').height);
    $('echo').getContext('2d').putImageData(image, 0, 0);
    $('canvas-status').textContent = `echo painted (${size} bytes)`;
  }
}

function send(data, description) {
  if (!client) {
    log('failure', 'not connected');
    return false;
  }
  try {
    const queuedBefore = client.queuedMessages;
    client.send(data);
    log('sent', client.queuedMessages > queuedBefore ? `${description} (queued until reconnected)` : description);
    return true;
  } catch (e) {
    log('failure', `${e.name}: ${e.message}`);
    return false;
  }
}

// ---- state indicator ---------------------------------------------------------

function renderState() {
  const state = client ? client.readyState : 3;
  const el = $('state');
  if (el.dataset.state !== String(state)) {
    el.dataset.state = String(state);
    el.textContent = STATE_NAMES[state];
  }
  $('close').disabled = !client || state >= 2;
  $('drop').disabled = state !== 1;
  renderReconnect();
  // A reconnecting client queues sends while it reconnects.
  const canSend = state === 1 || (state === 0 && client && client.retryCount > 0);
  for (const id of ['send-text', 'send-file', 'send-canvas']) $(id).disabled = !canSend;
}

function renderReconnect() {
  const el = $('reconnect-status');
  if (!client || !client.retryCount && !client.queuedMessages && !client.reconnectCount && !nextRetry) {
    el.dataset.active = 'false';
    el.textContent = $('reconnect').checked ? 'Reconnect: on, connection healthy' : 'Reconnect: off';
    return;
  }
  const waiting = nextRetry && client.readyState === WebSocketClient.CONNECTING;
  const left = waiting ? Math.max(0, Math.round(nextRetry.at - performance.now())) : 0;
  el.dataset.active = String(Boolean(waiting));
  el.textContent =
    `Reconnect: ${waiting ? `attempt ${nextRetry.attempt} in ${left} ms` : 'connected'}` +
    ` · queued ${client.queuedMessages} messages (${client.queuedBytes} bytes)` +
    ` · reconnected ${client.reconnectCount} times`;
}

// ---- canvas --------------------------------------------------------------------

function setUpCanvas() {
  const canvas = $('draw');
  const ctx = canvas.getContext('2d');
  const paintBackground = () => {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const g = ctx.createLinearGradient(0, 0, canvas.width, canvas.height);
    g.addColorStop(0, '#2f6fb3');
    g.addColorStop(1, '#1f8f4e');
    ctx.fillStyle = g;
    ctx.fillRect(10, 10, 60, 40);
    ctx.fillStyle = '#c0392b';
    ctx.beginPath();
    ctx.arc(110, 70, 28, 0, Math.PI * 2);
    ctx.fill();
  };
  paintBackground();
  let drawing = false;
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
  };
  canvas.addEventListener('pointerdown', (e) => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    ctx.beginPath();
    ctx.moveTo(...at(e));
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    ctx.strokeStyle = '#1d232b';
    ctx.lineWidth = 3;
    ctx.lineCap = 'round';
    ctx.lineTo(...at(e));
    ctx.stroke();
  });
  canvas.addEventListener('pointerup', () => (drawing = false));
  $('clear-canvas').addEventListener('click', () => {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  });
  $('send-canvas').addEventListener('click', () => {
    const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    if (send(image, `ImageData ${image.width}x${image.height}, ${image.data.length} bytes`)) {
      canvasEchoesPending += 1;
      $('canvas-status').textContent = 'sent, waiting for the echo…';
    }
  });
}

// ---- wiring ----------------------------------------------------------------------

function trackUpload(total) {
  const bar = $('upload');
  bar.hidden = false;
  const tick = () => {
    const buffered = client ? client.bufferedAmount : 0;
    const done = total === 0 ? 1 : (total - Math.min(buffered, total)) / total;
    bar.value = done;
    $('upload-text').textContent = `${Math.round(done * 100)}% (${total - Math.min(buffered, total)} of ${total} bytes handed to the network)`;
    if (buffered > 0 && client) setTimeout(tick, 50);
  };
  tick();
}

async function main() {
  // The delivery module: the chat uses end-to-end delivery, and the module
  // also serves the reconnecting and plain clients of the rest of the page.
  await init({ delivery: true });
  // The key lets the drop button name this page's connections.
  const key = `demo-${Math.random().toString(36).slice(2, 8)}`;
  $('url').value = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/echo?key=${key}`;
  $('drop').addEventListener('click', async () => {
    const urlKey = new URL($('url').value, location.href).searchParams.get('key');
    const res = await fetch(`/control/drop?key=${encodeURIComponent(urlKey ?? '')}`);
    log('drop', `asked the server to drop the connection: ${await res.text()} dropped`);
  });
  $('connect-form').addEventListener('submit', (e) => {
    e.preventDefault();
    connect($('url').value.trim(), $('protocol').value.trim());
  });
  $('close-form').addEventListener('submit', (e) => {
    e.preventDefault();
    if (!client) return;
    const codeText = $('close-code').value.trim();
    const reason = $('close-reason').value;
    try {
      if (codeText === '') client.close(undefined, reason === '' ? undefined : reason);
      else client.close(Number(codeText), reason);
      log('closing', `close(${codeText || ''}${reason ? `, "${reason}"` : ''})`);
      renderState();
    } catch (err) {
      log('failure', `${err.name}: ${err.message}`);
    }
  });
  for (const radio of document.querySelectorAll('input[name=binary-type]')) {
    radio.addEventListener('change', () => {
      if (client) client.binaryType = binaryType();
      log('binaryType', binaryType());
    });
  }
  $('text-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('text').value;
    send(text, `text: ${preview(text)}`);
  });
  $('send-file').addEventListener('click', () => {
    const file = $('file').files[0];
    if (!file) {
      log('failure', 'choose a file first');
      return;
    }
    if (send(file, `File "${file.name}", ${file.size} bytes`)) trackUpload(file.size);
  });
  $('auto-send').addEventListener('change', (e) => {
    clearInterval(autoTimer);
    autoTimer = null;
    if (e.target.checked) {
      autoTimer = setInterval(() => {
        if (client && client.readyState === WebSocketClient.OPEN) {
          const number = Math.round(Math.random() * 0xffffff).toString();
          send(number, `number ${number}`);
        }
      }, 1000);
    }
  });
  $('clear-log').addEventListener('click', () => $('log').replaceChildren());
  setUpCanvas();
  setUpChat();
  setInterval(renderState, 100);
  renderState();
  document.body.dataset.ready = 'true';
}

main().catch((e) => log('failure', `demo failed to start: ${e}`));
