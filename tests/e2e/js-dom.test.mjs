// The JS class keeps the DOM's dispatch contract (DOM Standard, "Events";
// HTML, "Event handlers"), as the browser's own WebSocket does:
// - it is an EventTarget: instanceof, dispatchEvent, toString, constructor name
//   (WebSocket's, as the class stands in for it);
// - `this`, `target` and `currentTarget` are the client in handlers and listeners;
// - events are genuine Event / MessageEvent / CloseEvent instances with the browser's values;
// - addEventListener options: once, signal (aborted before and after), capture, passive;
//   handleEvent objects, removal during dispatch, stopImmediatePropagation;
// - an event handler keeps the place in the listener list where it was first set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, usePackagePage } from './harness.mjs';

forEachEngine((engine) => {
  const ctx = usePackagePage({ engine, module: 'plain' });

  test('the client is an EventTarget named WebSocket, as the interface it stands in for', async () => {
    const got = await ctx.page.evaluate(() => {
      const c = new WSC(`${WS_BASE}/hang`);
      const r = {
        eventTarget: c instanceof EventTarget,
        toString: Object.prototype.toString.call(c),
        name: c.constructor.name,
        dispatchIsEventTargets: c.dispatchEvent === EventTarget.prototype.dispatchEvent,
        constantWritable: Object.getOwnPropertyDescriptor(WSC, 'OPEN').writable,
      };
      c.close();
      return r;
    });
    assert.deepEqual(got, {
      eventTarget: true,
      toString: '[object WebSocket]',
      name: 'WebSocket',
      dispatchIsEventTargets: true,
      constantWritable: false,
    });
  });

  test('in every handler and listener, this, target and currentTarget are the client', async () => {
    const got = await ctx.page.evaluate(async () => {
      const seen = [];
      const record = (how) =>
        function (e) {
          seen.push([how, e.type, this === c, e.target === c, e.currentTarget === c]);
        };
      const c = new WSC(`${WS_BASE}/echo`, 'echo-protocol');
      for (const type of ['open', 'message', 'close']) {
        c[`on${type}`] = record('handler');
        c.addEventListener(type, record('listener'));
      }
      // e.target.send() from a handler, as DOM code does.
      c.addEventListener('open', (e) => e.target.send('first'));
      c.addEventListener('message', function (e) {
        if (e.data === 'first') this.send('second');
        else e.target.close(1000, 'bye');
      });
      const close = await new Promise((resolve) => c.addEventListener('close', resolve));
      // A failed connection: error, then close.
      const failed = new WSC(`${WS_BASE}/refuse`);
      const errorSeen = await new Promise((resolve) => {
        failed.onerror = function (e) {
          resolve([this === failed, e.target === failed, e.currentTarget === failed, e instanceof Event, e.constructor.name]);
        };
      });
      return { seen, close: [close.code, close.reason, close.wasClean], errorSeen };
    });
    const expected = [];
    for (const type of ['open', 'message', 'message', 'close']) {
      for (const how of ['handler', 'listener']) expected.push([how, type, true, true, true]);
    }
    assert.deepEqual(got.seen, expected);
    assert.deepEqual(got.close, [1000, 'bye', true]);
    assert.deepEqual(got.errorSeen, [true, true, true, true, 'Event']);
  });

  test('events are genuine MessageEvent and CloseEvent instances with the browser socket values', async () => {
    const got = await ctx.page.evaluate(async () => {
      const c = new WSC(`${WS_BASE}/close?code=4001&reason=${encodeURIComponent('server says ✓')}&delay=100`);
      const message = new Promise((resolve) => c.addEventListener('message', resolve, { once: true }));
      const close = await new Promise((resolve) => (c.onclose = resolve));
      const raw = new WebSocket(`${WS_BASE}/close?code=4001&reason=${encodeURIComponent('server says ✓')}&delay=100`);
      const rawClose = await new Promise((resolve) => (raw.onclose = resolve));
      const pick = (e) => [e.constructor.name, e instanceof CloseEvent, e.type, e.code, e.reason, e.wasClean, e.bubbles, e.cancelable];
      void message;
      return { ours: pick(close), browser: pick(rawClose) };
    });
    assert.deepEqual(got.ours, ['CloseEvent', true, 'close', 4001, 'server says ✓', true, false, false]);
    assert.deepEqual(got.ours, got.browser);
  });

  test('addEventListener honours once, signal, capture and passive; handleEvent objects get themselves as this', async () => {
    const got = await ctx.page.evaluate(async () => {
      const c = new WSC(`${WS_BASE}/echo`, 'echo-protocol');
      await c.opened;
      const calls = [];
      const fn = () => calls.push('fn');
      c.addEventListener('message', fn);
      c.addEventListener('message', fn); // a duplicate: ignored
      c.addEventListener('message', fn, { capture: true }); // another capture flag: a second listener
      c.addEventListener('message', () => calls.push('once'), { once: true });
      const controller = new AbortController();
      c.addEventListener('message', () => calls.push('signal'), { signal: controller.signal });
      c.addEventListener('message', () => calls.push('pre-aborted'), { signal: AbortSignal.abort() });
      const object = {
        handleEvent(e) {
          calls.push(['object', this === object, e.currentTarget === c]);
        },
      };
      c.addEventListener('message', object);
      const badSignal = (() => {
        try {
          c.addEventListener('message', () => {}, { signal: 'nope' });
          return null;
        } catch (e) {
          return e.name;
        }
      })();
      const next = () => new Promise((resolve) => c.addEventListener('message', resolve, { once: true }));
      let arrived = next();
      c.send('one');
      await arrived;
      const afterFirst = calls.splice(0);
      controller.abort();
      arrived = next();
      c.send('two');
      await arrived;
      const afterAbort = calls.splice(0);
      c.removeEventListener('message', fn); // removes the non-capture one only
      arrived = next();
      c.send('three');
      await arrived;
      const afterRemove = calls.splice(0);
      // passive: preventDefault has no effect (checked on a cancelable event).
      c.addEventListener('ping', (e) => e.preventDefault(), { passive: true });
      const passiveNotCanceled = c.dispatchEvent(new Event('ping', { cancelable: true }));
      c.close();
      return { afterFirst, afterAbort, afterRemove, badSignal, passiveNotCanceled };
    });
    assert.deepEqual(got.afterFirst, ['fn', 'fn', 'once', 'signal', ['object', true, true]]);
    assert.deepEqual(got.afterAbort, ['fn', 'fn', ['object', true, true]]);
    assert.deepEqual(got.afterRemove, ['fn', ['object', true, true]]);
    assert.equal(got.badSignal, 'TypeError');
    assert.equal(got.passiveNotCanceled, true);
  });

  test('removal during dispatch, stopImmediatePropagation, and dispatchEvent reach listeners as on any EventTarget', async () => {
    const got = await ctx.page.evaluate(() => {
      const c = new WSC(`${WS_BASE}/hang`);
      const calls = [];
      const second = () => calls.push('second');
      c.onopen = function (e) {
        calls.push(['handler', this === c, e.target === c]);
      };
      c.addEventListener('open', () => {
        calls.push('first');
        c.removeEventListener('open', second);
      });
      c.addEventListener('open', second);
      const returned = c.dispatchEvent(new Event('open'));
      const firstRound = calls.splice(0);
      c.addEventListener('message', (e) => {
        calls.push('stopper');
        e.stopImmediatePropagation();
      });
      c.addEventListener('message', () => calls.push('never'));
      c.dispatchEvent(new MessageEvent('message', { data: 'synthetic' }));
      const secondRound = calls.splice(0);
      c.close();
      return { returned, firstRound, secondRound };
    });
    assert.equal(got.returned, true);
    assert.deepEqual(got.firstRound, [['handler', true, true], 'first']);
    assert.deepEqual(got.secondRound, ['stopper']);
  });

  test('an event handler keeps the place where it was first set; null removes it, setting again moves it last', async () => {
    const got = await ctx.page.evaluate(() => {
      const c = new WSC(`${WS_BASE}/hang`);
      const calls = [];
      c.addEventListener('open', () => calls.push('L1'));
      c.onopen = () => calls.push('H1');
      c.addEventListener('open', () => calls.push('L2'));
      c.dispatchEvent(new Event('open'));
      c.onopen = () => calls.push('H2'); // replaced in place
      c.dispatchEvent(new Event('open'));
      c.onopen = null;
      c.dispatchEvent(new Event('open'));
      c.onopen = () => calls.push('H3'); // added again: now last
      c.dispatchEvent(new Event('open'));
      const stored = { object: (c.onmessage = { not: 'callable' }), number: ((c.onclose = 5), c.onclose) };
      c.close();
      return { calls, storedObject: typeof c.onmessage, stored: stored.number };
    });
    assert.deepEqual(got.calls, ['L1', 'H1', 'L2', 'L1', 'H2', 'L2', 'L1', 'L2', 'L1', 'L2', 'H3']);
    assert.equal(got.storedObject, 'object');
    assert.equal(got.stored, null);
  });

  test('no page errors', async () => {
    assert.deepEqual(await ctx.page.problems(), []);
  });
});
