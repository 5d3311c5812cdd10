// init() and the package's three wasm modules, in every engine: init()
// loads only the plain module (a plain client and a plain stream work,
// `reconnect` is refused with a clear error and nothing is connected),
// init({ reconnect: true }) loads the full one on the same page without
// breaking the clients made before (and init({ delivery: true }) the
// delivery one, which alone takes `delivery`), and a client made before any init()
// gets a clear error instead of a TypeError from the glue; a protocols
// argument that is a number is one protocol, as WebIDL converts it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, launch, startServer } from './harness.mjs';

forEachEngine((engine) => {
  const ctx = {};
  before(async () => {
    ctx.server = await startServer();
    ctx.browser = await launch(engine);
    ctx.page = await ctx.browser.newPage();
    // A page of the server that loads nothing of the package (its 404).
    await ctx.page.goto(`${ctx.server.base}/a-page-without-the-package`);
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
  });

  test(`init() loads the plain module; init({ reconnect: true }) the full one, and earlier clients keep working (${engine})`, async () => {
    const got = await ctx.page.evaluate(async (ws) => {
      const mod = await import('/pkg/index.js');
      const fetched = () => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname).filter((p) => p.endsWith('.wasm'));
      const failure = (fn) => {
        try {
          fn();
          return null;
        } catch (e) {
          return { name: e.name, message: e.message };
        }
      };
      const echo = (client, text) =>
        new Promise((resolve, reject) => {
          client.addEventListener('message', (e) => resolve(e.data), { once: true });
          client.addEventListener('close', (e) => reject(new Error(`closed ${e.code}`)), { once: true });
          client.send(text);
        });
      const r = {};
      r.beforeInit = failure(() => new mod.WebSocketClient(`${ws}/echo`));
      performance.clearResourceTimings();
      await mod.default();
      r.plainFetched = fetched();
      const plain = new mod.WebSocketClient(`${ws}/echo`, 'echo-protocol');
      await plain.opened;
      r.plainEcho = await echo(plain, 'plain module');
      r.reconnectRefused = failure(() => new mod.WebSocketClient(`${ws}/echo`, [], { reconnect: true }));
      r.deliveryRefusedPlain = failure(() => new mod.WebSocketClient(`${ws}/echo`, [], { delivery: true }));
      r.plainDelivery = [plain.delivery, plain.lastMessageId];
      r.streamRefused = failure(() => new mod.WebSocketStream(`${ws}/echo`, { reconnect: true }));
      const stream = new mod.WebSocketStream(`${ws}/echo`, { protocols: ['echo-protocol'] });
      const { readable, writable } = await stream.opened;
      await writable.getWriter().write('plain stream');
      r.streamEcho = (await readable.getReader().read()).value;
      stream.close();
      r.badClose = failure(() => plain.close(1001));
      performance.clearResourceTimings();
      await mod.default({ reconnect: true });
      r.fullFetched = fetched();
      r.afterUpgrade = await echo(plain, 'still the plain client');
      const resilient = new mod.WebSocketClient(`${ws}/echo`, 'echo-protocol', { reconnect: true });
      await resilient.opened;
      r.resilientEcho = await echo(resilient, 'full module');
      r.retryCount = resilient.retryCount;
      // A protocols argument that is not a string or a list is one string
      // (WebIDL), for both kinds: "5" offered, and selected by the server.
      const numbered = [new mod.WebSocketClient(`${ws}/first-protocol`, 5), new mod.WebSocketClient(`${ws}/first-protocol`, 5, { reconnect: true })];
      await Promise.all(numbered.map((c) => c.opened));
      r.numberProtocol = numbered.map((c) => c.protocol);
      numbered.forEach((c) => c.close());
      // Asking for the plain module again keeps the full one.
      await mod.default();
      r.stillFull = failure(() => new mod.WebSocketClient(`${ws}/echo`, [], { reconnect: true }).close());
      // Delivery needs its own module; the full one refuses it and says delivery is off.
      r.deliveryRefusedFull = failure(() => new mod.WebSocketClient(`${ws}/delivery`, [], { delivery: true }));
      r.fullDelivery = [resilient.delivery, resilient.lastMessageId];
      performance.clearResourceTimings();
      await mod.default({ delivery: true });
      r.deliveryFetched = fetched();
      r.afterDelivery = await echo(resilient, 'still the full client');
      const delivering = new mod.WebSocketClient(`${ws}/delivery`, [], { delivery: true });
      r.deliveryEcho = await echo(delivering, 'delivery module');
      r.deliveryState = [delivering.delivery, delivering.lastMessageId, delivering.retryCount];
      delivering.close();
      // Asking for the full module again keeps the delivery one.
      await mod.default({ reconnect: true });
      r.stillDelivery = failure(() => new mod.WebSocketClient(`${ws}/delivery`, [], { delivery: true }).close());
      plain.close(1000, 'done');
      resilient.close(1000, 'done');
      r.closes = [(await plain.closed).code, (await resilient.closed).code];
      return r;
    }, ctx.server.ws);
    assert.deepEqual(got.beforeInit, { name: 'InvalidStateError', message: 'wasm-websocket: call (and await) init() before creating a client' });
    assert.deepEqual(got.plainFetched, ['/pkg/wasm_websocket_plain_bg.wasm']);
    assert.equal(got.plainEcho, 'plain module');
    const refused = { name: 'NotSupportedError', message: 'wasm-websocket: reconnect needs the full module: call (and await) init({ reconnect: true }) first' };
    assert.deepEqual(got.reconnectRefused, refused);
    assert.deepEqual(got.streamRefused, refused);
    assert.equal(got.streamEcho, 'plain stream');
    assert.equal(got.badClose.name, 'InvalidAccessError');
    assert.match(got.badClose.message, /^close code 1001 is not allowed/);
    assert.deepEqual(got.fullFetched, ['/pkg/wasm_websocket_bg.wasm']);
    assert.equal(got.afterUpgrade, 'still the plain client');
    assert.equal(got.resilientEcho, 'full module');
    assert.equal(got.retryCount, 0);
    assert.deepEqual(got.numberProtocol, ['5', '5']);
    assert.equal(got.stillFull, null);
    assert.deepEqual(got.closes, [1000, 1000]);
    // Delivery: refused without its module (a plain page: the full module is missing first).
    assert.deepEqual(got.deliveryRefusedPlain, refused);
    assert.deepEqual(got.plainDelivery, ['off', 0]);
    assert.deepEqual(got.deliveryRefusedFull, { name: 'NotSupportedError', message: 'wasm-websocket: delivery needs init({ delivery: true })' });
    assert.deepEqual(got.fullDelivery, ['off', 0]);
    assert.deepEqual(got.deliveryFetched, ['/pkg/wasm_websocket_delivery_bg.wasm']);
    assert.equal(got.afterDelivery, 'still the full client');
    assert.equal(got.deliveryEcho, 'delivery module');
    assert.deepEqual(got.deliveryState, ['on', 1, 0]);
    assert.equal(got.stillDelivery, null);
  });
});
