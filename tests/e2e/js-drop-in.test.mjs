// WebSocketClient as a drop-in for the browser's WebSocket, installed as
// the page's global `WebSocket` (what apps and polyfills do), checked
// against the engine's own socket in the same page, in every engine:
// - construction after the install makes browser sockets, never itself
//   (plain and reconnecting kinds), subclasses work, and a second copy of
//   the package loaded after the install finds the browser's constructor;
// - WebIDL: the interface has the shape of the engine's (prototype chain,
//   enumerable accessors and methods, their names and lengths, the class
//   string, the constants), and missing arguments are TypeErrors first;
// - a blocked port (the fetch standard's list) fails the connection: the
//   constructor returns, then error, then close 1006;
// - send after close() and in onclose: discarded and counted in
//   bufferedAmount as the standard says, observable as discardedSends and
//   discardedBytes, or an InvalidStateError with sendAfterClose: 'throw';
// - page code that redefines the class's members (readyState) or
//   EventTarget's methods does not break the class's own work.
// The page has no CSP (the demo page's admits sockets to its own origin
// only, and a blocked port is another port): the test's front server
// serves it and passes everything else to the project's server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, launch, startFrontServer, startServer } from './harness.mjs';

const PAGE = '<!doctype html><meta charset="utf-8"><title>drop-in</title><body>drop-in</body>';

forEachEngine((engine) => {
  const ctx = {};
  before(async () => {
    ctx.server = await startServer();
    ctx.front = await startFrontServer(ctx.server.port, (req, res) => {
      if (req.url !== '/drop-in') return false;
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(PAGE);
      return true;
    });
    ctx.browser = await launch(engine);
    ctx.page = await ctx.browser.newPage();
    await ctx.page.goto(`${ctx.front.base}/drop-in`);
    const installed = await ctx.page.evaluate(async (ws) => {
      window.NativeWebSocket = globalThis.WebSocket;
      const mod = await import('/pkg/index.js');
      await mod.default({ reconnect: true });
      window.WSC = mod.WebSocketClient;
      window.WS_BASE = ws;
      // The drop-in install.
      globalThis.WebSocket = mod.WebSocketClient;
      window.thrown = (fn) => {
        try {
          fn();
          return null;
        } catch (e) {
          return { name: e.name, typeError: e instanceof TypeError, dom: e instanceof DOMException, message: e.message };
        }
      };
      // Every event of `socket` as a string, in order, until its close
      // (or for `ms` at most, then with 'no close').
      window.trace = (socket, ms = 10_000) =>
        new Promise((resolve) => {
          const seen = [`readyState ${socket.readyState}`];
          setTimeout(() => resolve([...seen, 'no close', `readyState ${socket.readyState}`]), ms);
          socket.onopen = () => seen.push(`open ${socket.protocol}`);
          socket.onerror = () => seen.push('error');
          socket.onmessage = (e) => seen.push(`message ${e.data}`);
          socket.onclose = (e) => {
            seen.push(`close ${e.code} ${e.wasClean}`);
            setTimeout(() => resolve([...seen, `readyState ${socket.readyState}`]), 50);
          };
        });
      return {
        same: globalThis.WebSocket === mod.WebSocketClient,
        exportedAsWebSocket: mod.WebSocket === mod.WebSocketClient,
        name: globalThis.WebSocket.name,
      };
    }, ctx.server.ws);
    assert.deepEqual(installed, { same: true, exportedAsWebSocket: true, name: 'WebSocket' });
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.front?.close();
    await ctx.server?.close();
  });

  test(`installed as the global WebSocket, it constructs browser sockets, plain and reconnecting, and echoes (${engine})`, async () => {
    const got = await ctx.page.evaluate(async () => {
      const plain = new WebSocket(`${WS_BASE}/echo`, 'echo-protocol');
      const plainTrace = trace(plain);
      plain.addEventListener('open', () => plain.send('plain ✓'), { once: true });
      plain.addEventListener('message', () => plain.close(4000, 'done'), { once: true });

      const reconnecting = new WebSocket(`${WS_BASE}/echo`, 'echo-protocol', { reconnect: true });
      const reconnectingTrace = trace(reconnecting);
      reconnecting.addEventListener('open', () => reconnecting.send('reconnecting ✓'), { once: true });
      reconnecting.addEventListener('message', () => reconnecting.close(4001), { once: true });

      return {
        ours: [plain instanceof WSC, reconnecting instanceof WSC, plain instanceof EventTarget],
        plain: await plainTrace,
        reconnecting: await reconnectingTrace,
      };
    });
    assert.deepEqual(got, {
      ours: [true, true, true],
      plain: ['readyState 0', 'open echo-protocol', 'message plain ✓', 'close 4000 true', 'readyState 3'],
      reconnecting: ['readyState 0', 'open echo-protocol', 'message reconnecting ✓', 'close 4001 true', 'readyState 3'],
    });
  });

  test(`a second copy of the package, loaded after the install, still finds the browser's constructor (${engine})`, async () => {
    const got = await ctx.page.evaluate(async () => {
      // Another URL is another module instance: a second, separate copy.
      const second = await import('/pkg/index.js?second-copy');
      await second.default();
      const c = new second.WebSocketClient(`${WS_BASE}/echo`);
      const seen = trace(c);
      c.addEventListener('open', () => c.send('second copy'));
      c.addEventListener('message', () => c.close());
      const events = await seen;
      return {
        separate: second.WebSocketClient !== WSC,
        native: second.WebSocketClient[Symbol.for('wasm-websocket.native-constructor')] === NativeWebSocket,
        firstNative: WSC[Symbol.for('wasm-websocket.native-constructor')] === NativeWebSocket,
        events,
      };
    });
    assert.deepEqual(got, {
      separate: true,
      native: true,
      firstNative: true,
      events: ['readyState 0', 'open ', 'message second copy', 'close 1005 true', 'readyState 3'],
    });
  });

  test(`a subclass of the installed class works as a subclass of WebSocket does (${engine})`, async () => {
    const got = await ctx.page.evaluate(async () => {
      class Tagged extends WebSocket {
        constructor(url, protocols, options) {
          super(url, protocols, options);
          this.tag = 'mine';
        }
        sendTagged(text) {
          this.send(`${this.tag}: ${text}`);
        }
      }
      const run = async (options) => {
        const c = new Tagged(`${WS_BASE}/echo`, [], options);
        const seen = trace(c);
        c.addEventListener('open', () => c.sendTagged('hello'));
        c.addEventListener('message', () => c.close(4000));
        return {
          kinds: [c instanceof Tagged, c instanceof WebSocket, c instanceof EventTarget, c.constructor === Tagged],
          tag: Object.prototype.toString.call(c),
          events: await seen,
        };
      };
      return {
        chain: [Object.getPrototypeOf(Tagged) === WebSocket, Object.getPrototypeOf(Tagged.prototype) === WebSocket.prototype],
        plain: await run(undefined),
        reconnecting: await run({ reconnect: true }),
      };
    });
    const expected = {
      kinds: [true, true, true, true],
      tag: '[object WebSocket]',
      events: ['readyState 0', 'open ', 'message mine: hello', 'close 4000 true', 'readyState 3'],
    };
    assert.deepEqual(got, { chain: [true, true], plain: expected, reconnecting: expected });
  });

  test(`the interface has the shape of the engine's own WebSocket (${engine})`, async () => {
    const got = await ctx.page.evaluate(() => {
      // What WebIDL decides about a member, comparable across the two.
      const shape = (object, key) => {
        const d = Object.getOwnPropertyDescriptor(object, key);
        if (!d) return 'missing';
        const fn = (f) => (f ? `${f.name}/${f.length}` : null);
        return {
          enumerable: d.enumerable,
          configurable: d.configurable,
          writable: d.writable,
          get: fn(d.get),
          set: fn(d.set),
          value: typeof d.value === 'function' ? fn(d.value) : typeof d.value === 'symbol' ? String(d.value) : d.value,
        };
      };
      const members = (Class) => Object.fromEntries(Reflect.ownKeys(Class.prototype).filter((k) => k !== 'constructor').map((k) => [String(k), shape(Class.prototype, k)]));
      const ours = members(WebSocket);
      const native = members(NativeWebSocket);
      const c = new WebSocket(`${WS_BASE}/hang`);
      const r = {
        // Every member of the engine's interface, as the engine has it.
        differences: Object.keys(native).filter((k) => JSON.stringify(ours[k]) !== JSON.stringify(native[k])).map((k) => [k, ours[k], native[k]]),
        members: Object.keys(native).length,
        statics: ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'].map((k) => JSON.stringify(shape(WebSocket, k)) === JSON.stringify(shape(NativeWebSocket, k))),
        classChain: Object.getPrototypeOf(WebSocket) === EventTarget,
        prototypeChain: Object.getPrototypeOf(WebSocket.prototype) === EventTarget.prototype,
        name: [WebSocket.name, WebSocket.length],
        constructor: WebSocket.prototype.constructor === WebSocket && c.constructor === WebSocket,
        tags: [Object.prototype.toString.call(c), Object.prototype.toString.call(WebSocket.prototype), String(c)],
        instance: [c instanceof WebSocket, c instanceof EventTarget, Object.keys(c).length],
      };
      c.close();
      return r;
    });
    assert.deepEqual(got, {
      differences: [],
      members: got.members,
      statics: [true, true, true, true],
      classChain: true,
      prototypeChain: true,
      name: ['WebSocket', 1],
      constructor: true,
      tags: ['[object WebSocket]', '[object WebSocket]', '[object WebSocket]'],
      instance: [true, true, 0],
    });
    // url, readyState, bufferedAmount, four handlers, extensions, protocol,
    // close, send, binaryType, four constants, the class string.
    assert.ok(got.members >= 17, `${got.members} members compared`);
  });

  test(`missing arguments are TypeErrors, before any other check, as the engine's (${engine})`, async () => {
    const got = await ctx.page.evaluate(async () => {
      const count = (Class) => {
        const r = {};
        r.construct = thrown(() => new Class());
        const c = new Class(`${WS_BASE}/echo`);
        // CONNECTING: a state error would come next; the argument check first.
        r.sendConnecting = thrown(() => c.send());
        r.sendUndefined = thrown(() => c.send(undefined))?.name;
        c.close();
        r.sendClosing = thrown(() => c.send());
        return r;
      };
      return { ours: count(WebSocket), native: count(NativeWebSocket) };
    });
    for (const key of ['construct', 'sendConnecting', 'sendClosing']) {
      assert.equal(got.ours[key]?.name, 'TypeError', key);
      assert.equal(got.ours[key].typeError, true, key);
      assert.equal(got.native[key]?.name, 'TypeError', key);
    }
    assert.match(got.ours.construct.message, /1 argument required, but only 0 present/);
    // send(undefined) is an argument: the state check applies (CONNECTING).
    assert.equal(got.ours.sendUndefined, 'InvalidStateError');
    assert.equal(got.native.sendUndefined, 'InvalidStateError');
  });

  test(`a blocked port fails the connection, as the engine's: the constructor returns, then error, then close 1006 (${engine})`, async () => {
    const got = await ctx.page.evaluate(async () => {
      const out = {};
      for (const port of [1, 25, 6667]) {
        const url = `ws://127.0.0.1:${port}/`;
        const ours = new WebSocket(url);
        const native = new NativeWebSocket(url);
        const [oursSeen, nativeSeen] = await Promise.all([trace(ours, 2000), trace(native, 2000)]);
        out[port] = { url: ours.url, ours: oursSeen, native: nativeSeen };
      }
      return out;
    });
    for (const port of [1, 25, 6667]) {
      assert.equal(got[port].url, `ws://127.0.0.1:${port}/`);
      assert.deepEqual(got[port].ours, ['readyState 0', 'error', 'close 1006 false', 'readyState 3'], `port ${port}`);
      // WebKit's own socket fires no close after the error (README, engines).
      const native = engine === 'webkit' ? ['readyState 0', 'error', 'no close', 'readyState 3'] : got[port].ours;
      assert.deepEqual(got[port].native, native, `port ${port}: the engine's socket`);
    }
  });

  test(`send after close() and in onclose is discarded and counted, as the standard says (${engine})`, async () => {
    const got = await ctx.page.evaluate(async () => {
      const run = (Class, options) =>
        new Promise((resolve) => {
          const c = options ? new Class(`${WS_BASE}/echo`, [], options) : new Class(`${WS_BASE}/echo`);
          const r = { events: [] };
          c.onerror = () => r.events.push('error');
          c.onmessage = (e) => r.events.push(`message ${e.data}`);
          c.onopen = () => {
            c.close();
            r.afterClose = [c.readyState, typeof c.send('test'), c.bufferedAmount];
          };
          c.onclose = (e) => {
            r.events.push(`close ${e.code}`);
            r.inOnclose = [c.readyState, typeof c.send(new Uint8Array([1, 2, 3])), c.bufferedAmount];
            c.onclose = () => r.events.push('second close');
            setTimeout(() => {
              r.counted = [c.discardedSends ?? 'none', c.discardedBytes ?? 'none'];
              resolve(r);
            }, 50);
          };
        });
      return {
        native: await run(NativeWebSocket),
        plain: await run(WebSocket),
        reconnecting: await run(WebSocket, { reconnect: true }),
      };
    });
    // The standard: bufferedAmount grows by the bytes of each discarded
    // message. WebKit adds its frame overhead too (README, engines); a
    // plain client is the engine's socket, so it counts as the engine does.
    const expected = { events: ['close 1005'], afterClose: [2, 'undefined', 4], inOnclose: [3, 'undefined', 7] };
    if (engine !== 'webkit') assert.deepEqual(got.native, { ...expected, counted: ['none', 'none'] });
    assert.deepEqual(got.plain, { ...got.native, counted: [2, 7] });
    assert.deepEqual(got.reconnecting, { ...expected, counted: [2, 7] });
  });

  test(`with sendAfterClose: 'throw', a send after close() is an InvalidStateError and nothing is counted (${engine})`, async () => {
    const got = await ctx.page.evaluate(async () => {
      const run = (options) =>
        new Promise((resolve) => {
          const c = new WebSocket(`${WS_BASE}/echo`, [], { sendAfterClose: 'throw', ...options });
          const r = {};
          c.onopen = () => {
            c.close();
            r.afterClose = thrown(() => c.send('test'));
          };
          c.onclose = () => {
            r.inOnclose = thrown(() => c.send('test'));
            r.counted = [c.discardedSends, c.discardedBytes, c.bufferedAmount];
            resolve(r);
          };
        });
      return {
        plain: await run({}),
        reconnecting: await run({ reconnect: true }),
        badOption: thrown(() => new WebSocket(`${WS_BASE}/echo`, [], { sendAfterClose: 'drop' })),
      };
    });
    for (const kind of ['plain', 'reconnecting']) {
      assert.equal(got[kind].afterClose?.name, 'InvalidStateError', kind);
      assert.match(got[kind].afterClose.message, /CLOSING/, kind);
      assert.equal(got[kind].inOnclose?.name, 'InvalidStateError', kind);
      assert.match(got[kind].inOnclose.message, /CLOSED/, kind);
      assert.deepEqual(got[kind].counted, [0, 0, 0], kind);
    }
    assert.equal(got.badOption?.name, 'TypeError');
    assert.match(got.badOption.message, /sendAfterClose must be 'discard' or 'throw', not 'drop'/);
  });

  test(`page code that redefines the class's members (readyState, the listener methods) does not break its own work (${engine})`, async () => {
    const got = await ctx.page.evaluate(async () => {
      const proto = WebSocket.prototype;
      const keys = ['readyState', 'addEventListener', 'removeEventListener', 'dispatchEvent', 'url'];
      const saved = keys.map((key) => [key, Object.getOwnPropertyDescriptor(proto, key)]);
      const broken = () => {
        throw new Error('page code called');
      };
      // As web-platform-tests' readyState/004 does, and more.
      Object.defineProperty(proto, 'readyState', { get: () => 'redefined', configurable: true });
      Object.defineProperty(proto, 'url', { get: broken, configurable: true });
      for (const key of ['addEventListener', 'removeEventListener', 'dispatchEvent']) proto[key] = broken;
      const out = {};
      try {
        for (const [kind, options] of [['plain', undefined], ['reconnecting', { reconnect: true }]]) {
          const c = new WebSocket(`${WS_BASE}/echo`, [], options);
          out[kind] = await new Promise((resolve) => {
            const seen = [c.readyState];
            c.onopen = () => c.send(kind);
            c.onmessage = (e) => {
              seen.push(e.data);
              c.close(4000);
              c.send('after close');
            };
            c.onclose = (e) => {
              seen.push(e.code, c.readyState, c.discardedSends);
              resolve(seen);
            };
          });
        }
      } finally {
        for (const [key, descriptor] of saved) {
          if (descriptor) Object.defineProperty(proto, key, descriptor);
          else delete proto[key];
        }
      }
      const c = new WebSocket(`${WS_BASE}/hang`);
      out.restored = [c.readyState, c.dispatchEvent === EventTarget.prototype.dispatchEvent];
      c.close();
      return out;
    });
    assert.deepEqual(got, {
      plain: ['redefined', 'plain', 4000, 'redefined', 1],
      reconnecting: ['redefined', 'reconnecting', 4000, 'redefined', 1],
      restored: [0, true],
    });
  });

  test(`no page errors (${engine})`, async () => {
    assert.deepEqual(await ctx.page.problems(), []);
  });
});
