// The demo's chat card: a room on the server (server/chat-room.js), joined
// with a WebSocketClient that has end-to-end delivery (docs/delivery.md,
// docs/chat.md). Your own messages show at once, each with a tick:
//   ◷  waiting to be sent (the connection is down: it is in the outbox)
//   ✓  sent, not yet confirmed by the server
//   ✓✓ delivered: a `delivered` event covered its id
//   ✗  not delivered: the server lost the session (`sessionlost`); "Send again"
// "Send 20" sends a numbered burst and "Drop connection" has the server cut
// this chat connection: dropped mid-burst, every message still arrives once,
// in order, and every tick reaches ✓✓.
import { WebSocketClient } from '/pkg/index.js';

const $ = (id) => document.getElementById(id);
/** Tags this page's messages, so its own echoes are told apart. */
const PAGE = Math.random().toString(36).slice(2, 8);
/** The messages of one "Send 20". */
const BURST = 20;
// Spread over about 3 s, so that a person can press "Drop connection" during
// it (sent in one go, the burst would reach the server before any click).
const BURST_GAP_MS = 150;

const TICKS = {
  queued: ['◷', 'Waiting to be sent: the connection is down'],
  sent: ['✓', 'Sent, not yet confirmed by the server'],
  delivered: ['✓✓', 'Delivered: the server confirmed it'],
  // Without delivery (or when the session was lost after the room got it):
  // its echo came back, but nothing confirms it.
  echoed: ['✓', 'Reached the room (its echo came back); not confirmed'],
  failed: ['✗', 'Not delivered: the server lost the session'],
};
const FINAL = new Set(['delivered', 'echoed', 'failed']);
const LOST_BECAUSE = {
  restarted: 'it restarted',
  expired: 'the session expired',
  refused: 'it refused to resume it',
};

let chat = null;
let retry = null; // { attempt, delay } while waiting to reconnect
// The server's refusals of a resume (docs/delivery.md): `sessionlost` has
// said what happened, so the reconnect they cause is not told again.
const REFUSED_RESUME = new Set([4410, 4411, 4412, 4413]);
let quietReconnect = false;
let nick = '';
let sentCount = 0; // for the frames' ids, `${PAGE}-${n}`
/** This member's rate (the welcome's `rate`), and our count of what is left of it. */
let rate = null;
let bucket = { tokens: 0, at: 0 };
/** The burst going out: { number, next, records, timer }, or null. */
let burst = null;
let bursts = 0;
/** Own messages: frame id -> { frameId, id (delivery id, or null), text, li, tick, state, echoed, burst }. */
const mine = new Map();
const byId = new Map(); // delivery id -> the same record

function line(li, ...parts) {
  li.append(...parts);
  const list = $('chat-list');
  list.append(li);
  list.scrollTop = list.scrollHeight;
}

function system(text) {
  const li = document.createElement('li');
  li.className = 'system';
  li.textContent = text;
  line(li);
}

function members(count) {
  $('chat-members').textContent = `${count} ${count === 1 ? 'member' : 'members'}`;
}

function clock(at) {
  const time = document.createElement('time');
  time.dateTime = new Date(at).toISOString();
  time.textContent = new Date(at).toLocaleTimeString();
  return time;
}

/** A message line: nick, text, time; `mine` marks your own. */
function messageLine(who, text, at, isMine) {
  const li = document.createElement('li');
  if (isMine) li.classList.add('mine');
  li.dataset.nick = who;
  li.dataset.text = text;
  const name = document.createElement('span');
  name.className = 'nick';
  name.textContent = isMine ? `${who} (you)` : who;
  const body = document.createElement('span');
  body.className = 'text';
  body.textContent = text;
  line(li, name, body, clock(at));
  return li;
}

/** Shows `state` on a record's tick: glyph, colour (CSS) and its words for assistive technology. */
function setTick(record, state, why) {
  if (record.state === state && !why) return;
  record.state = state;
  const [glyph, label] = TICKS[state];
  const words = why ?? label;
  record.li.dataset.tick = state;
  record.tick.dataset.state = state;
  record.tick.textContent = glyph;
  record.tick.setAttribute('aria-label', words);
  record.tick.title = words;
  if (state === 'failed' && !record.again && !record.resent) {
    const again = document.createElement('button');
    again.type = 'button';
    again.className = 'small again';
    again.textContent = 'Send again';
    again.addEventListener('click', () => {
      if (!sendText(record.text)) return;
      record.resent = true;
      again.remove();
      record.again = null;
      setTick(record, 'failed', `${words}; sent again below`);
    });
    record.again = again;
    record.li.append(again);
  } else if (state !== 'failed' && record.again) {
    record.again.remove();
    record.again = null;
  }
  if (record.burst) burstDone(record.burst);
}

/** A burst whose every message is final gets one line saying how it went. */
function burstDone(b) {
  if (b.reported || b.records.length < BURST || !b.records.every((r) => FINAL.has(r.state))) return;
  b.reported = true;
  const delivered = b.records.filter((r) => r.state === 'delivered').length;
  system(delivered === BURST ? `Burst ${b.number}: all ${BURST} delivered.` : `Burst ${b.number}: ${delivered} of ${BURST} delivered.`);
}

/** Every message not yet final that ended with the client (left, or closed for good). */
function abandon(why) {
  for (const record of mine.values()) {
    if (FINAL.has(record.state)) continue;
    setTick(record, record.echoed ? 'echoed' : 'failed', record.echoed ? undefined : `Not confirmed: ${why}`);
  }
  byId.clear(); // the next client counts its ids from 1 again
}

function onMessage(message) {
  switch (message.type) {
    case 'welcome':
      nick = message.you;
      rate = message.rate ?? null;
      bucket = { tokens: rate?.burst ?? 0, at: performance.now() };
      members(message.members);
      system(`You joined room ${message.room} as ${message.you}.`);
      break;
    case 'message': {
      const record = typeof message.id === 'string' ? mine.get(message.id) : undefined;
      if (record) {
        // The room has it: the server's time replaces ours. The tick stays
        // until `delivered` says so; without delivery the echo is all there is.
        record.echoed = true;
        record.li.querySelector('time').replaceWith(clock(message.at));
        if (record.id === null || chat?.delivery === 'unavailable') {
          if (!FINAL.has(record.state)) setTick(record, 'echoed');
        }
        break;
      }
      const own = typeof message.id === 'string' && message.id.startsWith(`${PAGE}-`);
      messageLine(message.nick, message.text, message.at, own);
      break;
    }
    case 'join':
    case 'leave':
      members(message.members);
      system(`${message.nick} ${message.type === 'join' ? 'joined' : 'left'}.`);
      break;
    case 'notice':
      system(`Server notice: ${message.text}`);
      break;
  }
  render();
}

function onDelivered(upTo) {
  for (const [id, record] of byId) {
    if (id > upTo) break; // in id order: later ones wait
    byId.delete(id);
    // Lost with an earlier session: a later confirmation is not for it.
    if (record.state !== 'failed') setTick(record, 'delivered');
  }
  render();
}

function onSessionLost({ reason, unconfirmed }) {
  let failed = 0;
  for (const id of unconfirmed) {
    const record = byId.get(id);
    if (!record) continue;
    byId.delete(id);
    if (record.echoed) {
      setTick(record, 'echoed');
    } else {
      failed += 1;
      setTick(record, 'failed', `Not delivered: the server lost the session (${LOST_BECAUSE[reason] ?? reason})`);
    }
  }
  const yours = failed ? ` ${failed} of your messages ${failed === 1 ? 'was' : 'were'} not delivered (marked ✗).` : '';
  system(`The server lost the session (${LOST_BECAUSE[reason] ?? reason}).${yours} Messages from others may be missing.`);
  render();
}

/** What is left of this member's rate now (the server counts the same way, see overRate). */
function tokens() {
  if (!rate) return 0;
  const now = performance.now();
  bucket.tokens = Math.min(rate.burst, bucket.tokens + ((now - bucket.at) * rate.count) / rate.windowMs);
  bucket.at = now;
  return bucket.tokens;
}

function renderTicks() {
  // The outbox is first in, first out: its newest messages are ours.
  let queued = chat ? chat.queuedMessages : 0;
  const open = [...mine.values()].filter((r) => !FINAL.has(r.state));
  for (let i = open.length - 1; i >= 0; i--) setTick(open[i], queued-- > 0 ? 'queued' : 'sent');
}

function renderDelivery() {
  const badge = $('chat-delivery');
  const state = chat ? chat.delivery : 'off';
  badge.hidden = !chat;
  if (badge.dataset.state === state) return;
  badge.dataset.state = state;
  badge.textContent = `delivery: ${state === 'negotiating' ? 'negotiating…' : state}`;
  badge.title = {
    on: 'End-to-end delivery is on: every message arrives once, in order, across reconnects',
    negotiating: 'Asking the server whether it speaks the delivery protocol',
    unavailable: 'The server does not speak the delivery protocol: messages may be lost if the connection drops',
    off: '',
  }[state];
}

function renderBurst() {
  const button = $('chat-burst');
  // Seconds until this member's rate has room for a whole burst again.
  const wait = chat && rate ? Math.ceil(((BURST - tokens()) * rate.windowMs) / rate.count / 1000) : 0;
  let why = '';
  if (!chat) why = 'Join a room first';
  else if (chat.delivery !== 'on') why = 'Needs delivery on';
  else if (burst) why = 'A burst is going out';
  else if (!rate) why = "Waiting for the room's welcome";
  else if (wait > 0) why = `The room allows ${rate.count} messages per ${rate.windowMs / 1000} s, ${rate.burst} at once: ready in ${wait} s`;
  button.disabled = why !== '';
  const cooling = why.startsWith('The room allows');
  button.textContent = burst ? `Sending ${burst.next - 1}/${BURST}…` : cooling ? `Send ${BURST} (in ${wait} s)` : `Send ${BURST}`;
  button.title = why || `Sends ${BURST} numbered messages, one every ${BURST_GAP_MS} ms: press "Drop connection" during it`;
}

function render() {
  const joined = chat !== null;
  $('chat-leave').disabled = !joined;
  $('chat-text').disabled = !joined;
  $('chat-send').disabled = !joined;
  $('chat-drop').disabled = !joined || chat.readyState !== WebSocketClient.OPEN;
  for (const record of mine.values()) if (record.again) record.again.disabled = !joined;
  renderTicks();
  renderDelivery();
  renderBurst();
  const status = $('chat-status');
  status.dataset.active = String(Boolean(retry));
  let text;
  if (!chat) {
    text = 'Not connected.';
  } else if (chat.readyState === WebSocketClient.OPEN) {
    text = `Connected · reconnected ${chat.reconnectCount} times`;
    if (chat.delivery === 'unavailable') text += ' · no delivery guarantee: messages may be lost if the connection drops';
  } else if (retry) {
    text = `Connection lost: retry ${retry.attempt} in ${retry.delay} ms · ${chat.queuedMessages} queued`;
  } else {
    text = `Connecting… · ${chat.queuedMessages} queued`;
  }
  // Written only when it changes: the line is a live region.
  if (status.textContent !== text) status.textContent = text;
}

function join() {
  const room = $('chat-room').value.trim();
  if (chat) leave();
  nick = $('chat-nick').value.trim();
  rate = null;
  // The key lets the "Drop connection" button (and a test) name this
  // connection at the server's /control/drop.
  const key = `chat-${PAGE}`;
  const url = new URL(`/room/${encodeURIComponent(room)}`, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('nick', nick);
  url.searchParams.set('key', key);
  $('chat-card').dataset.key = key;
  chat = new WebSocketClient(url, ['chat'], { delivery: true, reconnect: { minDelay: 300, maxDelay: 3000 } });
  chat.onmessage = (e) => onMessage(JSON.parse(e.data));
  chat.onopen = () => {
    retry = null;
    render();
  };
  chat.onclose = function (e) {
    if (this !== chat) return;
    if (this.readyState === WebSocketClient.CLOSED) {
      // The final close: left, or refused for good (the server's reason says why).
      if (e.code !== 1000) system(`Disconnected: ${e.code}${e.reason ? ` ${e.reason}` : ''}.`);
      stopBurst();
      abandon('the connection closed');
      chat = null;
      $('chat-members').textContent = 'not in a room';
    }
    render();
  };
  chat.addEventListener('reconnecting', (e) => {
    // While retrying already, this one says the last attempt failed.
    const again = retry !== null;
    retry = e.detail;
    quietReconnect = REFUSED_RESUME.has(e.detail.code);
    if (again) system(`Reconnect attempt ${e.detail.attempt - 1} failed; trying again…`);
    else if (!quietReconnect) system(`Connection lost (${e.detail.code}); reconnecting…`);
    render();
  });
  chat.addEventListener('reconnected', () => {
    retry = null;
    if (!quietReconnect) system('Reconnected.');
    quietReconnect = false;
    render();
  });
  chat.addEventListener('gaveup', (e) => system(`Gave up reconnecting: ${e.detail.reason}.`));
  chat.addEventListener('delivered', (e) => onDelivered(e.detail.upTo));
  chat.addEventListener('sessionlost', (e) => onSessionLost(e.detail));
  chat.addEventListener('deliveryunavailable', () => {
    system('The server does not speak the delivery protocol: messages may be lost if the connection drops.');
    render();
  });
  render();
}

function leave() {
  const old = chat;
  chat = null;
  retry = null;
  stopBurst();
  abandon('you left before the server confirmed it');
  old.close(1000, 'left');
  system('You left the room.');
  $('chat-members').textContent = 'not in a room';
  render();
}

/** Sends one message and shows it with its tick; false if it was refused. */
function sendText(text, inBurst = null) {
  if (!chat) return false;
  const frameId = `${PAGE}-${++sentCount}`;
  try {
    // Queued in the outbox while the connection is down.
    chat.send(JSON.stringify({ type: 'say', text, id: frameId }));
  } catch (e) {
    system(`Not sent: ${e.name}: ${e.message}`);
    return false;
  }
  // Its delivery id: what `delivered` and `sessionlost` name. Without
  // delivery the count does not move, and the echo is all there is.
  const id = chat.delivery === 'unavailable' ? null : chat.lastMessageId;
  if (rate) {
    tokens();
    bucket.tokens -= 1;
  }
  const li = messageLine(nick, text, Date.now(), true);
  const tick = document.createElement('span');
  tick.className = 'tick';
  tick.setAttribute('role', 'img');
  li.append(tick);
  const record = { frameId, id, text, li, tick, state: null, echoed: false, burst: inBurst, again: null, resent: false };
  mine.set(frameId, record);
  if (id !== null) byId.set(id, record);
  inBurst?.records.push(record);
  render(); // its first tick
  return true;
}

function send() {
  const input = $('chat-text');
  const text = input.value.trim();
  if (!chat || !text) return;
  if (sendText(text)) input.value = '';
}

function startBurst() {
  if (!chat || burst) return;
  burst = { number: ++bursts, next: 1, records: [], reported: false, timer: null };
  const b = burst;
  const step = () => {
    if (burst !== b) return;
    if (!sendText(`Burst ${b.number}: message ${b.next} of ${BURST}`, b)) return stopBurst();
    b.next += 1;
    if (b.next > BURST) {
      burst = null;
      render();
      return;
    }
    b.timer = setTimeout(step, BURST_GAP_MS);
    render();
  };
  step();
}

function stopBurst() {
  if (burst) clearTimeout(burst.timer);
  burst = null;
}

async function drop() {
  const key = $('chat-card').dataset.key;
  system('Asked the server to drop this chat connection.');
  const res = await fetch(`/control/drop?key=${encodeURIComponent(key)}`);
  if ((await res.text()) === '0') system('The server had no open chat connection to drop.');
}

export function setUpChat() {
  $('chat-nick').value = `guest-${PAGE.slice(0, 4)}`;
  $('chat-join').addEventListener('submit', (e) => {
    e.preventDefault();
    join();
  });
  $('chat-leave').addEventListener('click', () => chat && leave());
  // Enter in the message field submits the form.
  $('chat-form').addEventListener('submit', (e) => {
    e.preventDefault();
    send();
  });
  $('chat-burst').addEventListener('click', startBurst);
  $('chat-drop').addEventListener('click', () => drop().catch((e) => system(`Could not ask for a drop: ${e.message}`)));
  setInterval(render, 250);
  render();
}
