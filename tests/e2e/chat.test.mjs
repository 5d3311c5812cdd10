// The demo's chat card as two people use it, in two Chromium pages
// (Playwright): A's message appears in B's list under A's name (and as
// A's own in A's list), joins and leaves are counted, messages A types
// while the server has dropped the connection wait in the outbox and all
// arrive after the reconnect, in order; the server's notices arrive
// unasked; every button's label stays readable (contrast ≥ 3:1) enabled
// and disabled; and a screenshot to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, outputFile, startServer } from './harness.mjs';

let server;
let browser;
let ann;
let bob;
const ROOM = `room${Math.random().toString(36).slice(2, 8)}`;

async function person(nick) {
  const { page, problems } = await openPage(browser, `${server.base}/`, { viewport: { width: 1200, height: 1060 } });
  await page.waitForSelector('body[data-ready=true]');
  await page.fill('#chat-nick', nick);
  await page.fill('#chat-room', ROOM);
  return { page, problems, nick };
}

const join = async (p) => {
  await p.page.click('#chat-join-button');
  await p.page.waitForFunction(() => document.getElementById('chat-status').textContent.startsWith('Connected'));
};

/** The chat list of `p`: { nick, text, mine } for messages, { system } for the rest. */
const list = (p) =>
  p.page.$$eval('#chat-list li', (lis) =>
    lis.map((li) => (li.classList.contains('system') ? { system: li.textContent } : { nick: li.dataset.nick, text: li.dataset.text, mine: li.classList.contains('mine') })),
  );

async function say(p, text) {
  await p.page.fill('#chat-text', text);
  await p.page.press('#chat-text', 'Enter'); // Enter sends
}

const messagesOf = async (p) => (await list(p)).filter((m) => m.text !== undefined);

async function waitForMessages(p, n) {
  await p.page.waitForFunction((k) => document.querySelectorAll('#chat-list li:not(.system)').length >= k, n, { timeout: 10_000 });
  return messagesOf(p);
}

before(async () => {
  server = await startServer({ CHAT_NOTICE_MS: '1500' });
  browser = await launchBrowser();
  ann = await person('Ann');
  bob = await person('Bob');
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('before joining, the message field and the send and leave buttons are disabled', async () => {
  const got = await ann.page.evaluate(() => ['chat-text', 'chat-send', 'chat-leave'].map((id) => document.getElementById(id).disabled));
  assert.deepEqual(got, [true, true, true]);
});

test("A's message appears in B's list under A's name, and as A's own in A's", async () => {
  await join(ann);
  await join(bob);
  await say(ann, 'Hello Bob!');
  const [atBob] = await waitForMessages(bob, 1);
  assert.deepEqual(atBob, { nick: 'Ann', text: 'Hello Bob!', mine: false });
  const [atAnn] = await waitForMessages(ann, 1);
  assert.deepEqual(atAnn, { nick: 'Ann', text: 'Hello Bob!', mine: true });
  assert.equal(await ann.page.inputValue('#chat-text'), '', 'the field is cleared after sending');
});

test('joins and leaves are counted', async () => {
  assert.equal(await ann.page.textContent('#chat-members'), '2 members');
  const carol = await person('Carol');
  await join(carol);
  await ann.page.waitForFunction(() => document.getElementById('chat-members').textContent === '3 members');
  await carol.page.click('#chat-leave');
  await ann.page.waitForFunction(() => document.getElementById('chat-members').textContent === '2 members');
  const systems = (await list(ann)).filter((m) => m.system).map((m) => m.system);
  assert.ok(systems.includes('Bob joined.'), systems.join(' | '));
  assert.ok(systems.includes('Carol joined.'), systems.join(' | '));
  assert.ok(systems.includes('Carol left.'), systems.join(' | '));
  assert.equal(await carol.page.textContent('#chat-members'), 'not in a room');
  await carol.page.close();
});

test("a server-side drop and reconnect loses none of A's queued messages", async () => {
  const key = await ann.page.getAttribute('#chat-card', 'data-key');
  // Refuse A's reconnects for a while, then cut A's connection.
  await ann.page.request.get(`${server.base}/control/refuse?key=${key}&ms=1500`);
  assert.equal(await (await ann.page.request.get(`${server.base}/control/drop?key=${key}`)).text(), '1');
  await ann.page.waitForFunction(() => document.getElementById('chat-status').textContent.startsWith('Connection lost'));
  for (const text of ['queued one', 'queued two', 'queued three']) await say(ann, text);
  const outbox = await ann.page.$$eval('#chat-pending li', (lis) => lis.map((li) => li.textContent));
  assert.deepEqual(outbox, ['queued one', 'queued two', 'queued three']);
  assert.equal(await ann.page.isVisible('#chat-outbox'), true);
  assert.match(await ann.page.textContent('#chat-status'), /3 queued/);
  const atBob = await waitForMessages(bob, 4);
  assert.deepEqual(
    atBob.slice(1).map((m) => [m.nick, m.text]),
    [
      ['Ann', 'queued one'],
      ['Ann', 'queued two'],
      ['Ann', 'queued three'],
    ],
  );
  await ann.page.waitForFunction(() => document.getElementById('chat-outbox').hidden);
  assert.match(await ann.page.textContent('#chat-status'), /^Connected · reconnected 1 times$/);
});

test('the server pushes notices nobody asked for', async () => {
  await bob.page.waitForFunction(() => [...document.querySelectorAll('#chat-list li.system')].some((li) => li.textContent.startsWith('Server notice: server time ')));
  await ann.page.request.get(`${server.base}/control/notice?room=${ROOM}&text=${encodeURIComponent('pushed from another tab')}`);
  await bob.page.waitForFunction(() => [...document.querySelectorAll('#chat-list li.system')].some((li) => li.textContent === 'Server notice: pushed from another tab'));
});

test('every button label is readable, enabled and disabled (contrast at least 3:1)', async () => {
  const fresh = await person('Dan'); // not joined: its chat buttons are disabled
  const rows = await fresh.page.evaluate(() => {
    const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    return [...document.querySelectorAll('button')].map((b) => {
      const style = getComputedStyle(b);
      const [l1, l2] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))].sort((x, y) => y - x);
      return { id: b.id || b.textContent, disabled: b.disabled, contrast: (l1 + 0.05) / (l2 + 0.05) };
    });
  });
  assert.ok(rows.some((r) => r.disabled) && rows.some((r) => !r.disabled), 'both states are present');
  for (const row of rows) assert.ok(row.contrast >= 3, `${row.id} (${row.disabled ? 'disabled' : 'enabled'}): ${row.contrast.toFixed(2)}:1`);
  await fresh.page.close();
});

test('screenshot of the chat, and no script errors or CSP violations', async () => {
  await say(bob, 'Got all three, Ann.');
  await waitForMessages(ann, 5);
  // The echo tools in use beside the chat, for the picture.
  await ann.page.click('#connect');
  await ann.page.waitForSelector('#state[data-state="1"]');
  await ann.page.click('#send-text');
  await ann.page.click('#send-canvas');
  await ann.page.waitForFunction(() => document.querySelectorAll('#log li[data-kind="message"]').length >= 2);
  await ann.page.locator('#chat-card').screenshot({ path: outputFile('chat.png') });
  await ann.page.screenshot({ path: outputFile('demo-chat.png'), fullPage: true });
  assert.deepEqual(ann.problems, []);
  assert.deepEqual(bob.problems, []);
});
