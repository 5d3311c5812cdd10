// The JS class lives as long as the WebSockets standard keeps a socket
// alive ("Garbage collection"), with no free() call, under forced garbage
// collection (Chromium's gc(), exposed with --js-flags=--expose-gc; heavy
// allocation churn in Firefox and WebKit, which expose none):
// - referenced only by its on* handlers, or only by listeners, a socket
//   delivers every message the server pushes, then the close event;
// - a socket orphaned while CONNECTING still opens and works;
// - a reconnecting socket waiting to retry keeps firing its events;
// - once closed, an unreferenced client is collected (seen by a
//   FinalizationRegistry); open with no listener that could still fire,
//   it is collected exactly when the browser's own socket is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, usePackagePage } from './harness.mjs';

forEachEngine((engine) => {
  const ctx = usePackagePage({ engine, browserArgs: ['--js-flags=--expose-gc'], setup: () => {
    // Collects garbage until `done()` or the time is up: gc() where it is
    // exposed, heavy allocation churn elsewhere.
    window.collectUntil = async (done, ms = 5000) => {
      const end = performance.now() + ms;
      while (!done() && performance.now() < end) {
        if (typeof gc === 'function') gc();
        // Large arrays go straight to the old generation, so this churn
        // brings full collections (which reclaim old clients), not only
        // nursery ones.
        else for (let i = 0; i < 8; i++) new Float64Array(1 << 20).fill(i);
        await sleep(10);
      }
      return done();
    };
    window.collected = [];
    window.registry = new FinalizationRegistry((name) => collected.push(name));
  } });

  test('garbage collection is forced with gc() in Chromium, by allocation churn elsewhere', async () => {
    // README, engine differences: only Chromium exposes gc() to a page.
    assert.equal(await ctx.page.evaluate(() => typeof gc), engine === 'chromium' ? 'function' : 'undefined');
  });

  for (const how of ['on* handlers', 'addEventListener']) {
    test(`a socket referenced only by its ${how} gets every pushed message, then the close event`, async () => {
      const log = await ctx.page.evaluate(async (how) => {
        const log = [];
        (() => {
          const c = new WSC(`${WS_BASE}/push?count=30&interval=15`);
          const onMessage = (e) => log.push(e.data);
          const onClose = (e) => log.push(`close ${e.code} ${e.reason} ${e.wasClean}`);
          if (how === 'addEventListener') {
            c.addEventListener('message', onMessage);
            c.addEventListener('close', onClose);
          } else {
            c.onmessage = onMessage;
            c.onclose = onClose;
          }
        })();
        await collectUntil(() => log.some((l) => l.startsWith('close')), 10_000);
        return log;
      }, how);
      assert.deepEqual(log, [...Array.from({ length: 30 }, (_, i) => `push ${i}`), 'close 1000 done true']);
    });
  }

  test('a socket orphaned while CONNECTING still opens, echoes and closes', async () => {
    const log = await ctx.page.evaluate(async () => {
      const log = [];
      (() => {
        const c = new WSC(`${WS_BASE}/echo`, 'echo-protocol');
        c.addEventListener('open', function () {
          log.push('open');
          this.send('still here');
        });
        c.onmessage = function (e) {
          log.push(e.data);
          this.close(1000, 'done');
        };
        c.onclose = (e) => log.push(`close ${e.code} ${e.reason}`);
      })();
      if (typeof gc === 'function') gc(); // while still connecting
      await collectUntil(() => log.length === 3, 10_000);
      return log;
    });
    assert.deepEqual(log, ['open', 'still here', 'close 1000 done']);
  });

  test('a reconnecting socket waiting to retry keeps firing its events until it gives up', async () => {
    const log = await ctx.page.evaluate(async () => {
      const log = [];
      (() => {
        // The drop comes well after open: with less, Firefox may see the
        // connection end before it reports open.
        const c = new WSC(`${WS_BASE}/drop?delay=150`, [], { reconnect: { minDelay: 150, maxDelay: 150, maxRetries: 2, minUptime: 10_000 } });
        c.onopen = () => log.push('open');
        c.onclose = (e) => log.push(`close ${e.code}`);
        // A custom event, dispatched as the DOM does: the client is this,
        // target and currentTarget.
        c.addEventListener('reconnecting', function (e) {
          const dom = e instanceof CustomEvent && this === e.target && e.target === e.currentTarget && this.readyState === 0;
          log.push(`reconnecting ${e.detail.attempt}${dom ? '' : ' (not dispatched as the DOM does)'}`);
        });
        c.addEventListener('gaveup', () => log.push('gaveup'));
      })();
      await collectUntil(() => log.includes('gaveup'), 10_000);
      return log;
    });
    assert.deepEqual(log, [
      'open',
      'close 1006',
      'reconnecting 1',
      'open',
      'close 1006',
      'reconnecting 2',
      'open',
      'close 1006',
      'gaveup',
    ]);
  });

  test('an unreferenced client is collected once closed; open with no listener that could fire, as the browser socket is', async () => {
    const got = await ctx.page.evaluate(async (engine) => {
      collected.length = 0;
      const closes = [];
      // One function each: closures made in one function share their
      // variables, so a listener kept alive would keep the others too.
      const closedClient = () => {
        const closed = new WSC(`${WS_BASE}/echo`, 'echo-protocol');
        registry.register(closed, 'closed');
        closed.onopen = () => closed.close(1000);
        closed.onclose = (e) => closes.push(e.code);
      };
      const closedNative = () => {
        const native = new WebSocket(`${WS_BASE}/echo`, 'echo-protocol');
        registry.register(native, 'native closed');
        native.onopen = () => native.close(1000);
        native.onclose = (e) => closes.push(`native ${e.code}`);
      };
      // OPEN with only an open listener: nothing it listens to can fire.
      // The standard lets such a socket be collected; Chromium keeps its
      // own open sockets whatever their listeners (README, engine table).
      const idle = (Make, name) => {
        const socket = new Make(`${WS_BASE}/echo`, 'echo-protocol');
        registry.register(socket, name);
        socket.addEventListener('open', () => closes.push(`${name} open`));
      };
      closedClient();
      closedNative();
      idle(WSC, 'idle');
      idle(WebSocket, 'native idle');
      // Firefox frees DOM objects (EventTargets, its own WebSocket too) in
      // its cycle collector, which a page cannot bring about: there we
      // only check that ours and the browser's are alike.
      const both = () => collected.includes('closed') && collected.includes('native closed');
      await collectUntil(both, engine === 'firefox' ? 5_000 : 10_000);
      await collectUntil(() => closes.length === 4, 5_000);
      // As long again for the idle ones, which go (if at all) as late.
      await collectUntil(() => collected.includes('idle') && collected.includes('native idle'), 3_000);
      return { collected: [...collected].sort(), closes: closes.map(String).sort() };
    }, engine);
    // README, engine differences: collection observed in Chromium and WebKit.
    const closed = got.collected.filter((name) => name.includes('closed'));
    assert.deepEqual(closed, engine === 'firefox' ? [] : ['closed', 'native closed']);
    assert.equal(got.collected.includes('idle'), got.collected.includes('native idle'), `ours and the browser's idle socket alike: ${got.collected}`);
    assert.deepEqual(got.closes, ['1000', 'idle open', 'native 1000', 'native idle open']);
  });

  test('no page errors', async () => {
    assert.deepEqual(await ctx.page.problems(), []);
  });
});
