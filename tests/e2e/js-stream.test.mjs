// WebSocketStream conformance, modelled on the tentative web-platform-tests
// (websockets/stream/tentative/): constructor, opened, close, remote close,
// abort and cancel, signal, backpressure, errors. Every scenario runs
// against our WebSocketStream in each engine and, in Chromium, against
// Chrome's native one too, with the same expected results: the values
// below are what Chromium 156's native WebSocketStream gives. The one
// deliberate deviation (a write after close() rejects instead of being
// dropped) has its own test and README row.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, usePackagePage } from './harness.mjs';

const SCENARIOS = {
  'opened gives readable, writable, protocol and extensions; text comes back as strings, binary as ArrayBuffers': async (S) => {
    const wss = new S.WebSocketStream(`${WS_BASE}/echo`, { protocols: ['echo-protocol'] });
    const { readable, writable, protocol, extensions } = await wss.opened;
    const writer = writable.getWriter();
    const desiredSize = writer.desiredSize;
    const reader = readable.getReader();
    await writer.write('text ✓');
    await writer.write(new Uint8Array([1, 2, 3]));
    await writer.write(new Uint8Array([4, 5]).buffer);
    await writer.write(new DataView(new Uint8Array([6, 7, 8]).buffer, 1, 2));
    const got = [];
    for (let i = 0; i < 4; i++) {
      const { value } = await reader.read();
      got.push(typeof value === 'string' ? value : [value.constructor.name, [...new Uint8Array(value)]]);
    }
    wss.close();
    await wss.closed;
    return { got, protocol, extensions: typeof extensions, url: wss.url === `${WS_BASE}/echo`, readable: readable.constructor.name, desiredSize };
  },
  'close({ closeCode, reason }) is sent and reflected in closed': async (S) => {
    const wss = new S.WebSocketStream(`${WS_BASE}/echo`);
    await wss.opened;
    wss.close({ closeCode: 3456, reason: 'pizza' });
    return wss.closed;
  },
  'close() and close({}) send no code: 1005': async (S) => {
    const out = [];
    for (const arg of [undefined, {}, { reason: '' }]) {
      const wss = new S.WebSocketStream(`${WS_BASE}/echo`);
      await wss.opened;
      wss.close(arg);
      out.push(await wss.closed);
    }
    return out;
  },
  'a reason without a code closes with 1000': async (S) => {
    const wss = new S.WebSocketStream(`${WS_BASE}/echo`);
    await wss.opened;
    wss.close({ reason: 'non-empty' });
    return wss.closed;
  },
  'bad close arguments throw InvalidAccessError, SyntaxError, TypeError, even after closing': async (S) => {
    const wss = new S.WebSocketStream(`${WS_BASE}/echo`);
    await wss.opened;
    const names = [];
    for (const arg of [{ closeCode: 999 }, { closeCode: 1001 }, { closeCode: 2999 }, { closeCode: 5000 }, { reason: '.'.repeat(124) }, true]) {
      try {
        wss.close(arg);
        names.push('no error');
      } catch (e) {
        names.push(e.name);
      }
    }
    wss.close();
    await wss.closed;
    try {
      wss.close({ closeCode: 1001 });
    } catch (e) {
      names.push(`after: ${e.name}`);
    }
    return names;
  },
  'close during the handshake rejects opened and closed with WebSocketErrors': async (S) => {
    const wss = new S.WebSocketStream(`${WS_BASE}/echo`);
    wss.close();
    return [await settled(wss.opened), await settled(wss.closed)];
  },
  'a refused handshake rejects opened and closed with WebSocketErrors': async (S) => {
    const wss = new S.WebSocketStream(`${WS_BASE}/refuse`);
    return [await settled(wss.opened), await settled(wss.closed)];
  },
  'a server that selects none of the offered protocols fails the connection': async (S) => {
    const wss = new S.WebSocketStream(`${WS_BASE}/echo`, { protocols: ['not-echo'] });
    return [await settled(wss.opened), await settled(wss.closed)];
  },
  'writer.close(), readable.cancel() and writable.abort() close cleanly with 1005': async (S) => {
    const out = [];
    for (const how of ['writer-close', 'cancel', 'abort']) {
      const wss = new S.WebSocketStream(`${WS_BASE}/echo`);
      const { readable, writable } = await wss.opened;
      if (how === 'writer-close') writable.getWriter().close();
      if (how === 'cancel') readable.cancel();
      if (how === 'abort') writable.abort();
      out.push(await wss.closed);
    }
    return out;
  },
  "cancel() and abort() with a WebSocketError close with its code and reason": async (S) => {
    const out = [];
    for (const [how, code, reason] of [
      ['cancel', 4001, 'cancelled'],
      ['abort', 4002, 'aborted'],
    ]) {
      const wss = new S.WebSocketStream(`${WS_BASE}/echo`);
      const { readable, writable } = await wss.opened;
      const error = new S.WebSocketError('', { closeCode: code, reason });
      if (how === 'cancel') readable.cancel(error);
      else writable.abort(error);
      out.push(await wss.closed);
    }
    return out;
  },
  'writer.close() resolves only once the closing handshake is done': async (S) => {
    const wss = new S.WebSocketStream(`${WS_BASE}/echo`);
    const { writable } = await wss.opened;
    let closedFirst = false;
    wss.closed.then(() => (closedFirst = true));
    await writable.getWriter().close();
    await null;
    return closedFirst;
  },
  'a remote clean close resolves closed, ends the readable, and rejects writes': async (S) => {
    const wss = new S.WebSocketStream(`${WS_BASE}/close?code=4010&reason=server&delay=50`);
    const { readable, writable } = await wss.opened;
    const reader = readable.getReader();
    return [await settled(wss.closed), await settled(reader.read()), await settled(writable.getWriter().write('late'))];
  },
  'a dropped connection rejects closed, the read and the write with a 1006 WebSocketError': async (S) => {
    const wss = new S.WebSocketStream(`${WS_BASE}/drop?delay=50`);
    const { readable, writable } = await wss.opened;
    const reader = readable.getReader();
    return [await settled(wss.closed), await settled(reader.read()), await settled(writable.getWriter().write('late'))];
  },
  'the signal aborts the handshake (before and during), not an open connection': async (S) => {
    const controller = new AbortController();
    const during = new S.WebSocketStream(`${WS_BASE}/hang`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const pre = new S.WebSocketStream(`${WS_BASE}/hang`, { signal: AbortSignal.abort() });
    const late = new AbortController();
    const open = new S.WebSocketStream(`${WS_BASE}/echo`, { signal: late.signal });
    await open.opened;
    late.abort();
    await sleep(50);
    open.close({ closeCode: 4000 });
    return {
      during: [await settled(during.opened), await settled(during.closed)],
      pre: [await settled(pre.opened), await settled(pre.closed)],
      open: await settled(open.closed),
    };
  },
  'bad URLs throw SyntaxError; WebSocketError checks its own arguments': async (S) => {
    const names = [];
    for (const make of [() => new S.WebSocketStream('ftp://127.0.0.1/'), () => new S.WebSocketError('m', { closeCode: 1001 }), () => new S.WebSocketError('m', { reason: 'x'.repeat(124) })]) {
      try {
        make();
        names.push('no error');
      } catch (e) {
        names.push(e.name);
      }
    }
    const plain = new S.WebSocketError('message');
    const withReason = new S.WebSocketError('m', { reason: 'why' });
    const withCode = new S.WebSocketError('m', { closeCode: 3000 });
    const describe = (e) => [e.name, e.message, e.closeCode, e.reason, e instanceof DOMException, e instanceof Error];
    return { names, plain: describe(plain), withReason: describe(withReason), withCode: describe(withCode) };
  },
  'writes wait for bufferedAmount (backpressure) and every byte comes back in order': async (S) => {
    const wss = new S.WebSocketStream(`${WS_BASE}/echo`);
    const { readable, writable } = await wss.opened;
    const writer = writable.getWriter();
    const reader = readable.getReader();
    const CHUNK = 256 * 1024;
    const N = 32;
    const received = (async () => {
      let bytes = 0;
      let inOrder = true;
      for (let i = 0; i < N; i++) {
        const { value } = await reader.read();
        if (new Uint8Array(value)[0] !== i) inOrder = false;
        bytes += value.byteLength;
      }
      return { bytes, inOrder };
    })();
    for (let i = 0; i < N; i++) await writer.write(new Uint8Array(CHUNK).fill(i));
    const result = await received;
    wss.close();
    await wss.closed;
    return result;
  },
};

/** What Chromium 156's native WebSocketStream gives (ours must agree). */
const WSE_HANDSHAKE = { error: 'WebSocketError', message: 'WebSocket closed before handshake complete.', closeCode: null, reason: '' };
const WSE_UNCLEAN = { error: 'WebSocketError', message: 'WebSocket was not cleanly closed.', closeCode: 1006, reason: '' };
const ABORTED = { error: 'AbortError', message: 'WebSocket handshake was aborted', closeCode: undefined, reason: undefined };
const EXPECTED = {
  'opened gives readable, writable, protocol and extensions; text comes back as strings, binary as ArrayBuffers': {
    got: ['text ✓', ['ArrayBuffer', [1, 2, 3]], ['ArrayBuffer', [4, 5]], ['ArrayBuffer', [7, 8]]],
    protocol: 'echo-protocol',
    extensions: 'string',
    url: true,
    readable: 'ReadableStream',
    desiredSize: 1,
  },
  'close({ closeCode, reason }) is sent and reflected in closed': { closeCode: 3456, reason: 'pizza' },
  'close() and close({}) send no code: 1005': [
    { closeCode: 1005, reason: '' },
    { closeCode: 1005, reason: '' },
    { closeCode: 1005, reason: '' },
  ],
  'a reason without a code closes with 1000': { closeCode: 1000, reason: 'non-empty' },
  'bad close arguments throw InvalidAccessError, SyntaxError, TypeError, even after closing': [
    'InvalidAccessError',
    'InvalidAccessError',
    'InvalidAccessError',
    'InvalidAccessError',
    'SyntaxError',
    'TypeError',
    'after: InvalidAccessError',
  ],
  'close during the handshake rejects opened and closed with WebSocketErrors': [WSE_HANDSHAKE, WSE_UNCLEAN],
  'a refused handshake rejects opened and closed with WebSocketErrors': [WSE_HANDSHAKE, WSE_UNCLEAN],
  'a server that selects none of the offered protocols fails the connection': [WSE_HANDSHAKE, WSE_UNCLEAN],
  'writer.close(), readable.cancel() and writable.abort() close cleanly with 1005': [
    { closeCode: 1005, reason: '' },
    { closeCode: 1005, reason: '' },
    { closeCode: 1005, reason: '' },
  ],
  'cancel() and abort() with a WebSocketError close with its code and reason': [
    { closeCode: 4001, reason: 'cancelled' },
    { closeCode: 4002, reason: 'aborted' },
  ],
  'writer.close() resolves only once the closing handshake is done': true,
  'a remote clean close resolves closed, ends the readable, and rejects writes': [
    { value: { closeCode: 4010, reason: 'server' } },
    { value: { done: true } },
    { error: 'InvalidStateError', message: 'Cannot write to a closed WebSocketStream.', closeCode: undefined, reason: undefined },
  ],
  'a dropped connection rejects closed, the read and the write with a 1006 WebSocketError': [WSE_UNCLEAN, WSE_UNCLEAN, WSE_UNCLEAN],
  'the signal aborts the handshake (before and during), not an open connection': {
    during: [ABORTED, ABORTED],
    pre: [ABORTED, ABORTED],
    open: { value: { closeCode: 4000, reason: '' } },
  },
  'bad URLs throw SyntaxError; WebSocketError checks its own arguments': {
    names: ['SyntaxError', 'InvalidAccessError', 'SyntaxError'],
    plain: ['WebSocketError', 'message', null, '', true, true],
    withReason: ['WebSocketError', 'm', 1000, 'why', true, true],
    withCode: ['WebSocketError', 'm', 3000, '', true, true],
  },
  'writes wait for bufferedAmount (backpressure) and every byte comes back in order': { bytes: 32 * 256 * 1024, inOrder: true },
};

const SETUP = async () => {
  const mod = await import('/pkg/index.js');
  window.IMPLEMENTATIONS = {
    ours: { WebSocketStream: mod.WebSocketStream, WebSocketError: mod.WebSocketError },
    native: { WebSocketStream: window.WebSocketStream, WebSocketError: window.WebSocketError },
  };
  // A settled promise as data: { value } or the error's fields, without
  // undefined fields (WebDriver would turn them into null).
  const defined = (object) => Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
  window.settled = (promise) =>
    promise.then(
      (value) => ({ value: value && typeof value === 'object' && !Array.isArray(value) ? defined({ ...value }) : value }),
      (e) => defined({ error: e.name, message: e.message, closeCode: e.closeCode, reason: e.reason }),
    );
};

forEachEngine((engine) => {
  const ctx = usePackagePage({ engine, setup: SETUP });
  const implementations = engine === 'chromium' ? ['native', 'ours'] : ['ours'];
  for (const implementation of implementations) {
    describe(`${implementation} WebSocketStream`, () => {
      for (const [name, scenario] of Object.entries(SCENARIOS)) {
        test(name, async () => {
          // Built here, not in the page: the page's CSP forbids eval, and
          // every driver sends a function's source as its own script.
          // eslint-disable-next-line no-new-func
          const inPage = new Function('which', `return (${scenario})(window.IMPLEMENTATIONS[which]);`);
          const got = await ctx.page.evaluate(inPage, implementation);
          assert.deepEqual(normalize(got), normalize(EXPECTED[name]));
        });
      }
    });
  }

  test('a write after close() rejects with InvalidStateError instead of being dropped (a deviation: see the README table)', async () => {
    const got = await ctx.page.evaluate(async () => {
      const wss = new IMPLEMENTATIONS.ours.WebSocketStream(`${WS_BASE}/echo`);
      const { writable } = await wss.opened;
      const writer = writable.getWriter();
      wss.close();
      return [await settled(writer.write('after close')), await settled(wss.closed)];
    });
    assert.equal(got[0].error, 'InvalidStateError');
    assert.match(got[0].message, /CLOSING/);
    assert.deepEqual(got[1], { value: { closeCode: 1005, reason: '' } });
  });

  test('a reader that falls behind is bounded by readableMaxBytes: the readable errors, the connection closes', async () => {
    const got = await ctx.page.evaluate(async () => {
      const wss = new IMPLEMENTATIONS.ours.WebSocketStream(`${WS_BASE}/echo`, { readableMaxBytes: 100_000 });
      const { readable, writable } = await wss.opened;
      const writer = writable.getWriter();
      for (let i = 0; i < 20; i++) await writer.write(new Uint8Array(10_000)); // echoed, never read
      const closed = await settled(wss.closed);
      const read = await settled(readable.getReader().read());
      return { closed, read };
    });
    assert.deepEqual(got.closed, { value: { closeCode: 1000, reason: 'reader too slow' } });
    assert.equal(got.read.error, 'RangeError');
    assert.match(got.read.message, /more than 100000 bytes arrived unread/);
  });

  test('with reconnect, the readable and writable survive a dropped connection; writes meanwhile are queued; the stream fires the reconnect events', async () => {
    const got = await ctx.page.evaluate(async () => {
      const key = `stream-${Math.random().toString(36).slice(2)}`;
      const wss = new IMPLEMENTATIONS.ours.WebSocketStream(`${WS_BASE}/echo?key=${key}`, { protocols: ['echo-protocol'], reconnect: { minDelay: 100, maxDelay: 200 } });
      const events = [];
      wss.addEventListener('reconnecting', function (e) {
        const { attempt, code, wasClean, resent, possiblyLost } = e.detail;
        events.push({ type: e.type, custom: e instanceof CustomEvent, self: this === wss && e.target === wss, attempt, code, wasClean, resent, possiblyLost });
      });
      wss.addEventListener('reconnected', (e) => events.push({ type: e.type, attempt: e.detail.attempt }));
      const lost = new Promise((resolve) => wss.addEventListener('reconnecting', resolve, { once: true }));
      const { readable, writable } = await wss.opened;
      const writer = writable.getWriter();
      const reader = readable.getReader();
      await writer.write('before');
      const first = (await reader.read()).value;
      await fetch(`${HTTP_BASE}/control/drop?key=${key}`);
      // Once the stream has seen the drop, what is written waits for the
      // next connection. (Written before, it would go into the dying one,
      // and count in possiblyLost.)
      await lost;
      await writer.write('during 1');
      await writer.write('during 2');
      const after = [(await reader.read()).value, (await reader.read()).value];
      wss.close({ closeCode: 1000, reason: 'done' });
      return { first, after, events, eventTarget: wss instanceof EventTarget, closed: await settled(wss.closed) };
    });
    assert.deepEqual(got.events[0].possiblyLost <= 1 ? { ...got.events[0], possiblyLost: 'at most 1' } : got.events[0], { type: 'reconnecting', custom: true, self: true, attempt: 1, code: 1006, wasClean: false, resent: 0, possiblyLost: 'at most 1' });
    assert.deepEqual(got.events.slice(1), [{ type: 'reconnected', attempt: 1 }]);
    assert.deepEqual({ ...got, events: undefined }, { first: 'before', after: ['during 1', 'during 2'], events: undefined, eventTarget: true, closed: { value: { closeCode: 1000, reason: 'done' } } });
  });

  test('with reconnect, url and protocols may be functions, asked before every attempt; without it they throw TypeError', async () => {
    const got = await ctx.page.evaluate(async () => {
      const { WebSocketStream } = IMPLEMENTATIONS.ours;
      const key = `stream-url-${Math.random().toString(36).slice(2)}`;
      let asked = 0;
      const wss = new WebSocketStream(
        async () => `${WS_BASE}/echo?key=${key}&attempt=${++asked}`,
        { protocols: () => ['echo-protocol'], reconnect: { minDelay: 50, maxDelay: 100 } },
      );
      const { readable, writable, protocol } = await wss.opened;
      const firstUrl = wss.url;
      const writer = writable.getWriter();
      const reader = readable.getReader();
      await writer.write('one');
      const first = (await reader.read()).value;
      await fetch(`${HTTP_BASE}/control/drop?key=${key}`);
      // Asked again once the stream has seen the drop; written before
      // that, 'two' would go into the dying connection.
      await until('the second attempt', () => asked === 2);
      await writer.write('two'); // queued until the second attempt opens
      const second = (await reader.read()).value;
      const secondUrl = wss.url;
      wss.close({ closeCode: 1000 });
      await settled(wss.closed);
      let thrown = null;
      try {
        new WebSocketStream(() => `${WS_BASE}/echo`);
      } catch (e) {
        thrown = [e.name, e.message];
      }
      return { protocol, first, second, firstUrl: firstUrl.replace(/.*\?/, ''), secondUrl: secondUrl.replace(/.*\?/, ''), asked, thrown };
    });
    assert.deepEqual(got.thrown, ['TypeError', 'a URL or protocols function needs the reconnect option']);
    assert.deepEqual([got.protocol, got.first, got.second], ['echo-protocol', 'one', 'two']);
    assert.match(got.firstUrl, /attempt=1$/);
    assert.match(got.secondUrl, /attempt=2$/);
    assert.equal(got.asked, 2);
  });

  test('for await reads the readable where the engine can iterate streams (README: not WebKit)', async () => {
    const got = await ctx.page.evaluate(async () => {
      const iterable = typeof ReadableStream.prototype[Symbol.asyncIterator] === 'function';
      const wss = new IMPLEMENTATIONS.ours.WebSocketStream(`${WS_BASE}/echo`);
      const { readable, writable } = await wss.opened;
      const writer = writable.getWriter();
      for (const text of ['one', 'two', 'three']) await writer.write(text);
      const seen = [];
      if (iterable) {
        for await (const message of readable) {
          seen.push(message);
          if (seen.length === 3) break; // cancels the readable: a clean close
        }
      } else {
        const reader = readable.getReader();
        for (let i = 0; i < 3; i++) seen.push((await reader.read()).value);
        await reader.cancel();
      }
      return { iterable, seen, closed: await settled(wss.closed) };
    });
    assert.equal(got.iterable, engine !== 'webkit');
    assert.deepEqual(got.seen, ['one', 'two', 'three']);
    assert.deepEqual(got.closed, { value: { closeCode: 1005, reason: '' } });
  });

  test('no page errors', async () => {
    assert.deepEqual(await ctx.page.problems(), []);
  });
});

/** JSON-shaped, as the WebDriver engines return values (undefined fields dropped). */
function normalize(value) {
  return JSON.parse(JSON.stringify(value));
}
