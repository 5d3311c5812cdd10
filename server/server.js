// The echo/test server: the seed's `echo-protocol` echo server, rebuilt on
// the maintained `ws` package, plus the endpoints the browser tests need
// (in the spirit of the web-platform-tests WebSocket handlers). It also
// serves the demo page (www/) and the built package (pkg/) on one port.
//
//   node server/server.js         PORT (8080), HOST (127.0.0.1),
//                                 ALLOWED_ORIGINS (comma list, or *),
//                                 MAX_PAYLOAD (bytes, 16 MiB), CHAT_NOTICE_MS,
//                                 CHAT_HELLO_WAIT_MS (ms a chat connection may
//                                 take to say HELLO before it is plain, 1000)
//
// WebSocket endpoints (query parameters in brackets):
//   /, /echo            echo text as text and binary as binary
//   /close [code, reason, delay]   server closes with that code and reason
//   /drop [delay]       abrupt TCP drop after open (client sees 1006)
//   /refuse [status]    handshake answered with an HTTP error (default 403)
//   /first-protocol     selects the first protocol the client offers
//   /silent             accepts, then never sends anything
//   /room/<name> [nick] a chat room (server/chat-room.js); GET
//                       /control/notice?room=R&text=T pushes a notice to it
//   /delivery [key]     echo with end-to-end delivery (docs/delivery.md, the
//                       DeliveryServer of src/js/server.js): each message of
//                       the client's session is sent back through it, text as
//                       text, binary as binary, exactly once across
//                       reconnects. A client that does not open with HELLO
//                       (or says nothing for 1 s) gets a plain echo. What the
//                       session's window and backlog cannot take yet waits in
//                       a queue of its own, sent as acks free room (echoes:
//                       at most 64 MiB, then the session is closed with 1013).
//                       With a key, the key's latest session is reachable from:
//                         GET /control/delivery-received?key=K  JSON array of
//                           the first 4 bytes (big-endian u32) of each binary
//                           message the session received, in order ([] for
//                           a key without a session)
//                         GET /control/delivery-burst?key=K&count=N&size=S[&from=F]
//                           the session sends N (1..100000) binary messages of
//                           S bytes (4..1 MiB); message i (0-based) starts with
//                           F + i as a big-endian u32 (F: 0), the rest zeros;
//                           made as room frees, after what is queued. Answers
//                           N (404 for a key without a session)
//                         GET /control/delivery-stall?key=K  stops reading the
//                           session's current connection (the client's sends
//                           pile up unread); /control/drop?key=K then drops it.
//                           Answers 1, or 0 when nothing was attached
//                         GET /control/delivery-state?key=K  JSON { received,
//                           unconfirmed, attached, acks: { sent, received }
//                           (ACK frames each way), sessions (the store's size) }
//                           (received and unconfirmed null without a session)
//   /delivery-bad [frame] answers a HELLO with a WELCOME, then breaks the
//                       protocol with `frame`: ack-beyond (ACK 1000, more
//                       than was sent), ack-short (a 3-byte ACK),
//                       welcome-again (a second WELCOME) or unknown-type (9)
//   /hang [key]         never answers the handshake (GET /control/hanging?key=K
//                       counts those still open)
//   /violate            sends a frame with a reserved opcode after open
//   /token [key, token] echo, but only with the key's current token (else
//                       the handshake gets 401): GET /control/token?key=K&token=T
//                       sets it, as a server rotating credentials would
//   /stall-once [key]   the first connection with a key is never read (the
//                       server "stopped reading"); later ones record the
//                       first 4 bytes (big-endian) of each binary message:
//                       GET /control/received?key=K lists them
// Any WebSocket URL with [key] is refused (503) while a refusal window for
// that key is open: HTTP GET /control/refuse?key=K&ms=N opens one.
// HTTP GET /control/drop?key=K drops every open connection with that key.
import crypto from 'node:crypto';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { createChatRooms, roomName } from './chat-room.js';
import { DeliveryServer } from '../src/js/server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ts': 'text/plain; charset=utf-8',
};

// The demo page runs under this policy: only our own scripts and wasm.
// (CSP3's 'self' covers ws: and wss: on the same host and port.)
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

/** True for origins on this machine: http(s)://localhost, 127.x, [::1]. */
export function isLoopbackOrigin(origin) {
  try {
    const { protocol, hostname } = new URL(origin);
    if (protocol !== 'http:' && protocol !== 'https:') return false;
    return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
  } catch {
    return false;
  }
}

/**
 * Origin allow-list, checked before the upgrade. `allowed` is 'loopback'
 * (default), '*', or an array of exact origins. A request without an
 * Origin header is not from a browser page, so there is no page to protect
 * and it is let through; `null` origins (sandboxed frames, files) are not.
 */
export function originAllowed(origin, allowed = 'loopback') {
  if (origin === undefined) return true;
  if (allowed === '*') return true;
  if (allowed === 'loopback') return isLoopbackOrigin(origin);
  return allowed.includes(origin);
}

function parseAllowed(env) {
  if (!env) return 'loopback';
  if (env.trim() === '*') return '*';
  return env.split(',').map((s) => s.trim()).filter(Boolean);
}

function log(...parts) {
  console.log(new Date().toISOString(), ...parts);
}

function intParam(params, name, fallback) {
  const value = Number.parseInt(params.get(name) ?? '', 10);
  return Number.isFinite(value) ? value : fallback;
}

function rejectUpgrade(socket, status, reason) {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** The default largest message, in bytes; larger ones close with 1009. */
export const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;

/** The most message numbers /control/delivery-received keeps per session. */
const MAX_RECORDED = 1_000_000;
/** The most bytes of echoes a /delivery session's queue holds. */
const MAX_QUEUED_ECHO_BYTES = 64 * 1024 * 1024;

/** A WELCOME of a new session (docs/delivery.md), for /delivery-bad. */
function welcomeFrame() {
  const frame = Buffer.alloc(47);
  frame[0] = 0x02;
  frame.write('WSDL', 1, 'latin1');
  frame[5] = 1;
  crypto.randomFillSync(frame, 6, 24); // session id and epoch
  frame.writeUInt32BE(8192, 38);
  frame.writeUInt32BE(8 * 1024 * 1024, 42);
  return frame;
}

/** The frames /delivery-bad breaks the protocol with, after its WELCOME. */
const BAD_FRAMES = {
  'ack-beyond': () => Buffer.from([0x03, 0, 0, 0, 0, 0, 0, 0x03, 0xe8]),
  'ack-short': () => Buffer.from([0x03, 0, 0]),
  'welcome-again': welcomeFrame,
  'unknown-type': () => Buffer.from([0x09]),
};

/** Message `next` of a /control/delivery-burst: its number, big-endian, then zeros. */
function burstMessage({ next, size }) {
  const message = Buffer.alloc(size);
  message.writeUInt32BE(next, 0);
  return message;
}

/**
 * Creates the server (not yet listening). Returns { server, close }.
 * Limits are on by default: origin allow-list, `maxPayload` (messages
 * above it close with 1009), UTF-8 validation of text (1007), and
 * malformed HTTP or upgrade requests are answered with 400. `chat` sets the
 * chat rooms' limits (server/chat-room.js); `delivery` the options of the
 * /delivery endpoint's DeliveryServer (src/js/server.js); `logger` receives
 * the log lines.
 */
export function createServer({ allowedOrigins = 'loopback', quiet = false, maxPayload = DEFAULT_MAX_PAYLOAD, chat = {}, delivery: deliveryOptions = {}, logger = log } = {}) {
  const say = quiet ? () => {} : logger;
  const rooms = createChatRooms(chat, say);
  const delivery = new DeliveryServer(deliveryOptions);
  delivery.on('error', (err) => say(`delivery: ${err.stack ?? err}`));
  const deliveries = new Map(); // /delivery key -> { session, ws, received }, the key's latest session until it ends
  const refusals = new Map(); // key -> time (ms) until which upgrades are refused
  const hanging = new Set(); // sockets of /hang handshakes, destroyed on close
  const stalls = new Map(); // /stall-once key -> { connections, received }
  const tokens = new Map(); // /token key -> the token it accepts now
  const timers = new Set();
  const later = (ms, fn) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload,
    handleProtocols(protocols, request) {
      const offered = [...protocols];
      if (request.url.startsWith('/first-protocol')) return offered[0] ?? false;
      if (request.url.startsWith('/room/')) return protocols.has('chat') ? 'chat' : false;
      return protocols.has('echo-protocol') ? 'echo-protocol' : false;
    },
  });

  const server = http.createServer((req, res) => serveHttp(req, res, { allowedOrigins, refusals, hanging, wss, rooms, stalls, tokens, delivery, deliveries }));

  // Bytes that are not HTTP at all: answer 400 and hang up, never crash.
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  server.on('upgrade', (request, socket, head) => {
    socket.on('error', () => {}); // peers that vanish mid-handshake must not crash us
    const url = new URL(request.url, 'http://localhost');
    const origin = request.headers.origin;
    if (!originAllowed(origin, allowedOrigins)) {
      say(`refused origin ${origin} for ${url.pathname}`);
      return rejectUpgrade(socket, 403, 'Forbidden');
    }
    const key = url.searchParams.get('key');
    if (key && (refusals.get(key) ?? 0) > Date.now()) {
      say(`refused ${url.pathname} (key ${key} in a refusal window)`);
      return rejectUpgrade(socket, 503, 'Service Unavailable');
    }
    if (url.pathname === '/token' && url.searchParams.get('token') !== (tokens.get(key) ?? null)) {
      say(`refused /token for key ${key}: not its current token`);
      return rejectUpgrade(socket, 401, 'Unauthorized');
    }
    switch (url.pathname) {
      case '/refuse': {
        const status = intParam(url.searchParams, 'status', 403);
        say(`refused handshake for /refuse with ${status}`);
        return rejectUpgrade(socket, status, 'Refused');
      }
      case '/hang':
        say('holding /hang handshake open without an answer');
        socket.hangKey = key;
        hanging.add(socket);
        socket.on('close', () => hanging.delete(socket));
        // The client gave up (FIN): the HTTP server keeps sockets half-open,
        // so finish closing it here.
        socket.on('end', () => {
          hanging.delete(socket);
          socket.destroy();
        });
        return;
      default:
        wss.handleUpgrade(request, socket, head, (ws) => onConnection(ws, url, origin));
    }
  });

  function onConnection(ws, url, origin) {
    const params = url.searchParams;
    ws.key = params.get('key');
    say(`accepted ${url.pathname} from ${origin ?? '(no origin)'} protocol=${ws.protocol || '-'}`);
    ws.on('close', (code, reason) => say(`closed ${url.pathname} code=${code} reason=${reason.toString() || '-'}`));
    ws.on('error', (err) => say(`error on ${url.pathname}: ${err.message}`));
    const room = roomName(url.pathname);
    if (room) return rooms.join(ws, room, params);
    switch (url.pathname) {
      case '/close': {
        const code = intParam(params, 'code', 1000);
        const reason = params.get('reason') ?? '';
        later(intParam(params, 'delay', 0), () => ws.close(code, reason));
        return;
      }
      case '/drop':
        later(intParam(params, 'delay', 0), () => ws.terminate());
        return;
      case '/silent':
        return;
      case '/delivery':
        delivery
          .accept(ws, {
            onPlain(plain, first) {
              // Not a delivery client: a plain echo, its first frame too.
              const echo = (data, isBinary) => plain.send(data, { binary: isBinary });
              if (first) echo(first.data, first.isBinary);
              plain.on('message', echo);
            },
            onSession: deliverySession,
          })
          .then((outcome) => say(`/delivery: ${outcome}${ws.key ? ` (key ${ws.key})` : ''}`));
        return;
      case '/push': {
        // Server push: `count` texts ("push 0" …) every `interval` ms, then
        // a close with 1000 "done".
        const count = Math.min(intParam(params, 'count', 10), 10_000);
        const interval = intParam(params, 'interval', 10);
        let sent = 0;
        const next = () => {
          if (ws.readyState !== ws.OPEN) return;
          if (sent === count) return ws.close(1000, 'done');
          ws.send(`push ${sent++}`);
          later(interval, next);
        };
        later(interval, next);
        return;
      }
      case '/stall-once': {
        const stall = stalls.get(ws.key) ?? { connections: 0, received: [] };
        stalls.set(ws.key, stall);
        if (stall.connections++ === 0) {
          // Stop reading: the client's data piles up in TCP buffers, then
          // in its browser (bufferedAmount).
          ws._socket.pause();
          return;
        }
        ws.on('message', (data, isBinary) => {
          if (isBinary && data.length >= 4) stall.received.push(data.readUInt32BE(0));
        });
        return;
      }
      case '/delivery-bad': {
        const bad = BAD_FRAMES[params.get('frame')];
        ws.once('message', (data, isBinary) => {
          if (!isBinary || data[0] !== 0x01) return ws.close(4400, 'expected a HELLO');
          ws.send(welcomeFrame());
          if (bad) ws.send(bad());
        });
        return;
      }
      case '/violate':
        // FIN + reserved opcode 0xB: a protocol violation the client must fail on.
        later(intParam(params, 'delay', 0), () => ws._socket.write(Buffer.from([0x8b, 0x00])));
        return;
      default:
        ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
        // `closeAfter` ms after the handshake the server ends it with 1000.
        if (params.has('closeAfter')) later(intParam(params, 'closeAfter', 0), () => ws.close(1000, 'closeAfter'));
    }
  }

  /**
   * A new /delivery session: its messages are echoed through it; with a
   * key, the control endpoints reach it. What the session cannot take yet
   * (its backlog is full) waits in `queue`, in order, and goes as the
   * client's acks free room. (Pausing the connection instead would stop
   * the acks too.)
   */
  function deliverySession(session, ws) {
    const key = ws.key;
    const entry = { session, ws, received: [], queue: [], queuedBytes: 0 };
    entry.flush = () => {
      try {
        while (entry.queue.length > 0) {
          const head = entry.queue[0];
          session.send(head.burst ? burstMessage(head) : head.message);
          if (!head.burst) {
            entry.queue.shift();
            entry.queuedBytes -= head.size;
          } else if (++head.next === head.end) {
            entry.queue.shift();
          }
        }
      } catch (err) {
        // A full backlog: the rest waits for the next 'delivered'.
        if (err.code === 'ERR_DELIVERY_SESSION_ENDED') entry.queue = [];
        else if (err.code !== 'ERR_DELIVERY_BACKLOG_FULL') throw err;
      }
    };
    if (key) deliveries.set(key, entry);
    session.on('delivered', entry.flush);
    session.on('attach', (next) => {
      entry.ws = next;
      say(`/delivery: session ${session.id} resumed`);
    });
    session.on('detach', () => say(`/delivery: session ${session.id} detached`));
    session.on('message', (data, isBinary) => {
      if (key && isBinary && data.length >= 4 && entry.received.length < MAX_RECORDED) entry.received.push(data.readUInt32BE(0));
      const message = isBinary ? data : data.toString();
      entry.queue.push({ message, size: data.length });
      entry.queuedBytes += data.length;
      entry.flush();
      if (entry.queuedBytes > MAX_QUEUED_ECHO_BYTES) {
        // The client sends and does not acknowledge: end the session rather than drop an echo.
        say(`/delivery: session ${session.id} has ${entry.queuedBytes} bytes of echoes waiting; closing it`);
        session.close(1013, 'echo backlog full');
      }
    });
    session.on('end', (reason) => {
      entry.queue = [];
      say(`/delivery: session ${session.id} ended (${reason})`);
      if (deliveries.get(key) === entry) deliveries.delete(key);
    });
  }

  function close() {
    rooms.close();
    delivery.close();
    for (const t of timers) clearTimeout(t);
    for (const s of hanging) s.destroy();
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  return { server, close };
}

function serveHttp(req, res, { allowedOrigins, refusals, hanging, wss, rooms, stalls, tokens, delivery, deliveries }) {
  const url = new URL(req.url, 'http://localhost');
  const origin = req.headers.origin;
  if (url.pathname.startsWith('/control/') && !originAllowed(origin, allowedOrigins)) {
    res.writeHead(403).end();
    return;
  }
  // Control answers are plain text, readable by the (allowed) page that asked.
  const reply = (status, body) => {
    const headers = { 'Content-Type': 'text/plain' };
    if (origin) headers['Access-Control-Allow-Origin'] = origin;
    res.writeHead(status, headers).end(body);
  };
  if (url.pathname === '/control/hanging') {
    // How many /hang handshakes with this key are still open: lets a test
    // see that an abandoned connect really closed its socket.
    const key = url.searchParams.get('key');
    reply(200, String([...hanging].filter((s) => s.hangKey === key).length));
    return;
  }
  if (url.pathname === '/control/token') {
    // The token /token accepts for this key from now on.
    const key = url.searchParams.get('key');
    const token = url.searchParams.get('token');
    if (!key || !token) {
      reply(400, 'need key and token\n');
      return;
    }
    tokens.set(key, token);
    reply(200, `key ${key} now needs token ${token}\n`);
    return;
  }
  if (url.pathname === '/control/received') {
    // The sequence numbers /stall-once connections after the first got.
    reply(200, JSON.stringify(stalls.get(url.searchParams.get('key'))?.received ?? []));
    return;
  }
  if (url.pathname.startsWith('/control/delivery-')) {
    serveDeliveryControl(url, reply, delivery, deliveries);
    return;
  }
  if (url.pathname === '/control/drop') {
    // Abruptly drops (no close frame) every open connection with this key.
    const key = url.searchParams.get('key');
    let dropped = 0;
    for (const ws of wss.clients) {
      if (key && ws.key === key) {
        ws.terminate();
        dropped++;
      }
    }
    reply(200, String(dropped));
    return;
  }
  if (url.pathname === '/control/notice') {
    // A notice pushed to every member of a chat room, e.g. from another tab.
    const text = (url.searchParams.get('text') ?? '').slice(0, 200);
    if (!text) {
      reply(400, 'need room and text\n');
      return;
    }
    reply(200, String(rooms.notice(url.searchParams.get('room'), text)));
    return;
  }
  if (url.pathname === '/control/refuse') {
    const key = url.searchParams.get('key');
    const ms = intParam(url.searchParams, 'ms', 0);
    if (!key || ms <= 0 || ms > 600_000) {
      reply(400, 'need key and ms (1..600000)\n');
      return;
    }
    refusals.set(key, Date.now() + ms);
    reply(200, `refusing key ${key} for ${ms} ms\n`);
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405).end();
    return;
  }
  serveStatic(url.pathname, res);
}

/** The /control/delivery-* endpoints (see the header). */
function serveDeliveryControl(url, reply, delivery, deliveries) {
  const params = url.searchParams;
  const entry = deliveries.get(params.get('key'));
  const session = entry?.session;
  switch (url.pathname) {
    case '/control/delivery-received':
      reply(200, JSON.stringify(entry?.received ?? []));
      return;
    case '/control/delivery-state':
      reply(
        200,
        JSON.stringify({
          received: session?.received ?? null,
          unconfirmed: session?.unconfirmed ?? null,
          attached: session?.attached ?? false,
          acks: session?.acks ?? null,
          sessions: delivery.store.size,
        }),
      );
      return;
    case '/control/delivery-stall':
      // Stop reading: the client's messages pile up in TCP buffers, then
      // in its outbox; /control/drop?key=K cuts the connection.
      if (!session?.attached) {
        reply(200, '0');
        return;
      }
      if (typeof entry.ws.pause === 'function') entry.ws.pause();
      else entry.ws._socket.pause();
      reply(200, '1');
      return;
    case '/control/delivery-burst': {
      const count = intParam(params, 'count', 0);
      const size = intParam(params, 'size', 4);
      const from = intParam(params, 'from', 0);
      if (count < 1 || count > 100_000 || size < 4 || size > 1024 * 1024 || from < 0 || from + count > 0xffff_ffff) {
        reply(400, 'need count (1..100000), size (4..1048576) and from (0 or more)\n');
        return;
      }
      if (!session) {
        reply(404, `no delivery session for key ${params.get('key')}\n`);
        return;
      }
      entry.queue.push({ burst: true, next: from, end: from + count, size });
      entry.flush();
      reply(200, String(count));
      return;
    }
    default:
      reply(404, 'no such control endpoint\n');
  }
}

function serveStatic(pathname, res) {
  let relative;
  try {
    relative = decodeURIComponent(pathname);
  } catch {
    res.writeHead(400).end();
    return;
  }
  // /pkg/* is the wasm-pack output; everything else comes from www/.
  // /pkg/*, /pkg-bench/* and /bench/* come from those folders (build
  // output and the benchmark page); everything else from www/.
  let base = path.join(ROOT, 'www');
  for (const dir of ['pkg', 'pkg-bench', 'bench']) {
    if (relative.startsWith(`/${dir}/`)) {
      base = path.join(ROOT, dir);
      relative = relative.slice(dir.length + 1);
      break;
    }
  }
  if (relative.endsWith('/')) relative += 'index.html';
  const file = path.resolve(base, '.' + relative);
  if (!file.startsWith(base + path.sep)) {
    res.writeHead(403).end();
    return;
  }
  fs.readFile(file, (err, body) => {
    if (err) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    const type = MIME[path.extname(file)] ?? 'application/octet-stream';
    const headers = { 'Content-Type': type, 'Cache-Control': 'no-store' };
    if (type.startsWith('text/html')) headers['Content-Security-Policy'] = CSP;
    if (type.startsWith('text/html') && base === path.join(ROOT, 'bench')) {
      // The benchmark page is cross-origin isolated: there performance.now()
      // ticks in 5 µs steps instead of 100 µs, fine enough for the latency
      // of one loopback round trip (all it loads is same-origin).
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    res.writeHead(200, headers).end(body);
  });
}

// Run directly: listen and stop cleanly on SIGINT/SIGTERM.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number.parseInt(process.env.PORT ?? '8080', 10);
  const host = process.env.HOST ?? '127.0.0.1';
  const maxPayload = Number.parseInt(process.env.MAX_PAYLOAD ?? '', 10) || DEFAULT_MAX_PAYLOAD;
  const noticeMs = Number.parseInt(process.env.CHAT_NOTICE_MS ?? '', 10) || undefined;
  const helloWait = Number.parseInt(process.env.CHAT_HELLO_WAIT_MS ?? '', 10);
  const helloWaitMs = Number.isFinite(helloWait) && helloWait >= 0 ? helloWait : undefined;
  const { server, close } = createServer({ allowedOrigins: parseAllowed(process.env.ALLOWED_ORIGINS), maxPayload, chat: { noticeMs, helloWaitMs } });
  server.listen(port, host, () => {
    const actual = server.address().port;
    log(`Server is listening on http://${host === '127.0.0.1' ? 'localhost' : host}:${actual}/ (pid ${process.pid})`);
  });
  const stop = () => close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
