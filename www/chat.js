// The demo's chat card: a room on the server (server/chat-room.js), joined with
// a reconnecting WebSocketClient. Messages typed while the connection is
// down wait in the client's outbox (listed under "Waiting to be
// delivered") and go out, in order, when it is back.
import { WebSocketClient } from '/pkg/index.js';

const $ = (id) => document.getElementById(id);
/** Tags this page's messages, so its own come back styled as "mine". */
const PAGE = Math.random().toString(36).slice(2, 8);
let chat = null;
let sentCount = 0;
let retry = null; // { attempt, delay } while waiting to reconnect
const pending = new Map(); // message id -> <li> in the outbox list

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

function onMessage(message) {
  switch (message.type) {
    case 'welcome':
      members(message.members);
      system(`You joined room ${message.room} as ${message.you}.`);
      break;
    case 'message': {
      const li = document.createElement('li');
      const mine = typeof message.id === 'string' && message.id.startsWith(`${PAGE}-`);
      if (mine) li.classList.add('mine');
      li.dataset.nick = message.nick;
      li.dataset.text = message.text;
      const nick = document.createElement('span');
      nick.className = 'nick';
      nick.textContent = mine ? `${message.nick} (you)` : message.nick;
      const text = document.createElement('span');
      text.className = 'text';
      text.textContent = message.text;
      line(li, nick, text, clock(message.at));
      pending.get(message.id)?.remove();
      pending.delete(message.id);
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

function render() {
  const joined = chat !== null;
  $('chat-leave').disabled = !joined;
  $('chat-text').disabled = !joined;
  $('chat-send').disabled = !joined;
  $('chat-outbox').hidden = pending.size === 0;
  const status = $('chat-status');
  status.dataset.active = String(Boolean(retry));
  if (!chat) {
    status.textContent = 'Not connected.';
  } else if (chat.readyState === WebSocketClient.OPEN) {
    status.textContent = `Connected · reconnected ${chat.reconnectCount} times`;
  } else if (retry) {
    status.textContent = `Connection lost: retry ${retry.attempt} in ${retry.delay} ms · ${chat.queuedMessages} queued`;
  } else {
    status.textContent = `Connecting… · ${chat.queuedMessages} queued`;
  }
}

function join() {
  const nick = $('chat-nick').value.trim();
  const room = $('chat-room').value.trim();
  if (chat) leave();
  // The key lets a test (or the server's /control/drop) name this connection.
  const key = `chat-${PAGE}`;
  const url = new URL(`/room/${encodeURIComponent(room)}`, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('nick', nick);
  url.searchParams.set('key', key);
  $('chat-card').dataset.key = key;
  chat = new WebSocketClient(url, ['chat'], { reconnect: { minDelay: 300, maxDelay: 3000 } });
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
      if (pending.size) system(`${pending.size} message(s) could not be delivered.`);
      for (const li of pending.values()) li.remove();
      pending.clear();
      chat = null;
      $('chat-members').textContent = 'not in a room';
    }
    render();
  };
  chat.addEventListener('reconnecting', (e) => {
    retry = e.detail;
    system(`Connection lost (${e.detail.code}); reconnecting…`);
    render();
  });
  chat.addEventListener('reconnected', () => {
    retry = null;
    system('Reconnected.');
    render();
  });
  chat.addEventListener('gaveup', (e) => system(`Gave up reconnecting: ${e.detail.reason}.`));
  render();
}

function leave() {
  const old = chat;
  chat = null;
  retry = null;
  for (const li of pending.values()) li.remove();
  pending.clear();
  old.close(1000, 'left');
  system('You left the room.');
  $('chat-members').textContent = 'not in a room';
  render();
}

function send() {
  const input = $('chat-text');
  const text = input.value.trim();
  if (!chat || !text) return;
  const id = `${PAGE}-${++sentCount}`;
  try {
    // Queued in the outbox while the connection is down.
    chat.send(JSON.stringify({ type: 'say', text, id }));
  } catch (e) {
    system(`Not sent: ${e.name}: ${e.message}`);
    return;
  }
  input.value = '';
  const li = document.createElement('li');
  li.textContent = text;
  $('chat-pending').append(li);
  pending.set(id, li);
  render();
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
  setInterval(render, 250);
  render();
}
