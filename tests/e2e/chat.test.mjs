// The demo's chat card as two people use it, in every engine (WS_ENGINES):
// A's message appears in B's list under A's name (and as A's own in A's,
// its tick going to ✓✓ delivered), joins and leaves are counted, messages
// A types while the server has dropped the connection show as waiting and
// all arrive after the reconnect, in order; a burst of 20 dropped midway
// reaches B exactly once each, in order, with every tick delivered and
// delivery "on"; a server restart loses the session: A's unconfirmed
// messages are marked not delivered, and "Send again" delivers one; the
// server's notices arrive unasked; every button's label stays readable
// (contrast ≥ 3:1) enabled and disabled; and screenshots to look at
// (test-output/chat-*.png). Controls are used through the DOM (click(),
// value + input events), the same way in every engine.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES, launch, outputFile, startServer } from './harness.mjs';
import { launch as launchServer } from '../../server/launch.mjs';

const SERVER_ENV = { CHAT_NOTICE_MS: '1500' };

/** Installed in each page: the controls and what the chat shows. */
function installUi() {
  const $ = (id) => document.getElementById(id);
  window.ui = {
    click: (id) => $(id).click(),
    fill(id, value) {
      $(id).value = value;
      $(id).dispatchEvent(new Event('input', { bubbles: true }));
    },
    say(text) {
      ui.fill('chat-text', text);
      ui.click('chat-send'); // as Enter does: submits the form
    },
    text: (id) => $(id).textContent,
    /** { nick, text, mine, tick?, label? } for messages, { system } for the rest. */
    list: () =>
      [...document.querySelectorAll('#chat-list li')].map((li) => {
        if (li.classList.contains('system')) return { system: li.textContent };
        const m = { nick: li.dataset.nick, text: li.dataset.text, mine: li.classList.contains('mine') };
        const tick = li.querySelector('.tick');
        if (tick) Object.assign(m, { tick: li.dataset.tick, label: tick.getAttribute('aria-label') });
        return m;
      }),
    messages: () => ui.list().filter((m) => m.text !== undefined),
    systems: () => ui.list().filter((m) => m.system).map((m) => m.system),
  };
}

for (const engine of ENGINES) {
  describe(engine, () => {
    let server;
    let browser;
    const more = []; // WebKit: one page per WebDriver session, so a browser per person
    let ann;
    let bob;
    const ROOM = `room${Math.random().toString(36).slice(2, 8)}`;

    async function person(nick) {
      let own = browser;
      if (engine === 'webkit' && ann) more.push((own = await launch(engine)));
      const page = await own.newPage({ viewport: { width: 1200, height: 1060 } });
      await page.goto(`${server.base}/`);
      await page.waitForSelector('body[data-ready=true]');
      await page.evaluate(installUi);
      await page.evaluate(
        ([nick, room]) => {
          ui.fill('chat-nick', nick);
          ui.fill('chat-room', room);
        },
        [nick, ROOM],
      );
      return page;
    }

    const join = async (page) => {
      await page.evaluate(() => ui.click('chat-join-button'));
      await page.waitForFunction(() => ui.text('chat-status').startsWith('Connected') && ui.text('chat-delivery') === 'delivery: on');
    };
    const waitForMessages = async (page, n, timeout = 15_000) => {
      await page.waitForFunction((k) => ui.messages().length >= k, n, { timeout });
      return page.evaluate(() => ui.messages());
    };
    const control = async (path) => (await fetch(`${server.base}/control/${path}`)).text();
    const keyOf = (page) => page.evaluate(() => document.getElementById('chat-card').dataset.key);

    before(async () => {
      server = await startServer(SERVER_ENV);
      browser = await launch(engine);
      ann = await person('Ann');
      bob = await person('Bob');
    });

    after(async () => {
      for (const other of more) await other.close();
      await browser?.close();
      await server?.close();
    });

    test('before joining, the message field and the chat buttons are disabled, and no delivery state shows', async () => {
      const got = await ann.evaluate(() => ({
        disabled: ['chat-text', 'chat-send', 'chat-leave', 'chat-burst', 'chat-drop'].map((id) => document.getElementById(id).disabled),
        badge: document.getElementById('chat-delivery').hidden,
      }));
      assert.deepEqual(got, { disabled: [true, true, true, true, true], badge: true });
    });

    test("A's message appears in B's list under A's name, and as A's own in A's, its tick going to delivered", async () => {
      await join(ann);
      await join(bob);
      await ann.evaluate(() => ui.say('Hello Bob!'));
      const [atBob] = await waitForMessages(bob, 1);
      assert.deepEqual(atBob, { nick: 'Ann', text: 'Hello Bob!', mine: false });
      await ann.waitForFunction(() => ui.messages()[0]?.tick === 'delivered');
      const [atAnn] = await ann.evaluate(() => ui.messages());
      assert.deepEqual(atAnn, { nick: 'Ann', text: 'Hello Bob!', mine: true, tick: 'delivered', label: 'Delivered: the server confirmed it' });
      const got = await ann.evaluate(() => ({
        field: document.getElementById('chat-text').value,
        tick: document.querySelector('#chat-list li.mine .tick').textContent,
        title: document.querySelector('#chat-list li.mine .tick').title,
        badge: ui.text('chat-delivery'),
      }));
      assert.deepEqual(got, { field: '', tick: '✓✓', title: 'Delivered: the server confirmed it', badge: 'delivery: on' });
    });

    test('joins and leaves are counted', async () => {
      assert.equal(await ann.evaluate(() => ui.text('chat-members')), '2 members');
      const carol = await person('Carol');
      await join(carol);
      await ann.waitForFunction(() => ui.text('chat-members') === '3 members');
      await carol.evaluate(() => ui.click('chat-leave'));
      await ann.waitForFunction(() => ui.text('chat-members') === '2 members');
      const systems = await ann.evaluate(() => ui.systems());
      for (const line of ['Bob joined.', 'Carol joined.', 'Carol left.']) assert.ok(systems.includes(line), systems.join(' | '));
      assert.equal(await carol.evaluate(() => ui.text('chat-members')), 'not in a room');
    });

    test("a server-side drop and reconnect loses none of A's queued messages", async () => {
      const key = await keyOf(ann);
      // Refuse A's reconnects for a while, then cut A's connection.
      await control(`refuse?key=${key}&ms=1500`);
      assert.equal(await control(`drop?key=${key}`), '1');
      await ann.waitForFunction(() => ui.text('chat-status').startsWith('Connection lost'));
      await ann.evaluate(() => ['queued one', 'queued two', 'queued three'].forEach((text) => ui.say(text)));
      const waiting = await ann.evaluate(() => ({ lines: ui.messages().slice(1), status: ui.text('chat-status') }));
      assert.deepEqual(
        waiting.lines.map((m) => [m.text, m.tick, m.label]),
        ['queued one', 'queued two', 'queued three'].map((text) => [text, 'queued', 'Waiting to be sent: the connection is down']),
      );
      assert.match(waiting.status, /3 queued/);
      const atBob = await waitForMessages(bob, 4);
      assert.deepEqual(
        atBob.slice(1).map((m) => [m.nick, m.text]),
        [
          ['Ann', 'queued one'],
          ['Ann', 'queued two'],
          ['Ann', 'queued three'],
        ],
      );
      await ann.waitForFunction(() => ui.messages().every((m) => m.tick === 'delivered'));
      assert.match(await ann.evaluate(() => ui.text('chat-status')), /^Connected · reconnected 1 times$/);
    });

    test('a burst of 20 dropped midway: B gets each once, in order; every tick of A reaches delivered; delivery stays on', async () => {
      const key = await keyOf(ann);
      // The room's rate has room for a burst again (its button says when).
      await ann.waitForFunction(() => !document.getElementById('chat-burst').disabled, undefined, { timeout: 15_000 });
      const before = (await bob.evaluate(() => ui.messages())).length;
      const lostBefore = await ann.evaluate(() => ui.systems().filter((s) => s.startsWith('Connection lost')).length);
      await ann.evaluate(() => ui.click('chat-burst'));
      // Midway: B has some of it, the rest is still to be sent.
      await bob.waitForFunction((n) => ui.messages().length >= n + 4, before);
      await control(`refuse?key=${key}&ms=800`);
      assert.equal(await control(`drop?key=${key}`), '1');
      const atDrop = (await bob.evaluate(() => ui.messages())).length - before;
      assert.ok(atDrop < 20, `the drop came before the burst's end (B had ${atDrop})`);
      // A notices (how soon depends on the engine; what A sent meanwhile
      // went into the dead connection and is sent again on the resume).
      await ann.waitForFunction((n) => ui.systems().filter((s) => s.startsWith('Connection lost')).length > n, lostBefore, { timeout: 15_000 });
      if (engine === 'chromium') await ann.raw.locator('#chat-card').screenshot({ path: outputFile('chat-burst-dropped.png') });
      else await ann.screenshot({ path: outputFile(`chat-burst-dropped-${engine}.png`) });

      const expected = Array.from({ length: 20 }, (_, i) => `Burst 1: message ${i + 1} of 20`);
      await ann.waitForFunction(() => ui.systems().includes('Burst 1: all 20 delivered.'), undefined, { timeout: 30_000 });
      const atAnn = await ann.evaluate(() => ({ burst: ui.messages().filter((m) => m.text.startsWith('Burst 1:')), badge: ui.text('chat-delivery'), status: ui.text('chat-status') }));
      assert.deepEqual(atAnn.burst.map((m) => m.text), expected);
      assert.deepEqual(new Set(atAnn.burst.map((m) => `${m.tick} ${m.label}`)), new Set(['delivered Delivered: the server confirmed it']));
      assert.equal(atAnn.badge, 'delivery: on');
      assert.match(atAnn.status, /^Connected · reconnected 2 times$/);
      await bob.waitForFunction((n) => ui.messages().length >= n + 20, before, { timeout: 15_000 });
      const atBob = await bob.evaluate(() => ui.messages());
      assert.deepEqual(
        atBob.slice(before).map((m) => `${m.nick}: ${m.text}`),
        expected.map((text) => `Ann: ${text}`),
        'every message of the burst once, in order, and nothing else',
      );
    });

    test('the server pushes notices nobody asked for', async () => {
      await bob.waitForFunction(() => ui.systems().some((s) => s.startsWith('Server notice: server time ')));
      await control(`notice?room=${ROOM}&text=${encodeURIComponent('pushed from another tab')}`);
      await bob.waitForFunction(() => ui.systems().includes('Server notice: pushed from another tab'));
    });

    test('a server restart loses the session: A is told, its unconfirmed messages are marked, and "Send again" delivers one', async () => {
      const port = server.port;
      await server.close();
      await ann.waitForFunction(() => ui.text('chat-status').startsWith('Connection lost'));
      await ann.evaluate(() => ['lost one', 'lost two'].forEach((text) => ui.say(text)));
      server = await launchServer({ port, env: SERVER_ENV });
      const lost = /^The server lost the session \(it restarted\)\. 2 of your messages were not delivered \(marked ✗\)\. Messages from others may be missing\.$/;
      await ann.waitForFunction((source) => ui.systems().some((s) => new RegExp(source).test(s)), lost.source, { timeout: 20_000 });
      const failed = await ann.evaluate(() => ui.messages().filter((m) => m.text.startsWith('lost ')));
      assert.deepEqual(
        failed.map((m) => [m.text, m.tick, m.label]),
        ['lost one', 'lost two'].map((text) => [text, 'failed', 'Not delivered: the server lost the session (it restarted)']),
      );
      // Both are back in the room, in new sessions (each welcomed again).
      const rejoined = () => ui.systems().filter((s) => s.startsWith('You joined room')).length === 2 && ui.text('chat-delivery') === 'delivery: on';
      await ann.waitForFunction(rejoined, undefined, { timeout: 20_000 });
      await bob.waitForFunction(rejoined, undefined, { timeout: 20_000 });
      await ann.waitForFunction(() => ui.text('chat-members') === '2 members');
      const beforeAtBob = (await bob.evaluate(() => ui.messages())).length;
      await ann.evaluate(() => [...document.querySelectorAll('#chat-list li.mine')].find((li) => li.dataset.text === 'lost one').querySelector('button.again').click());
      await ann.waitForFunction(() => ui.messages().at(-1).text === 'lost one' && ui.messages().at(-1).tick === 'delivered');
      await bob.waitForFunction((n) => ui.messages().length > n, beforeAtBob);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual((await bob.evaluate(() => ui.messages())).slice(beforeAtBob).map((m) => m.text), ['lost one']);
      const marks = await ann.evaluate(() => ui.messages().filter((m) => m.text.startsWith('lost ')).map((m) => [m.text, m.tick]));
      assert.deepEqual(marks, [['lost one', 'failed'], ['lost two', 'failed'], ['lost one', 'delivered']]);
    });

    test('every button label is readable, enabled and disabled (contrast at least 3:1)', async () => {
      const fresh = await person('Dan'); // not joined: its chat buttons are disabled
      // Ann's page has the enabled chat buttons, and a "Send again".
      for (const page of [fresh, ann]) {
        const rows = await page.evaluate(() => {
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
      }
    });

    test('screenshot of the chat, and no script errors or CSP violations', async () => {
      await bob.evaluate(() => ui.say('Got all of them, Ann.'));
      await ann.waitForFunction(() => ui.messages().at(-1).text === 'Got all of them, Ann.');
      // The echo tools in use beside the chat, for the picture.
      await ann.evaluate(() => {
        ui.click('connect');
      });
      await ann.waitForSelector('#state[data-state="1"]');
      await ann.evaluate(() => {
        ui.click('send-text');
        ui.click('send-canvas');
      });
      await ann.waitForFunction(() => document.querySelectorAll('#log li[data-kind="message"]').length >= 2);
      if (engine === 'chromium') {
        await ann.raw.locator('#chat-card').screenshot({ path: outputFile('chat.png') });
        await ann.raw.screenshot({ path: outputFile('demo-chat.png'), fullPage: true });
      } else {
        await ann.screenshot({ path: outputFile(`demo-chat-${engine}.png`) });
      }
      assert.deepEqual(await ann.problems(), []);
      assert.deepEqual(await bob.problems(), []);
    });
  });
}
