// Chat rooms: what WebSockets are for, a server pushing to its clients.
// `/room/<name>?nick=<nickname>` joins a room (subprotocol `chat` is
// selected when offered). Every message is JSON text.
//
//   client -> server  { "type": "say", "text": "…", "id": "…" (optional, echoed back) }
//   server -> client  { "type": "welcome", "you", "room", "members", "at",
//                       "rate": { "count", "windowMs", "burst" } }   this member's rate limit
//                     { "type": "message", "nick", "text", "id", "at" }   to every member, the sender too
//                     { "type": "join" | "leave", "nick", "members", "at" }
//                     { "type": "notice", "text", "members", "at" }       pushed unasked: every
//                        `noticeMs`, and on GET /control/notice?room=R&text=T
//
// A client may speak the delivery protocol (docs/delivery.md, the
// DeliveryServer of src/js/server.js): then the member is its session, not
// its connection. Every message reaches it exactly once, in order, across
// reconnects (the client resumes the session); while its connection is
// down it stays in the room, and it leaves when the session ends (it
// expired, was evicted or refused, or was closed by a limit below), or at
// once when its client closes with 1000 (it left) or 1001 (its page went
// away). A resume always returns to the session's own room, whatever the
// URL says.
// Any other client is a plain member, as it always was: its first frame
// (or `helloWaitMs` of silence, 1000 by default) shows it does not open
// with HELLO, so its welcome comes then. Messages said in the room while a
// connection is still being told apart are held for it (at most
// maxMembers × the larger of rateCount and rateBurst) and follow its
// welcome.
//
// `at` is the server's timestamp (ms since 1970). Limits, each closing the
// offender's connection (a delivery member's session ends with it) with a
// log line: a message over `maxMessageBytes` (1009), a member over its rate
// (1008: a plain member more than `rateCount` messages in any
// `rateWindowMs`; a delivery member the same rate with an allowance of
// `rateBurst` at once, see `overRate`), a room already holding `maxMembers`
// (1008), binary, non-JSON or malformed messages, or a missing nickname
// (1008); a delivery member whose session's backlog is full (it stopped
// acknowledging) is closed with 1008 "too far behind".
import { DeliveryServer } from '../src/js/server.js';

export const CHAT_DEFAULTS = {
  maxMessageBytes: 2048,
  rateCount: 10,
  rateWindowMs: 5000,
  rateBurst: 30,
  maxMembers: 20,
  maxNickLength: 24,
  noticeMs: 20_000,
  helloWaitMs: 1000,
};

/** The room name of a `/room/<name>` path, or null. */
export function roomName(pathname) {
  const match = /^\/room\/([A-Za-z0-9_-]{1,32})$/.exec(pathname);
  return match ? match[1] : null;
}

/**
 * The rooms of one server. `say(line)` logs. Returns { join(ws, room,
 * params), notice(room, text), close() }.
 */
export function createChatRooms(options = {}, say = () => {}) {
  const given = Object.entries(options).filter(([, value]) => value !== undefined);
  const limits = { ...CHAT_DEFAULTS, ...Object.fromEntries(given) };
  const delivery = new DeliveryServer({ helloWaitMs: limits.helloWaitMs });
  delivery.on('error', (err) => say(`chat: ${err.stack ?? err}`));
  const rooms = new Map(); // name -> { name, members: Set<member>, waiting: Set<{ held }>, timer }
  const maxHeld = limits.maxMembers * Math.max(limits.rateCount, limits.rateBurst);
  let closed = false;

  /** Sends to every member; `hold` also keeps the message for connections not told apart yet. */
  const broadcast = (room, message, { hold = false } = {}) => {
    for (const member of room.members) member.send(message);
    if (!hold) return;
    for (const waiting of room.waiting) {
      waiting.held.push(message);
      if (waiting.held.length > maxHeld) waiting.held.shift();
    }
  };
  const refuse = (who, code, reason, why) => {
    say(`chat: closing ${who.nick ?? '(no nick)'} in ${who.room ?? '-'} with ${code}: ${why}`);
    who.close(code, reason);
  };

  /** A member whose connection is the ws. */
  function plainMember(ws, nick, name) {
    return {
      nick,
      room: name,
      kind: 'plain',
      send: (message) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(message)),
      close: (code, reason) => ws.close(code, reason),
    };
  }

  /** A member who is a delivery session. */
  function sessionMember(session, nick, name) {
    const member = {
      nick,
      room: name,
      kind: 'delivery',
      send(message) {
        if (session.ended) return;
        try {
          session.send(JSON.stringify(message));
        } catch (err) {
          refuse(member, 1008, 'too far behind', err.message);
        }
      },
      close: (code, reason) => session.close(code, reason),
    };
    return member;
  }

  function roomFor(name) {
    let room = rooms.get(name);
    if (!room) {
      room = { name, members: new Set(), waiting: new Set(), timer: null };
      rooms.set(name, room);
      // Pushed without any client asking: what HTTP cannot do.
      room.timer = setInterval(() => notice(name, `server time ${new Date().toISOString()}`), limits.noticeMs);
    }
    return room;
  }

  function dropIfEmpty(room) {
    if (room.members.size > 0 || room.waiting.size > 0 || rooms.get(room.name) !== room) return;
    clearInterval(room.timer);
    rooms.delete(room.name);
  }

  function notice(name, text) {
    const room = rooms.get(name);
    if (!room) return 0;
    broadcast(room, { type: 'notice', text, members: room.members.size, at: Date.now() }, { hold: true });
    return room.members.size;
  }

  /** Adds a member: welcome, what was held for it, then the join for all. False if the room is full. */
  function enter(room, member, held) {
    if (room.members.size >= limits.maxMembers) {
      refuse(member, 1008, 'room is full', `room ${room.name} is full (${limits.maxMembers})`);
      return false;
    }
    room.members.add(member);
    say(`chat: ${member.nick} joined ${room.name} (${room.members.size} members${member.kind === 'delivery' ? ', delivery' : ''})`);
    const burst = member.kind === 'delivery' ? limits.rateBurst : limits.rateCount;
    const rate = { count: limits.rateCount, windowMs: limits.rateWindowMs, burst };
    member.send({ type: 'welcome', you: member.nick, room: room.name, members: room.members.size, at: Date.now(), rate });
    for (const message of held) member.send(message);
    broadcast(room, { type: 'join', nick: member.nick, members: room.members.size, at: Date.now() });
    return true;
  }

  function leave(room, member) {
    if (closed || !room.members.delete(member)) return;
    say(`chat: ${member.nick} left ${room.name} (${room.members.size} members)`);
    broadcast(room, { type: 'leave', nick: member.nick, members: room.members.size, at: Date.now() });
    dropIfEmpty(room);
  }

  /**
   * Whether one more message from `member` at `now` is over its rate;
   * counts it when it is not.
   *
   * A plain member: at most `rateCount` messages in any `rateWindowMs`
   * (a sliding window), as it always was.
   *
   * A delivery member: the same sustained rate, as a token bucket that
   * holds `rateBurst` messages and refills at `rateCount` per
   * `rateWindowMs`. Its messages reach the room in bunches that are not
   * its doing: after a reconnect the session hands over at once what was
   * typed while the connection was down and what was in flight when it
   * dropped (each once: a message sent again is not counted again). A
   * window of 10 would close a member whose outage held 11 lines, and
   * closing a delivery member ends its session: the very loss delivery
   * is there to prevent. The bucket keeps the sustained rate, so a flood
   * is still closed once the allowance is spent, and the allowance is
   * bounded (it also bounds what is held for undecided connections,
   * `maxHeld`). The demo's "Send 20" (www/chat.js) fits in it with room
   * to spare for typing; the welcome tells each member its own `rate`.
   */
  function overRate(member, now) {
    if (member.kind === 'delivery') {
      const perMs = limits.rateCount / limits.rateWindowMs;
      const bucket = (member.bucket ??= { tokens: limits.rateBurst, at: now });
      bucket.tokens = Math.min(limits.rateBurst, bucket.tokens + (now - bucket.at) * perMs);
      bucket.at = now;
      if (bucket.tokens < 1) return true;
      bucket.tokens -= 1;
      return false;
    }
    const sent = (member.sent ??= []); // times of this member's recent messages
    while (sent.length && sent[0] <= now - limits.rateWindowMs) sent.shift();
    if (sent.length >= limits.rateCount) return true;
    sent.push(now);
    return false;
  }

  /** A message from a member: the limits, then to everyone. */
  function said(room, member, data, isBinary) {
    if (isBinary) return refuse(member, 1008, 'chat frames are JSON text', 'binary frame');
    if (data.length > limits.maxMessageBytes) {
      return refuse(member, 1009, 'message too big', `${data.length} bytes > ${limits.maxMessageBytes}`);
    }
    const now = Date.now();
    if (overRate(member, now)) {
      const burst = member.kind === 'delivery' ? ` after a burst of ${limits.rateBurst}` : '';
      return refuse(member, 1008, 'rate limit', `more than ${limits.rateCount} messages in ${limits.rateWindowMs} ms${burst}`);
    }
    let message;
    try {
      message = JSON.parse(data.toString());
    } catch {
      return refuse(member, 1008, 'chat frames are JSON', 'invalid JSON');
    }
    if (message?.type !== 'say' || typeof message.text !== 'string' || !message.text.trim()) {
      return refuse(member, 1008, 'expected {"type":"say","text":…}', 'malformed message');
    }
    const id = typeof message.id === 'string' ? message.id.slice(0, 64) : undefined;
    broadcast(room, { type: 'message', nick: member.nick, text: message.text, id, at: now }, { hold: true });
  }

  function join(ws, name, params) {
    const nick = (params.get('nick') ?? '').trim();
    if (!nick || nick.length > limits.maxNickLength) {
      return refuse({ close: (code, reason) => ws.close(code, reason) }, 1008, 'a nickname of 1 to 24 characters is required', `bad nickname "${nick.slice(0, 40)}"`);
    }
    const room = roomFor(name);
    // Until its first frame (or its silence) tells what the connection
    // is, what the room says is held for it.
    const waiting = { held: [] };
    room.waiting.add(waiting);
    const decided = () => room.waiting.delete(waiting);
    delivery
      .accept(ws, {
        onPlain(plain, first) {
          decided();
          const member = plainMember(plain, nick, name);
          if (!enter(room, member, waiting.held)) return;
          plain.on('message', (data, isBinary) => said(room, member, data, isBinary));
          plain.on('close', () => leave(room, member));
          if (first) said(room, member, first.data, first.isBinary);
        },
        onSession(session) {
          decided();
          const member = sessionMember(session, nick, name);
          if (!enter(room, member, waiting.held)) return;
          session.on('message', (data, isBinary) => said(room, member, data, isBinary));
          session.on('detach', () => say(`chat: ${nick} lost the connection; the session keeps the place in ${name}`));
          // A goodbye ends the session at once: the client closed with 1000
          // (it left), or 1001 (its page went away, and the session's other
          // half with it). The client's own closes while it reconnects send
          // no code (1005), and a lost connection is 1006: those wait for a
          // resume. (Only the session's own connection: an older one cut
          // by a takeover closes while a newer one is attached.)
          const goodbye = (connection) =>
            connection.once('close', (code) => {
              if ((code === 1000 || code === 1001) && !session.ended && !session.attached) session.close(1000, 'left');
            });
          goodbye(ws);
          session.on('attach', (connection) => {
            say(`chat: ${nick} is back in ${name}`);
            goodbye(connection);
          });
          session.on('end', (reason) => {
            say(`chat: ${nick}'s session ended (${reason})`);
            leave(room, member);
          });
        },
      })
      .then(() => {
        // Resumed, refused or closed before a decision: nothing held is needed.
        decided();
        dropIfEmpty(room);
      });
  }

  function close() {
    closed = true;
    for (const room of rooms.values()) clearInterval(room.timer);
    rooms.clear();
    delivery.close();
  }

  return { join, notice, close };
}
