// WebSocketClient as a drop-in for the browser's WebSocket: the page sets
// `globalThis.WebSocket = WebSocketClient` before it loads third-party
// client libraries, which then call `new WebSocket(...)` unchanged and run
// on our class, in every engine:
// - socket.io-client 4 (websocket transport only) against a socket.io
//   server: connect, an emit with an ack, a server push, a binary round
//   trip, and a server-side drop followed by the library's own reconnect;
// - graphql-ws 6 (createClient) against a graphql-ws server (ws +
//   graphql): a query, two subscriptions in order, dispose (the server sees
//   the socket close cleanly).
// Both libraries are bundled from node_modules by esbuild into
// test-output/third-party.js and run in the page through evaluate (the
// demo page's CSP admits no other script). The servers run in this
// process on one ephemeral 127.0.0.1 port that also passes every other
// request to the project's server (server/server.js), so the page is the
// project's demo page with its own CSP, whose connect-src 'self' admits
// sockets to that one origin only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { build } from 'esbuild';
import { Server as SocketIOServer } from 'socket.io';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { ROOT, forEachEngine, launch, outputFile, startFrontServer, startServer } from './harness.mjs';

/** The browser builds of both libraries, as one IIFE that sets `globalThis.ThirdParty`. */
async function bundleLibraries() {
  const outfile = outputFile('third-party.js');
  await build({
    stdin: {
      contents: "export { io } from 'socket.io-client';\nexport { createClient } from 'graphql-ws/client';\n",
      resolveDir: ROOT,
      loader: 'js',
    },
    bundle: true,
    format: 'iife',
    globalName: 'ThirdParty',
    platform: 'browser',
    target: ['es2020'],
    define: { 'process.env.NODE_ENV': '"production"' },
    outfile,
    logLevel: 'silent',
  });
  return fs.readFileSync(outfile, 'utf8');
}

// Built once, at the start; run in each page by evaluate. The function is
// never called here: the page drivers send its source text.
// eslint-disable-next-line no-new-func
const LOAD_LIBRARIES = new Function(`${await bundleLibraries()}\nglobalThis.ThirdParty = ThirdParty;`);

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      hello: {
        type: GraphQLString,
        args: { name: { type: new GraphQLNonNull(GraphQLString) } },
        resolve: (_, { name }) => `Hello, ${name}!`,
      },
      add: {
        type: GraphQLInt,
        args: { a: { type: new GraphQLNonNull(GraphQLInt) }, b: { type: new GraphQLNonNull(GraphQLInt) } },
        resolve: (_, { a, b }) => a + b,
      },
    },
  }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      countdown: {
        type: GraphQLInt,
        args: { from: { type: new GraphQLNonNull(GraphQLInt) } },
        subscribe: async function* (_, { from }) {
          for (let i = from; i >= 0; i--) {
            await new Promise((r) => setTimeout(r, 10));
            yield { countdown: i };
          }
        },
      },
      word: {
        type: GraphQLString,
        args: { text: { type: new GraphQLNonNull(GraphQLString) } },
        subscribe: async function* (_, { text }) {
          for (const word of text.split(' ')) {
            await new Promise((r) => setTimeout(r, 7));
            yield { word };
          }
        },
      },
    },
  }),
});

/**
 * The test's own server on an ephemeral 127.0.0.1 port: socket.io at
 * /socket.io/ (websocket transport only), graphql-ws at /graphql, and
 * every other request passed to the project's server at `projectPort`.
 * `state` records what the servers saw.
 */
async function startLibraryServers(projectPort) {
  const state = { sio: { connections: 0, transports: [], received: [], disconnects: [] }, gql: { sockets: 0, protocols: [], closes: [], acked: 0, completed: [] } };
  const upgraded = new Set();
  const front = await startFrontServer(projectPort);
  const http_ = front.server;

  const io = new SocketIOServer(http_, { transports: ['websocket'], serveClient: false, destroyUpgrade: false });
  io.on('connection', (socket) => {
    state.sio.connections++;
    state.sio.transports.push(socket.conn.transport.name);
    socket.on('disconnect', (reason) => state.sio.disconnects.push(reason));
    socket.emit('welcome', { connection: state.sio.connections, text: 'welcome ✓' });
    socket.on('sum', (numbers, ack) => ack({ sum: numbers.reduce((a, b) => a + b, 0), count: numbers.length }));
    socket.on('bytes', (bytes, ack) => {
      const got = Buffer.from(bytes);
      state.sio.received.push([...got]);
      ack(Buffer.from(got).reverse());
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (socket) => {
    state.gql.sockets++;
    state.gql.protocols.push(socket.protocol);
    socket.on('close', (code, reason) => state.gql.closes.push([code, reason.toString()]));
  });
  useServer(
    {
      schema,
      onConnect: () => {
        state.gql.acked++;
        return true;
      },
      onComplete: (_ctx, id) => state.gql.completed.push(id),
    },
    wss,
  );
  http_.on('upgrade', (req, socket, head) => {
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    const { pathname } = new URL(req.url, 'http://x');
    if (pathname === '/graphql') wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    else if (!pathname.startsWith('/socket.io/')) socket.destroy();
    // /socket.io/: socket.io's own upgrade listener takes it.
  });

  return {
    state,
    io,
    base: front.base,
    ws: front.ws,
    async close() {
      for (const socket of upgraded) socket.destroy();
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
      http_.closeAllConnections();
      await new Promise((resolve) => io.close(resolve)); // closes http_ too
    },
  };
}

/** Polls `fn` in Node until it returns a truthy value or `ms` pass. */
async function until(what, fn, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

forEachEngine((engine) => {
  const ctx = {};
  before(async () => {
    ctx.project = await startServer();
    ctx.servers = await startLibraryServers(ctx.project.port);
    ctx.browser = await launch(engine);
    ctx.page = await ctx.browser.newPage();
    // The project's demo page (and its CSP), through the test's server.
    await ctx.page.goto(`${ctx.servers.base}/`);
    await ctx.page.waitForSelector('body[data-ready=true]');
    const installed = await ctx.page.evaluate(async ([http, ws]) => {
      const mod = await import('/pkg/index.js');
      await mod.default();
      window.WSC = mod.WebSocketClient;
      window.NativeWebSocket = globalThis.WebSocket;
      // The drop-in install, before any library is loaded.
      globalThis.WebSocket = mod.WebSocketClient;
      window.HTTP_BASE = http;
      window.WS_BASE = ws;
      // Settles with `promise`, or rejects after `ms` naming `what`.
      window.within = (what, promise, ms = 10_000) =>
        Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms))]);
      return { global: globalThis.WebSocket === mod.WebSocketClient, name: globalThis.WebSocket.name };
    }, [ctx.servers.base, ctx.servers.ws]);
    assert.deepEqual(installed, { global: true, name: 'WebSocket' });
    await ctx.page.evaluate(LOAD_LIBRARIES);
    assert.deepEqual(await ctx.page.evaluate(() => [typeof ThirdParty.io, typeof ThirdParty.createClient]), ['function', 'function']);
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.servers?.close();
    await ctx.project?.close();
  });

  test(`socket.io-client connects over a WebSocketClient, gets the server's push and answers an emit with an ack (${engine})`, async () => {
    const got = await ctx.page.evaluate(async () => {
      const socket = ThirdParty.io(HTTP_BASE, {
        transports: ['websocket'],
        autoConnect: false,
        reconnectionDelay: 100,
        reconnectionDelayMax: 200,
        timeout: 5000,
      });
      window.sio = { socket, events: [], welcomes: [], news: [], sockets: [] };
      socket.on('welcome', (payload) => sio.welcomes.push(payload));
      socket.on('news', (payload) => sio.news.push(payload));
      socket.on('connect', () => {
        sio.events.push(['connect', socket.io.engine.transport.name]);
        sio.sockets.push(socket.io.engine.transport.ws);
      });
      socket.on('disconnect', (reason) => sio.events.push(['disconnect', reason]));
      socket.on('connect_error', (e) => sio.events.push(['connect_error', String(e && e.message)]));
      socket.io.on('reconnect', (attempt) => sio.events.push(['reconnect', attempt]));
      const connected = new Promise((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', (e) => reject(new Error(`connect_error: ${e && e.message}`)));
      });
      socket.connect();
      await within('the socket.io connection', connected);
      await within('the welcome push', new Promise((r) => (sio.welcomes.length ? r() : socket.once('welcome', r))));
      const ws = socket.io.engine.transport.ws;
      const ack = await within('the ack', socket.timeout(5000).emitWithAck('sum', [1, 2, 3, 36]));
      return {
        connected: socket.connected,
        transport: socket.io.engine.transport.name,
        isOurs: ws instanceof WSC,
        prototypeIsOurs: Object.getPrototypeOf(ws) === WSC.prototype,
        constructorName: ws.constructor.name,
        tag: Object.prototype.toString.call(ws),
        readyState: ws.readyState,
        binaryType: ws.binaryType,
        url: new URL(ws.url).pathname,
        welcomes: sio.welcomes,
        ack,
        events: sio.events,
      };
    });
    assert.deepEqual(got, {
      connected: true,
      transport: 'websocket',
      isOurs: true,
      prototypeIsOurs: true,
      constructorName: 'WebSocket',
      tag: '[object WebSocket]',
      readyState: 1,
      binaryType: 'arraybuffer',
      url: '/socket.io/',
      welcomes: [{ connection: 1, text: 'welcome ✓' }],
      ack: { sum: 42, count: 4 },
      events: [['connect', 'websocket']],
    });
    assert.equal(ctx.servers.state.sio.connections, 1);
    assert.deepEqual(ctx.servers.state.sio.transports, ['websocket']);

    // A push the server sends when the test says so.
    const payload = { headline: 'pushed by the server', at: 1234567890, tags: ['a', 'ü', '✓'], nested: { ok: true, none: null } };
    ctx.servers.io.emit('news', payload);
    const news = await ctx.page.evaluate(async () => {
      await within('the news push', new Promise((r) => (sio.news.length ? r() : sio.socket.once('news', r))));
      return sio.news;
    });
    assert.deepEqual(news, [payload]);
  });

  test(`socket.io-client sends and receives binary payloads byte for byte (${engine})`, async () => {
    const got = await ctx.page.evaluate(async () => {
      const bytes = new Uint8Array(256).map((_, i) => i);
      const reply = await within('the binary ack', sio.socket.timeout(5000).emitWithAck('bytes', bytes));
      return {
        kind: Object.prototype.toString.call(reply),
        bytes: Array.from(new Uint8Array(reply)),
      };
    });
    const sent = Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual(ctx.servers.state.sio.received, [sent]);
    assert.equal(got.kind, '[object ArrayBuffer]');
    assert.deepEqual(got.bytes, sent.slice().reverse());
  });

  test(`socket.io-client reconnects by itself after the server drops the connection, on a new WebSocketClient (${engine})`, async () => {
    const [serverSocket] = ctx.servers.io.sockets.sockets.values();
    assert.equal(ctx.servers.io.sockets.sockets.size, 1);
    // The transport closed by the server, as a lost connection: the
    // library's reconnection takes over (a socket.disconnect() would not
    // reconnect, by socket.io's design).
    serverSocket.conn.close();
    await until('the second socket.io connection', () => ctx.servers.state.sio.connections === 2);
    const got = await ctx.page.evaluate(async () => {
      await within('the reconnection', new Promise((r) => (sio.events.some(([e]) => e === 'reconnect') ? r() : sio.socket.io.once('reconnect', r))));
      await within('the second welcome', new Promise((r) => (sio.welcomes.length > 1 ? r() : sio.socket.once('welcome', r))));
      const ack = await within('the ack after reconnecting', sio.socket.timeout(5000).emitWithAck('sum', [40, 2]));
      const [first, second] = sio.sockets;
      return {
        connected: sio.socket.connected,
        events: sio.events,
        welcomes: sio.welcomes.map((w) => w.connection),
        ack,
        sockets: sio.sockets.length,
        bothOurs: first instanceof WSC && second instanceof WSC,
        distinct: first !== second,
        firstState: first.readyState,
        secondState: second.readyState,
        current: sio.socket.io.engine.transport.ws === second,
      };
    });
    assert.deepEqual(got, {
      connected: true,
      events: [
        ['connect', 'websocket'],
        ['disconnect', 'transport close'],
        ['reconnect', 1],
        ['connect', 'websocket'],
      ],
      welcomes: [1, 2],
      ack: { sum: 42, count: 2 },
      sockets: 2,
      bothOurs: true,
      distinct: true,
      firstState: 3,
      secondState: 1,
      current: true,
    });
    assert.equal(ctx.servers.state.sio.connections, 2);
    assert.deepEqual(ctx.servers.state.sio.transports, ['websocket', 'websocket']);
    assert.equal(ctx.servers.state.sio.disconnects.length, 1);

    // The client leaves; the server sees it go.
    await ctx.page.evaluate(() => {
      sio.socket.disconnect();
    });
    await until('the server to see the client leave', () => ctx.servers.state.sio.disconnects.length === 2);
    assert.equal(ctx.servers.state.sio.disconnects[1], 'client namespace disconnect');
    assert.equal(ctx.servers.io.sockets.sockets.size, 0);
  });

  test(`graphql-ws runs a query and two subscriptions over one WebSocketClient, and dispose closes it (${engine})`, async () => {
    const got = await ctx.page.evaluate(async () => {
      const gql = { connected: [], closed: [], errors: [] };
      window.gql = gql;
      const client = ThirdParty.createClient({
        url: `${WS_BASE}/graphql`,
        lazy: false,
        retryAttempts: 0,
        onNonLazyError: (e) => gql.errors.push(String((e && (e.message || e.reason || e.code)) ?? e)),
        on: {
          connected: (socket) => gql.connected.push(socket),
          closed: (e) => gql.closed.push([e.code, e.reason]),
          error: (e) => gql.errors.push(String((e && (e.message || e.type)) ?? e)),
        },
      });
      // Every value of one operation, in order, once it completes.
      const run = (payload) =>
        within(
          `the operation ${payload.query}`,
          new Promise((resolve, reject) => {
            const values = [];
            client.subscribe(payload, {
              next: (value) => values.push(value),
              error: (e) => reject(new Error(`operation failed: ${JSON.stringify(e && (e.message ? e.message : e.code ? [e.code, e.reason] : e))} ${gql.errors.join('; ')}`)),
              complete: () => resolve(values),
            });
          }),
        );
      const query = await run({ query: 'query Q($name: String!) { hello(name: $name) add(a: 2, b: 40) }', variables: { name: 'wasm-websocket' } });
      const [countdown, words] = await Promise.all([
        run({ query: 'subscription { countdown(from: 4) }' }),
        run({ query: 'subscription { word(text: "one two three") }' }),
      ]);
      const socket = gql.connected[0];
      const beforeDispose = {
        connections: gql.connected.length,
        isOurs: socket instanceof WSC,
        constructorName: socket.constructor.name,
        protocol: socket.protocol,
        readyState: socket.readyState,
      };
      await client.dispose();
      await within('the close after dispose', new Promise((r) => {
        const check = () => (gql.closed.length ? r() : setTimeout(check, 5));
        check();
      }));
      return { query, countdown, words, beforeDispose, closed: gql.closed, afterDispose: socket.readyState, errors: gql.errors };
    });
    assert.deepEqual(got.query, [{ data: { hello: 'Hello, wasm-websocket!', add: 42 } }]);
    assert.deepEqual(got.countdown, [4, 3, 2, 1, 0].map((countdown) => ({ data: { countdown } })));
    assert.deepEqual(got.words, ['one', 'two', 'three'].map((word) => ({ data: { word } })));
    assert.deepEqual(got.beforeDispose, { connections: 1, isOurs: true, constructorName: 'WebSocket', protocol: 'graphql-transport-ws', readyState: 1 });
    assert.deepEqual(got.closed, [[1000, 'Normal Closure']]);
    assert.equal(got.afterDispose, 3);
    assert.deepEqual(got.errors, []);
    // The server: one socket for the three operations, acknowledged once,
    // each operation completed, and the socket closed cleanly by dispose.
    await until('the server to see the graphql-ws socket close', () => ctx.servers.state.gql.closes.length === 1);
    assert.equal(ctx.servers.state.gql.sockets, 1);
    assert.deepEqual(ctx.servers.state.gql.protocols, ['graphql-transport-ws']);
    assert.equal(ctx.servers.state.gql.acked, 1);
    assert.equal(ctx.servers.state.gql.completed.length, 3);
    assert.deepEqual(ctx.servers.state.gql.closes, [[1000, 'Normal Closure']]);
  });

  test(`no page errors (${engine})`, async () => {
    assert.deepEqual(await ctx.page.problems(), []);
  });
});
