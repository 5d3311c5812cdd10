// End-to-end delivery from JS (`delivery: true`, docs/delivery.md) against
// the test server's `/delivery` echo (over wasm-websocket/server), in every
// engine:
// - stall-then-drop, 400 × 64 KiB, client → server and server → client:
//   0 missing, 0 duplicates, in order;
// - a server restarted between two bursts (a new process, a new epoch):
//   `sessionlost` lists exactly the unconfirmed messages;
// - servers without the protocol (an echo, a silent one): `delivery` is
//   "unavailable", one event, and echo works;
// - a server breaking the protocol: the client fails the connection with
//   4400 and an error event, and reports nothing delivered it was not told;
// - WebSocketStream with `delivery: true`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, loadPackage, usePackagePage } from './harness.mjs';
import { launch } from '../../server/launch.mjs';

const COUNT = 400;
const SIZE = 64 * 1024;

forEachEngine((engine) => {
  const ctx = usePackagePage({ engine, module: 'delivery' });

  test('client → server: a stalled server dropped mid-burst gets all 400 × 64 KiB once, in order', async () => {
    const got = await ctx.page.evaluate(
      async ([COUNT, SIZE]) => {
        const key = `js-delivery-up-${Math.random()}`;
        const c = new WSC(`${WS_BASE}/delivery?key=${key}`, [], {
          delivery: true,
          reconnect: { minDelay: 200, maxDelay: 200, outbox: { maxMessages: COUNT, maxBytes: COUNT * SIZE } },
        });
        c.onmessage = () => {}; // the echoes: not what this test counts
        let delivered = 0;
        const events = [];
        c.addEventListener('delivered', (e) => (delivered = e.detail.upTo));
        for (const type of ['reconnecting', 'reconnected', 'sessionlost', 'deliveryunavailable']) c.addEventListener(type, () => events.push(type));
        await c.opened;
        await until('delivery on', () => c.delivery === 'on');
        await fetch(`${HTTP_BASE}/control/delivery-stall?key=${key}`);
        for (let i = 0; i < COUNT; i++) {
          const message = new Uint8Array(SIZE).fill(i & 0xff);
          new DataView(message.buffer).setUint32(0, i);
          c.send(message);
          message.fill(0); // reused by the page: what was sent must not change
        }
        const lastId = c.lastMessageId;
        await sleep(1000); // the TCP buffers fill; the rest waits in the browser or the outbox
        await fetch(`${HTTP_BASE}/control/drop?key=${key}`);
        await until('all delivered', () => delivered === COUNT, 60_000);
        await sleep(300); // a duplicate would show by now
        const received = await (await fetch(`${HTTP_BASE}/control/delivery-received?key=${key}`)).json();
        c.close();
        return { lastId, delivered, received, events };
      },
      [COUNT, SIZE],
    );
    assert.equal(got.lastId, COUNT);
    assert.equal(got.delivered, COUNT);
    assert.deepEqual(got.received, Array.from({ length: COUNT }, (_, i) => i), '0 missing, 0 duplicates, in order');
    assert.deepEqual(got.events, ['reconnecting', 'reconnected'], 'resumed, not lost');
  });

  test('server → client: a burst of 400 × 64 KiB cut by a drop arrives once, in order, byte for byte', async () => {
    const got = await ctx.page.evaluate(
      async ([COUNT, SIZE]) => {
        const key = `js-delivery-down-${Math.random()}`;
        const c = new WSC(`${WS_BASE}/delivery?key=${key}`, [], { delivery: true, binaryType: 'arraybuffer', reconnect: { minDelay: 200, maxDelay: 200 } });
        const seqs = [];
        let wrong = 0;
        c.onmessage = (e) => {
          const view = new DataView(e.data);
          if (e.data.byteLength !== SIZE) wrong++;
          seqs.push(view.getUint32(0));
        };
        const events = [];
        for (const type of ['reconnected', 'sessionlost']) c.addEventListener(type, () => events.push(type));
        await c.opened;
        await until('delivery on', () => c.delivery === 'on');
        await fetch(`${HTTP_BASE}/control/delivery-burst?key=${key}&count=${COUNT}&size=${SIZE}`);
        // The page stops reading for a while (the server's sends pile up), then the connection drops.
        const stop = Date.now() + 300;
        while (Date.now() < stop);
        await fetch(`${HTTP_BASE}/control/drop?key=${key}`);
        const before = seqs.length;
        await until('all 400', () => seqs.length >= COUNT, 60_000);
        await sleep(500); // a duplicate would show by now
        const state = await (await fetch(`${HTTP_BASE}/control/delivery-state?key=${key}`)).json();
        c.close();
        return { before, seqs, wrong, events, state };
      },
      [COUNT, SIZE],
    );
    assert.ok(got.before < COUNT, `the drop cut the burst (${got.before} had arrived)`);
    assert.deepEqual(got.seqs, Array.from({ length: COUNT }, (_, i) => i), '0 missing, 0 duplicates, in order');
    assert.equal(got.wrong, 0, 'every message whole');
    assert.deepEqual(got.events, ['reconnected']);
    assert.equal(got.state.unconfirmed, 0, 'the server saw every message confirmed');
  });

  test('a server restarted between two bursts: sessionlost lists exactly the unconfirmed messages', async () => {
    // A server of its own, so that it can be stopped and started again on
    // the same port; the page comes from it (a page may connect only to
    // the server it came from), and goes back afterwards. (One page: WebKit's
    // driver has one session.)
    let server = await launch();
    const port = server.port;
    const page = ctx.page;
    try {
      await loadPackage(page, server, 'delivery');
      await page.evaluate(async () => {
        const c = new WSC(`${WS_BASE}/delivery?key=restart`, [], { delivery: true, reconnect: { minDelay: 100, maxDelay: 200 } });
        window.restart = { c, delivered: 0, echoes: [], events: [] };
        c.onmessage = (e) => restart.echoes.push(e.data);
        c.addEventListener('delivered', (e) => (restart.delivered = e.detail.upTo));
        c.addEventListener('sessionlost', (e) => restart.events.push(['sessionlost', e.detail]));
        c.addEventListener('reconnecting', () => restart.events.push(['reconnecting']));
        for (let i = 1; i <= 5; i++) c.send(`first ${i}`);
        await until('the first burst confirmed', () => restart.delivered === 5 && restart.echoes.length === 5);
      });
      await server.close(); // stopped by its PID: the sessions are gone
      await page.evaluate(async () => {
        await until('the loss noticed', () => restart.events.length > 0);
        for (let i = 6; i <= 8; i++) restart.c.send(`second ${i}`);
      });
      server = await launch({ port });
      const got = await page.evaluate(async () => {
        const { c } = restart;
        await until('the session lost', () => restart.events.some(([type]) => type === 'sessionlost'), 15_000);
        await until('delivery on again', () => c.delivery === 'on');
        c.send('after');
        await until('the new message confirmed', () => restart.delivered === 9, 5000);
        await sleep(200);
        c.close();
        return { events: restart.events.filter(([type]) => type === 'sessionlost'), echoes: restart.echoes, lastId: c.lastMessageId };
      });
      assert.deepEqual(got.events, [['sessionlost', { reason: 'restarted', unconfirmed: [6, 7, 8], incomingBroken: true }]]);
      assert.deepEqual(got.echoes, ['first 1', 'first 2', 'first 3', 'first 4', 'first 5', 'after'], 'the unconfirmed are not sent by themselves');
      assert.equal(got.lastId, 9);
    } finally {
      await server.close();
      await loadPackage(page, ctx.server, 'delivery');
    }
  });

  test('servers without the protocol: delivery is unavailable, said once, and echo works', async () => {
    const got = await ctx.page.evaluate(async () => {
      const run = async (path) => {
        const c = new WSC(`${WS_BASE}${path}`, [], { delivery: { negotiateTimeout: 300 }, reconnect: true });
        const echoes = [];
        let unavailable = 0;
        let delivered = 0;
        c.onmessage = (e) => echoes.push(e.data);
        c.addEventListener('deliveryunavailable', () => unavailable++);
        c.addEventListener('delivered', () => delivered++);
        const states = [c.delivery];
        c.send('queued before the answer');
        await until('unavailable', () => c.delivery === 'unavailable', 5000);
        c.send('after');
        await sleep(300);
        c.close();
        return { states, unavailable, delivered, echoes: echoes.map(String) };
      };
      return { echo: await run('/echo'), silent: await run('/silent') };
    });
    assert.deepEqual(got.echo, { states: ['negotiating'], unavailable: 1, delivered: 0, echoes: ['queued before the answer', 'after'] });
    assert.deepEqual(got.silent, { states: ['negotiating'], unavailable: 1, delivered: 0, echoes: [] });
  });

  test('a server that breaks the protocol: the client fails the connection with 4400 and an error event', async () => {
    const got = await ctx.page.evaluate(async () => {
      const run = async (frame) => {
        const c = new WSC(`${WS_BASE}/delivery-bad?frame=${frame}`, [], { delivery: true, reconnect: { maxRetries: 0 } });
        const log = [];
        c.onerror = () => log.push('error');
        c.onclose = (e) => log.push(`close ${e.code} ${e.reason}`);
        c.addEventListener('delivered', (e) => log.push(`delivered ${e.detail.upTo}`));
        c.send('x');
        await c.closed.catch(() => {});
        return log;
      };
      const out = {};
      for (const frame of ['ack-beyond', 'ack-short', 'welcome-again', 'unknown-type']) out[frame] = await run(frame);
      const alive = (await fetch(`${HTTP_BASE}/control/delivery-state?key=none`)).status;
      return { out, alive };
    });
    assert.deepEqual(got.out, {
      'ack-beyond': ['error', 'close 4400 an acknowledgement of messages never sent'],
      'ack-short': ['error', 'close 4400 an ACK frame of the wrong length'],
      'welcome-again': ['error', 'close 4400 a HELLO or WELCOME on a connection already welcomed'],
      'unknown-type': ['error', 'close 4400 a binary frame of an unknown type'],
    });
    assert.equal(got.alive, 200, 'the server keeps running');
  });

  test('WebSocketStream with delivery acknowledges what its reader read, not what waits unread', async () => {
    const got = await ctx.page.evaluate(async () => {
      const key = `js-delivery-slow-reader-${Math.random()}`;
      const state = async () => (await fetch(`${HTTP_BASE}/control/delivery-state?key=${key}`)).json();
      const s = new WSS(`${WS_BASE}/delivery?key=${key}`, { delivery: { ackDelay: 20 }, reconnect: { minDelay: 100, maxDelay: 200 } });
      const { readable } = await s.opened;
      await until('delivery on', () => s.delivery === 'on');
      await fetch(`${HTTP_BASE}/control/delivery-burst?key=${key}&count=20&size=8`);
      await sleep(400); // many ack delays: nothing was read, so nothing is acknowledged
      const unread = (await state()).unconfirmed;
      const reader = readable.getReader();
      const seqs = [];
      for (let i = 0; i < 10; i++) seqs.push(new DataView((await reader.read()).value).getUint32(0));
      const next = reader.read(); // the queue still holds 10: no pull yet
      await sleep(300);
      const halfRead = (await state()).unconfirmed;
      seqs.push(new DataView((await next).value).getUint32(0));
      for (let i = 11; i < 20; i++) seqs.push(new DataView((await reader.read()).value).getUint32(0));
      const pending = reader.read(); // the queue is empty: everything read is confirmed
      let allRead;
      for (const end = Date.now() + 3000; Date.now() < end; await sleep(20)) {
        allRead = (await state()).unconfirmed;
        if (allRead === 0) break;
      }
      s.close();
      await pending.catch(() => {});
      return { unread, halfRead, allRead, seqs };
    });
    assert.equal(got.unread, 20, 'unread messages are not acknowledged');
    assert.ok(got.halfRead >= 10 && got.halfRead <= 20, `10 read, 10 queued: ${got.halfRead} unconfirmed`);
    assert.equal(got.allRead, 0, 'once read, all are acknowledged');
    assert.deepEqual(got.seqs, Array.from({ length: 20 }, (_, i) => i));
  });

  test('WebSocketStream with delivery: writes and reads across a drop, once each, in order', async () => {
    const got = await ctx.page.evaluate(async () => {
      const key = `js-delivery-stream-${Math.random()}`;
      const s = new WSS(`${WS_BASE}/delivery?key=${key}`, { delivery: true, reconnect: { minDelay: 100, maxDelay: 200 } });
      let delivered = 0;
      s.addEventListener('delivered', (e) => (delivered = e.detail.upTo));
      const { readable, writable } = await s.opened;
      const writer = writable.getWriter();
      const reader = readable.getReader();
      const got = [];
      for (let i = 0; i < 50; i++) await writer.write(`s${i}`);
      while (got.length < 10) got.push((await reader.read()).value);
      await fetch(`${HTTP_BASE}/control/drop?key=${key}`);
      for (let i = 50; i < 100; i++) await writer.write(`s${i}`);
      await writer.write(new Uint8Array([7, 7]));
      while (got.length < 101) got.push((await reader.read()).value);
      await until('all confirmed', () => delivered === 101, 10_000);
      const state = [s.delivery, s.lastMessageId];
      s.close();
      return { got: got.map((v) => (typeof v === 'string' ? v : `bytes ${[...new Uint8Array(v)]}`)), state };
    });
    assert.deepEqual(got.got, [...Array.from({ length: 100 }, (_, i) => `s${i}`), 'bytes 7,7']);
    assert.deepEqual(got.state, ['on', 101]);
  });
});
