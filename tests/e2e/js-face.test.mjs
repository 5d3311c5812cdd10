// The JS class's behaviour rules, from JavaScript in Chromium: the same
// checks as the Rust face, with the browser's exception names, and the
// DOM behaviours a WebSocket user relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, usePackagePage } from './harness.mjs';

forEachEngine((engine) => {
  const ctx = usePackagePage({ engine, module: 'plain', setup: async () => {
    // Helpers used by the tests below.
    window.opened = (url = `${WS_BASE}/echo`, protocols = ['echo-protocol']) =>
      new Promise((resolve, reject) => {
        const c = new WSC(url, protocols);
        c.addEventListener('open', () => resolve(c), { once: true });
        c.addEventListener('close', (e) => reject(new Error(`closed ${e.code}`)), { once: true });
      });
    window.nextEvent = (c, type) => new Promise((resolve) => c.addEventListener(type, resolve, { once: true }));
    window.thrown = (fn) => {
      try {
        fn();
        return null;
      } catch (e) {
        return { name: e.name, message: e.message, dom: e instanceof DOMException, error: e instanceof Error };
      }
    };
  } });

  test('constants and initial attributes match the browser WebSocket', async () => {
    const got = await ctx.page.evaluate(() => {
      const c = new WSC(`${WS_BASE}/hang`);
      const r = {
        statics: [WSC.CONNECTING, WSC.OPEN, WSC.CLOSING, WSC.CLOSED],
        instance: [c.CONNECTING, c.OPEN, c.CLOSING, c.CLOSED],
        readyState: c.readyState,
        url: c.url,
        protocol: c.protocol,
        extensions: c.extensions,
        bufferedAmount: c.bufferedAmount,
        binaryType: c.binaryType,
        handlers: [c.onopen, c.onmessage, c.onclose, c.onerror],
      };
      // Close both: a socket left CONNECTING makes the browser hold back
      // later connections to the same host (the standard's throttling).
      const viaHttp = new WSC(`${WS_BASE.replace('ws', 'http')}/hang`);
      r.httpUrl = viaHttp.url;
      viaHttp.close();
      c.close();
      return r;
    });
    assert.deepEqual(got, {
      statics: [0, 1, 2, 3],
      instance: [0, 1, 2, 3],
      readyState: 0,
      url: `${ctx.server.ws}/hang`,
      protocol: '',
      extensions: '',
      bufferedAmount: 0,
      binaryType: 'blob',
      handlers: [null, null, null, null],
      httpUrl: `${ctx.server.ws}/hang`,
    });
  });

  test('invalid URLs and protocol lists throw SyntaxError DOMExceptions (a blocked port fails later: js-drop-in)', async () => {
    const got = await ctx.page.evaluate(() =>
      [
        () => new WSC('ws://127.0.0.1/#frag'),
        () => new WSC('ftp://127.0.0.1/'),
        () => new WSC('ws://[::1'),
        () => new WSC(`${WS_BASE}/echo`, ['a', 'a']),
        () => new WSC(`${WS_BASE}/echo`, ['']),
        () => new WSC(`${WS_BASE}/echo`, 'a b'),
        () => new WSC(`${WS_BASE}/echo`, ['ok', 'ünicode']),
      ].map(thrown),
    );
    const names = got.map((g) => g?.name);
    assert.deepEqual(names, Array(7).fill('SyntaxError'));
    assert.ok(got.every((g) => g.dom && g.error), 'DOMExceptions, which are Errors');
    assert.match(got[3].message, /subprotocol "a" is listed more than once/);
    assert.match(got[5].message, /subprotocol "a b" contains ' '/);
  });

  test('close codes and reasons are checked like the browser, code first', async () => {
    const got = await ctx.page.evaluate(async () => {
      const c = await opened();
      const results = [0, 999, 1001, 1005, 1006, 2999, 5000, 65536, -1, 66536].map((code) => thrown(() => c.close(code))?.name);
      const reason124 = thrown(() => c.close(1000, 'é'.repeat(62)));
      const codeFirst = thrown(() => c.close(2999, 'x'.repeat(200)));
      const stillOpen = c.readyState;
      const closed = nextEvent(c, 'close');
      c.close(4000, 'é'.repeat(61) + 'a'); // exactly 123 bytes
      const e = await closed;
      return { results, reason124, codeFirst, stillOpen, close: [e.code, e.reason.length, e.wasClean], type: e.constructor.name };
    });
    assert.deepEqual(got.results, Array(10).fill('InvalidAccessError'));
    assert.equal(got.reason124.name, 'SyntaxError');
    assert.match(got.reason124.message, /124 bytes/);
    assert.equal(got.codeFirst.name, 'InvalidAccessError');
    assert.equal(got.stillOpen, 1);
    assert.deepEqual(got.close, [4000, 62, true]);
    assert.equal(got.type, 'CloseEvent');
  });

  test('send before open throws InvalidStateError; after close it is discarded and counted, or throws with sendAfterClose: throw', async () => {
    const got = await ctx.page.evaluate(async () => {
      const run = async (options) => {
        const c = new WSC(`${WS_BASE}/echo`, 'echo-protocol', options);
        const early = thrown(() => c.send('too early'));
        await nextEvent(c, 'open');
        c.close();
        const closing = thrown(() => c.send('while closing'));
        await nextEvent(c, 'close');
        const late = thrown(() => c.send(new Uint8Array([1, 2])));
        return { early, closing, late, buffered: c.bufferedAmount, discarded: [c.discardedSends, c.discardedBytes] };
      };
      return { standard: await run(undefined), strict: await run({ sendAfterClose: 'throw' }) };
    });
    for (const kind of ['standard', 'strict']) {
      assert.equal(got[kind].early.name, 'InvalidStateError', kind);
      assert.match(got[kind].early.message, /CONNECTING/, kind);
    }
    // The standard's socket: no exception; the bytes go to bufferedAmount.
    assert.deepEqual([got.standard.closing, got.standard.late], [null, null]);
    // The engine's count (a plain client is its socket): WebKit adds a
    // 6-byte frame header per message (README, engines).
    assert.equal(got.standard.buffered, 'while closing'.length + 2 + (engine === 'webkit' ? 12 : 0));
    assert.deepEqual(got.standard.discarded, [2, 'while closing'.length + 2]);
    assert.equal(got.strict.closing.name, 'InvalidStateError');
    assert.match(got.strict.closing.message, /CLOSING/);
    assert.equal(got.strict.late.name, 'InvalidStateError');
    assert.match(got.strict.late.message, /CLOSED/);
    assert.equal(got.strict.buffered, 0);
    assert.deepEqual(got.strict.discarded, [0, 0]);
  });

  test('every send type round-trips, typed by binaryType, as the browser event objects', async () => {
    const got = await ctx.page.evaluate(async () => {
      const c = await opened();
      const received = [];
      c.onmessage = (e) => received.push(e);
      const bytes = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      const canvas = document.createElement('canvas');
      canvas.width = 4;
      canvas.height = 2;
      const image = canvas.getContext('2d').createImageData(4, 2);
      image.data.fill(200);
      c.send('text ✓');
      c.send(bytes.buffer);
      c.send(bytes.subarray(2, 5));
      c.send(new DataView(bytes.buffer, 8, 2));
      c.send(new Blob(['blob!']));
      c.send(new File([new Uint8Array([9, 9])], 'f.bin'));
      c.send(image);
      c.send(42); // not a binary type: sent as its string form, as the browser does
      while (received.length < 8) await new Promise((r) => setTimeout(r, 10));
      c.binaryType = 'arraybuffer';
      c.send(new Uint8Array([7]));
      while (received.length < 9) await new Promise((r) => setTimeout(r, 10));
      const describe = async (e) => {
        const d = e.data;
        if (typeof d === 'string') return ['string', d];
        const buf = d instanceof Blob ? await d.arrayBuffer() : d;
        return [d instanceof Blob ? 'Blob' : d.constructor.name, [...new Uint8Array(buf)]];
      };
      const out = [];
      for (const e of received) out.push(await describe(e));
      const first = received[0];
      c.close();
      return {
        out,
        isMessageEvent: first instanceof MessageEvent,
        type: first.type,
        targets: [first.target === c, first.currentTarget, first.srcElement === c],
        fields: { origin: first.origin, lastEventId: first.lastEventId, ports: first.ports, bubbles: first.bubbles, cancelable: first.cancelable },
      };
    });
    assert.deepEqual(got.out, [
      ['string', 'text ✓'],
      ['Blob', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
      ['Blob', [2, 3, 4]],
      ['Blob', [8, 9]],
      ['Blob', [...Buffer.from('blob!')]],
      ['Blob', [9, 9]],
      ['Blob', Array(32).fill(200)],
      ['string', '42'],
      ['ArrayBuffer', [7]],
    ]);
    assert.equal(got.isMessageEvent, true);
    assert.equal(got.type, 'message');
    // After dispatch currentTarget is null again, as for any DOM event.
    assert.deepEqual(got.targets, [true, null, true]);
    assert.deepEqual(got.fields, { origin: ctx.server.ws, lastEventId: '', ports: [], bubbles: false, cancelable: false });
  });

  test('listeners: order, handler slot, once, duplicates, removal, handleEvent objects', async () => {
    const got = await ctx.page.evaluate(async () => {
      const c = await opened();
      const log = [];
      const a = () => log.push('a');
      const obj = { handleEvent(e) { log.push(`obj:${this === obj}:${e.data}`); } };
      c.addEventListener('message', a);
      c.addEventListener('message', a); // duplicate: ignored
      c.onmessage = () => log.push('handler1');
      c.addEventListener('message', obj);
      c.addEventListener('message', () => log.push('once'), { once: true });
      c.onmessage = () => log.push('handler2'); // keeps the slot
      c.addEventListener('nonsense', a); // never fires
      c.send('1');
      await nextEvent(c, 'message');
      await new Promise((r) => setTimeout(r, 20));
      log.push('|');
      c.removeEventListener('message', a);
      c.onmessage = null;
      const handlerAfterNull = c.onmessage;
      c.onmessage = 'not a function'; // non-objects mean null
      const handlerAfterString = c.onmessage;
      c.send('2');
      await nextEvent(c, 'message');
      await new Promise((r) => setTimeout(r, 20));
      c.close();
      return { log, handlerAfterNull, handlerAfterString };
    });
    assert.deepEqual(got.log, ['a', 'handler2', 'obj:true:1', 'once', '|', 'obj:true:2']);
    assert.equal(got.handlerAfterNull, null);
    assert.equal(got.handlerAfterString, null);
  });

  test('a throwing listener is reported and the next listener still runs', async () => {
    const got = await ctx.page.evaluate(async () => {
      const reported = [];
      const onError = (e) => {
        reported.push(e.message);
        e.preventDefault();
      };
      window.addEventListener('error', onError);
      const c = await opened();
      const log = [];
      c.addEventListener('message', () => {
        throw new Error('listener failed');
      });
      c.addEventListener('message', (e) => log.push(e.data));
      c.send('still delivered');
      await new Promise((r) => setTimeout(r, 100));
      window.removeEventListener('error', onError);
      c.close();
      return { log, reported };
    });
    assert.deepEqual(got.log, ['still delivered']);
    assert.equal(got.reported.length, 1);
    assert.match(got.reported[0], /listener failed/);
  });

  test('binaryType ignores invalid values; close() inside onclose and twice are harmless', async () => {
    const got = await ctx.page.evaluate(async () => {
      const c = await opened();
      c.binaryType = 'text';
      const afterBad = c.binaryType;
      c.binaryType = 'arraybuffer';
      const afterGood = c.binaryType;
      const events = [];
      c.onclose = (e) => {
        events.push(e.code);
        c.close();
        c.close(1000, 'again');
      };
      c.close(4001, 'first');
      c.close(4002, 'second');
      await new Promise((r) => setTimeout(r, 200));
      return { afterBad, afterGood, events, state: c.readyState };
    });
    assert.deepEqual(got, { afterBad: 'blob', afterGood: 'arraybuffer', events: [4001], state: 3 });
  });

  test('failures: a refused handshake gives error then close 1006; a drop after open only close 1006', async () => {
    const got = await ctx.page.evaluate(async () => {
      const trace = (url) =>
        new Promise((resolve) => {
          const c = new WSC(url);
          const seen = [];
          c.onopen = () => seen.push('open');
          c.onerror = (e) => seen.push(`error:${e.type}`);
          c.onclose = (e) => {
            seen.push(`close:${e.code}:${e.wasClean}`);
            resolve(seen);
          };
        });
      return { refused: await trace(`${WS_BASE}/refuse`), dropped: await trace(`${WS_BASE}/drop?delay=30`) };
    });
    assert.deepEqual(got.refused, ['error:error', 'close:1006:false']);
    assert.deepEqual(got.dropped, ['open', 'close:1006:false']);
  });

  test('free() releases early: closes the connection, detaches the listeners; later sends are discarded and counted', async () => {
    const got = await ctx.page.evaluate(async () => {
      const c = await opened();
      const seen = [];
      c.onmessage = () => seen.push('message');
      c.onclose = () => seen.push('close');
      c.send('in flight');
      c.free();
      await new Promise((r) => setTimeout(r, 200));
      const afterFree = [c.readyState, thrown(() => c.send('x')), c.discardedSends, c.url, c.protocol];
      c.free(); // twice is harmless
      return { seen, afterFree };
    });
    assert.deepEqual(got.seen, []);
    assert.deepEqual(got.afterFree, [3, null, 1, `${ctx.server.ws}/echo`, 'echo-protocol']);
  });

  test('after the final close the attributes keep their values and the checks still apply', async () => {
    const got = await ctx.page.evaluate(async () => {
      const c = await opened();
      c.binaryType = 'arraybuffer';
      const inHandler = new Promise((resolve) => {
        c.onclose = () => resolve([c.readyState, c.protocol, c.bufferedAmount]);
      });
      c.close(4000, 'done');
      const during = await inHandler;
      c.binaryType = 'nonsense'; // ignored
      const binaryType = c.binaryType;
      c.binaryType = 'blob';
      const drained = await c.drain().then(() => 'resolved', (e) => e.name);
      return {
        during,
        after: [c.readyState, c.url, c.protocol, c.extensions, c.bufferedAmount, binaryType, c.binaryType],
        badCode: thrown(() => c.close(999))?.name,
        longReason: thrown(() => c.close(1000, 'x'.repeat(124)))?.name,
        again: thrown(() => c.close(1000)),
        send: [thrown(() => c.send('late')), c.discardedSends, c.bufferedAmount],
        drained,
      };
    });
    assert.deepEqual(got.during, [3, 'echo-protocol', 0]);
    assert.deepEqual(got.after, [3, `${ctx.server.ws}/echo`, 'echo-protocol', '', 0, 'arraybuffer', 'blob']);
    assert.equal(got.badCode, 'InvalidAccessError');
    assert.equal(got.longReason, 'SyntaxError');
    assert.equal(got.again, null);
    assert.deepEqual(got.send, [null, 1, engine === 'webkit' ? 10 : 4]);
    assert.equal(got.drained, 'InvalidStateError');
    assert.deepEqual(await ctx.page.problems(), []);
  });

  test('one behaviour in every engine: no offered protocol selected fails the connection; the empty URL is the page', async () => {
    const got = await ctx.page.evaluate(async () => {
      const c = new WSC(`${WS_BASE}/echo`, ['not-echo']);
      const events = [];
      c.onopen = () => events.push('open');
      c.onerror = (e) => events.push(`error ${e.target === c}`);
      const close = await new Promise((resolve) => (c.onclose = resolve));
      events.push(`close ${close.code} ${close.wasClean}`);
      const opened = await c.opened.then(() => 'resolved', (e) => e.name);
      await sleep(200); // nothing of the engine's own follows
      const empty = new WSC('');
      const emptyUrl = empty.url;
      empty.close();
      return { events, opened, state: c.readyState, protocol: c.protocol, emptyUrl, page: location.href };
    });
    assert.deepEqual(got.events, ['error true', 'close 1006 false']);
    assert.equal(got.opened, 'NetworkError');
    assert.equal(got.state, 3);
    assert.equal(got.protocol, '');
    assert.equal(got.emptyUrl, got.page.replace(/^http/, 'ws').replace(/#.*$/, ''));
  });

  test('opened and closed are promises: the same each read, settled by the connection', async () => {
    const got = await ctx.page.evaluate(async () => {
      const c = new WSC(`${WS_BASE}/echo`, 'echo-protocol');
      const same = c.opened === c.opened && c.closed === c.closed;
      await c.opened;
      const stateAtOpen = c.readyState;
      const lateOpened = await c.opened.then(() => 'resolved'); // read again after open
      c.close(4005, 'promised');
      const e = await c.closed;
      const lateClosed = await c.closed;
      return { same, stateAtOpen, lateOpened, close: [e.code, e.reason, e.wasClean, e instanceof CloseEvent], again: lateClosed === e };
    });
    assert.deepEqual(got, { same: true, stateAtOpen: 1, lateOpened: 'resolved', close: [4005, 'promised', true, true], again: true });
  });

  test('closed settles after the close listeners ran; a close nothing listened for reads as 1005, unclean', async () => {
    const got = await ctx.page.evaluate(async () => {
      const c = new WSC(`${WS_BASE}/echo`, 'echo-protocol');
      const order = [];
      c.onclose = (e) => order.push(`listener ${e.code}`);
      await c.opened;
      c.close(4006);
      order.push(`closed ${(await c.closed).code}`);
      // Open with no listener and no pending promise: the client keeps no
      // listener of its own either (one would keep the socket alive), so
      // the server's close (4001, after 100 ms) goes unseen.
      const quiet = new WSC(`${WS_BASE}/close?code=4001&reason=unseen&delay=100`);
      await quiet.opened;
      while (quiet.readyState !== WSC.CLOSED) await sleep(20);
      const late = await quiet.closed;
      return { order, late: [late.code, late.reason, late.wasClean, late instanceof CloseEvent] };
    });
    assert.deepEqual(got.order, ['listener 4006', 'closed 4006']);
    assert.deepEqual(got.late, [1005, '', false, true]);
  });

  test('opened rejects with a NetworkError when the connection fails', async () => {
    const got = await ctx.page.evaluate(async () => {
      const c = new WSC(`${WS_BASE}/refuse`);
      const early = await c.opened.then(() => 'resolved', (e) => [e.name, e.message, e instanceof DOMException]);
      const closeCode = (await c.closed).code;
      const late = new WSC(`${WS_BASE}/refuse`);
      await late.closed;
      const afterward = await late.opened.then(() => 'resolved', (e) => e.name); // first read after the failure
      return { early, closeCode, afterward };
    });
    assert.equal(got.early[0], 'NetworkError');
    assert.match(got.early[1], /connection failed: closed with code 1006, not clean/);
    assert.equal(got.early[2], true);
    assert.equal(got.closeCode, 1006);
    assert.equal(got.afterward, 'NetworkError');
  });

  test('drain() lets a producer keep bufferedAmount near the high-water mark; every byte returns', async () => {
    const got = await ctx.page.evaluate(async () => {
      const CHUNK = 1 << 20;
      const HW = 1 << 20;
      const c = new WSC(`${WS_BASE}/echo`, 'echo-protocol', { binaryType: 'arraybuffer', highWaterMark: HW });
      await c.opened;
      let received = 0;
      let inOrder = true;
      let next = 0;
      c.onmessage = (e) => {
        received += e.data.byteLength;
        if (new Uint8Array(e.data)[0] !== next++ % 256) inOrder = false;
      };
      let peak = 0;
      const chunk = new Uint8Array(CHUNK);
      for (let i = 0; i < 64; i++) {
        await c.drain();
        chunk.fill(i % 256);
        c.send(chunk);
        peak = Math.max(peak, c.bufferedAmount);
      }
      while (received < 64 * CHUNK) await new Promise((r) => setTimeout(r, 10));
      c.close();
      await c.closed;
      const rejected = await c.drain().then(() => 'resolved', (e) => e.name);
      const badLimit = (() => { try { c.drain(-1); return 'no error'; } catch (e) { return e.name; } })();
      return { received, inOrder, peak, limit: HW + CHUNK, rejected, badLimit };
    });
    assert.equal(got.received, 64 * (1 << 20));
    assert.equal(got.inOrder, true);
    assert.ok(got.peak <= got.limit, `peak ${got.peak} > ${got.limit}`);
    assert.ok(got.peak > 0);
    assert.equal(got.rejected, 'InvalidStateError');
    assert.equal(got.badLimit, 'RangeError');
  });

  test('bad-input catalogue from JS: odd URLs, case-only duplicate protocols, lone surrogates, 64 MiB, protocol violation', async () => {
    const got = await ctx.page.evaluate(async () => {
      const out = {};
      out.relative = new WSC('/echo').url;
      out.empty = new WSC('').url;
      const spaced = new WSC(`${WS_BASE}/echo with space`);
      out.spaced = spaced.url;
      await spaced.opened;
      spaced.close();
      const cased = new WSC(`${WS_BASE}/first-protocol`, ['chat', 'Chat']);
      await cased.opened;
      out.cased = cased.protocol;
      cased.close();

      const echo = new WSC(`${WS_BASE}/echo`, 'echo-protocol');
      await echo.opened;
      const reply = new Promise((r) => echo.addEventListener('message', (e) => r(e.data), { once: true }));
      echo.send('\uD800a');
      out.surrogate = await reply;
      echo.send(new Uint8Array(64 << 20));
      const big = await echo.closed;
      out.big = [big.code, echo.readyState];
      out.afterBig = [thrown(() => echo.send('after')), echo.discardedSends];

      const violator = new WSC(`${WS_BASE}/violate?delay=20`);
      const seen = [];
      violator.onopen = () => seen.push('open');
      violator.onerror = () => seen.push('error');
      violator.onclose = (e) => seen.push(`close ${e.code} ${e.wasClean}`);
      await violator.closed;
      out.violation = seen;
      return out;
    });
    assert.equal(got.relative, `${ctx.server.ws}/echo`);
    assert.equal(got.empty, `${ctx.server.ws}/`);
    assert.equal(got.spaced, `${ctx.server.ws}/echo%20with%20space`);
    assert.equal(got.cased, 'chat');
    assert.equal(got.surrogate, '\uFFFDa');
    assert.deepEqual(got.big, [1009, 3]);
    assert.deepEqual(got.afterBig, [null, 1]);
    assert.deepEqual(got.violation, ['open', 'error', 'close 1006 false']);
  });
});
