// The JS class with `reconnect`: events, counters, the outbox, promises and
// the heartbeat, and the connect timeout of plain and reconnecting clients,
// against the test server's fault endpoints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, usePackagePage } from './harness.mjs';

forEachEngine((engine) => {
  const ctx = usePackagePage({ engine, setup: async () => {
    window.until = async (what, fn, ms = 5000) => {
      const end = Date.now() + ms;
      while (!fn()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await sleep(5);
      }
    };
  } });

  test('a dropped connection is re-established; sends during the outage are queued and delivered in order', async () => {
    const got = await ctx.page.evaluate(async () => {
      const key = `js-drop-${Math.random()}`;
      const c = new WSC(`${WS_BASE}/echo?key=${key}`, 'echo-protocol', {
        reconnect: { minDelay: 150, maxDelay: 300 },
      });
      const log = [];
      const texts = [];
      c.onopen = () => log.push('open');
      c.onclose = (e) => log.push(`close ${e.code}`);
      c.onmessage = (e) => texts.push(e.data);
      c.addEventListener('reconnecting', (e) => log.push(`reconnecting ${e.detail.attempt} ${e.detail.code} ${e.detail.delay >= 150 && e.detail.delay <= 300}`));
      c.addEventListener('reconnected', (e) => log.push(`reconnected ${e.detail.attempt}`));
      let closedSettled = false;
      c.closed.then(() => (closedSettled = true));
      await c.opened;
      c.send('before');
      await until('first echo', () => texts.length === 1);
      await fetch(`${HTTP_BASE}/control/drop?key=${key}`);
      await until('reconnecting', () => log.some((l) => l.startsWith('reconnecting')));
      const stateDuringOutage = c.readyState;
      c.send('queued 1');
      c.send(new Uint8Array([1, 2, 3]));
      c.send('queued 2');
      const queued = [c.queuedMessages, c.queuedBytes, c.bufferedAmount];
      const settledDuringOutage = closedSettled;
      await until('echoes after reconnect', () => texts.length === 4);
      const counters = [c.retryCount, c.reconnectCount, c.queuedMessages];
      c.close(1000);
      const final = await c.closed;
      return { log, texts: texts.map((t) => (typeof t === 'string' ? t : `Blob ${t.size}`)), stateDuringOutage, queued, settledDuringOutage, counters, final: final.code };
    });
    assert.deepEqual(got.log, ['open', 'close 1006', 'reconnecting 1 1006 true', 'open', 'reconnected 1', 'close 1000']);
    assert.deepEqual(got.texts, ['before', 'queued 1', 'Blob 3', 'queued 2']);
    assert.equal(got.stateDuringOutage, 0, 'CONNECTING while reconnecting');
    assert.deepEqual(got.queued, [3, 19, 19]);
    assert.equal(got.settledDuringOutage, false, 'closed waits for the final close');
    assert.deepEqual(got.counters, [1, 1, 0]);
    assert.equal(got.final, 1000);
  });

  test('a full outbox throws QuotaExceededError and keeps the earlier messages', async () => {
    const got = await ctx.page.evaluate(async () => {
      const key = `js-outbox-${Math.random()}`;
      await fetch(`${HTTP_BASE}/control/refuse?key=${key}&ms=500`);
      const c = new WSC(`${WS_BASE}/echo?key=${key}`, 'echo-protocol', {
        reconnect: { minDelay: 100, maxDelay: 200, outbox: { maxMessages: 2 } },
      });
      const texts = [];
      c.onmessage = (e) => texts.push(e.data);
      c.send('a');
      c.send('b');
      let error;
      try {
        c.send('c');
      } catch (e) {
        error = [e.name, e.message];
      }
      await until('queued messages delivered', () => texts.length === 2);
      c.close();
      return { error, texts };
    });
    assert.equal(got.error[0], 'QuotaExceededError');
    assert.match(got.error[1], /outbox full: 2 messages/);
    assert.deepEqual(got.texts, ['a', 'b']);
  });

  test('gaveup after maxRetries rejects opened; close during backoff settles closed once', async () => {
    const got = await ctx.page.evaluate(async () => {
      const c = new WSC(`${WS_BASE}/refuse`, [], { reconnect: { minDelay: 50, maxDelay: 50, maxRetries: 2 } });
      const events = [];
      c.addEventListener('gaveup', (e) => events.push(`gaveup ${e.detail.code} ${e.detail.reason}`));
      c.addEventListener('reconnecting', (e) => events.push(`reconnecting ${e.detail.attempt}`));
      const opened = await c.opened.then(() => 'resolved', (e) => e.name);
      const state = c.readyState;

      const d = new WSC(`${WS_BASE}/refuse`, [], { reconnect: { minDelay: 300, maxDelay: 300 } });
      let closes = 0;
      d.onclose = () => closes++;
      await new Promise((r) => d.addEventListener('reconnecting', r, { once: true }));
      d.close();
      const final = await d.closed;
      await sleep(500);
      return { events, opened, state, dState: d.readyState, closes, finalCode: final.code };
    });
    assert.deepEqual(got.events, ['reconnecting 1', 'reconnecting 2', 'gaveup 1006 gave up after 2 retries']);
    assert.equal(got.opened, 'NetworkError');
    assert.equal(got.state, 3);
    assert.deepEqual([got.dState, got.closes, got.finalCode], [3, 1, 1006]);
  });

  test('the heartbeat option detects a silent server and swallows pongs', async () => {
    const got = await ctx.page.evaluate(async () => {
      const c = new WSC(`${WS_BASE}/silent`, [], {
        reconnect: { minDelay: 50, maxDelay: 50, heartbeat: { interval: 200, timeout: 200 } },
      });
      const log = [];
      let openedAt = 0;
      c.onopen = () => {
        if (!openedAt) openedAt = performance.now();
        log.push('open');
      };
      c.onclose = (e) => log.push(`close ${e.code} ${e.reason} ${Math.round(performance.now() - openedAt)}`);
      await until('reopen', () => log.filter((l) => l === 'open').length === 2);
      c.close();

      const e = new WSC(`${WS_BASE}/echo`, 'echo-protocol', { reconnect: { heartbeat: { interval: 50, timeout: 500, ping: 'hb', pong: 'hb' } } });
      const messages = [];
      e.onmessage = (m) => messages.push(m.data);
      await e.opened;
      await sleep(300);
      e.send('real');
      await until('real echo', () => messages.includes('real'));
      e.close();
      return { log, messages };
    });
    const [, close] = got.log;
    const match = close.match(/^close 1006 heartbeat timeout (\d+)$/);
    assert.ok(match, got.log.join(' | '));
    assert.ok(Number(match[1]) <= 200 + 200 + 100, `detected after ${match[1]} ms`);
    assert.deepEqual(got.messages, ['real'], 'the echoed pings were kept from the listeners');
    assert.deepEqual(await ctx.page.problems(), []);
  });

  test('connectTimeout fails a stuck plain handshake (error, then close 1006) and replaces a reconnecting attempt', async () => {
    const got = await ctx.page.evaluate(async () => {
      const log = [];
      const start = performance.now();
      const plain = new WSC(`${WS_BASE}/hang?key=plain-${Math.random()}`, [], { connectTimeout: 300 });
      plain.onerror = () => log.push(`error ${plain.readyState}`);
      plain.onclose = (e) => log.push(`close ${e.code} ${e.wasClean} ${Math.round(performance.now() - start)}`);
      const opened = await plain.opened.then(() => 'opened', (e) => e.name);
      const retry = new WSC(`${WS_BASE}/hang?key=retry-${Math.random()}`, [], {
        connectTimeout: 200,
        reconnect: { minDelay: 50, maxDelay: 50, maxRetries: 1 },
      });
      const retries = [];
      retry.addEventListener('reconnecting', (e) => retries.push(`${e.detail.attempt} ${e.detail.code} ${e.detail.reason}`));
      const gaveUp = await new Promise((resolve) => retry.addEventListener('gaveup', (e) => resolve(e.detail.reason)));
      return { log, opened, readyState: plain.readyState, retries, gaveUp };
    });
    assert.equal(got.log.length, 2, got.log.join(' | '));
    assert.equal(got.log[0], 'error 3');
    const [, code, clean, ms] = got.log[1].split(' ');
    assert.deepEqual([code, clean], ['1006', 'false']);
    assert.ok(Number(ms) >= 290 && Number(ms) < 1500, `closed after ${ms} ms`);
    assert.equal(got.opened, 'NetworkError');
    assert.equal(got.readyState, 3);
    assert.deepEqual(got.retries, ['1 1006 connect timeout']);
    assert.equal(got.gaveUp, 'gave up after 1 retries');
    assert.deepEqual(await ctx.page.problems(), []);
  });
});
