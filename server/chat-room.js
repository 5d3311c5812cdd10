// Chat rooms: what WebSockets are for, a server pushing to its clients.
// `/room/<name>?nick=<nickname>` joins a room (subprotocol `chat` is
// selected when offered). Every frame is JSON text.
//
//   client -> server  { "type": "say", "text": "…", "id": "…" (optional, echoed back) }
//   server -> client  { "type": "welcome", "you", "room", "members", "at" }
//                     { "type": "message", "nick", "text", "id", "at" }   to every member, the sender too
//                     { "type": "join" | "leave", "nick", "members", "at" }
//                     { "type": "notice", "text", "members", "at" }       pushed unasked: every
//                        `noticeMs`, and on GET /control/notice?room=R&text=T
//
// `at` is the server's timestamp (ms since 1970). Limits, each closing the
// offender's connection with a log line: a message over `maxMessageBytes`
// (1009), more than `rateCount` messages in `rateWindowMs` (1008), a room
// already holding `maxMembers` (1008), binary, non-JSON or malformed
// frames, or a missing nickname (1008).

export const CHAT_DEFAULTS = {
  maxMessageBytes: 2048,
  rateCount: 10,
  rateWindowMs: 5000,
  maxMembers: 20,
  maxNickLength: 24,
  noticeMs: 20_000,
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
  const rooms = new Map(); // name -> { members: Set<ws>, timer }

  const send = (ws, message) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(message));
  const broadcast = (room, message) => {
    for (const member of room.members) send(member, message);
  };
  const refuse = (ws, code, reason, why) => {
    say(`chat: closing ${ws.nick ?? '(no nick)'} in ${ws.room ?? '-'} with ${code}: ${why}`);
    ws.close(code, reason);
  };

  function notice(name, text) {
    const room = rooms.get(name);
    if (!room) return 0;
    broadcast(room, { type: 'notice', text, members: room.members.size, at: Date.now() });
    return room.members.size;
  }

  function join(ws, name, params) {
    const nick = (params.get('nick') ?? '').trim();
    if (!nick || nick.length > limits.maxNickLength) {
      return refuse(ws, 1008, 'a nickname of 1 to 24 characters is required', `bad nickname "${nick.slice(0, 40)}"`);
    }
    let room = rooms.get(name);
    if (!room) {
      room = { members: new Set(), timer: null };
      rooms.set(name, room);
      // Pushed without any client asking: what HTTP cannot do.
      room.timer = setInterval(() => notice(name, `server time ${new Date().toISOString()}`), limits.noticeMs);
    }
    if (room.members.size >= limits.maxMembers) {
      return refuse(ws, 1008, 'room is full', `room ${name} is full (${limits.maxMembers})`);
    }
    ws.nick = nick;
    ws.room = name;
    room.members.add(ws);
    say(`chat: ${nick} joined ${name} (${room.members.size} members)`);
    send(ws, { type: 'welcome', you: nick, room: name, members: room.members.size, at: Date.now() });
    broadcast(room, { type: 'join', nick, members: room.members.size, at: Date.now() });

    const sent = []; // times of this member's recent messages
    ws.on('message', (data, isBinary) => {
      if (isBinary) return refuse(ws, 1008, 'chat frames are JSON text', 'binary frame');
      if (data.length > limits.maxMessageBytes) {
        return refuse(ws, 1009, 'message too big', `${data.length} bytes > ${limits.maxMessageBytes}`);
      }
      const now = Date.now();
      while (sent.length && sent[0] <= now - limits.rateWindowMs) sent.shift();
      if (sent.length >= limits.rateCount) {
        return refuse(ws, 1008, 'rate limit', `more than ${limits.rateCount} messages in ${limits.rateWindowMs} ms`);
      }
      sent.push(now);
      let message;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return refuse(ws, 1008, 'chat frames are JSON', 'invalid JSON');
      }
      if (message?.type !== 'say' || typeof message.text !== 'string' || !message.text.trim()) {
        return refuse(ws, 1008, 'expected {"type":"say","text":…}', 'malformed message');
      }
      const id = typeof message.id === 'string' ? message.id.slice(0, 64) : undefined;
      broadcast(room, { type: 'message', nick, text: message.text, id, at: now });
    });
    ws.on('close', () => {
      room.members.delete(ws);
      say(`chat: ${nick} left ${name} (${room.members.size} members)`);
      broadcast(room, { type: 'leave', nick, members: room.members.size, at: Date.now() });
      if (room.members.size === 0) {
        clearInterval(room.timer);
        rooms.delete(name);
      }
    });
  }

  function close() {
    for (const room of rooms.values()) clearInterval(room.timer);
    rooms.clear();
  }

  return { join, notice, close };
}
