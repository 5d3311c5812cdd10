// The one way to start the echo/test server (server/server.js) for the
// scripts, the benchmark and the browser tests: as a child process on
// 127.0.0.1, on a port it picks (or is given), stopped by the PID recorded
// when it started.
//
//   import { launch } from '../server/launch.mjs';
//   const server = await launch({ env: { CHAT_NOTICE_MS: '1500' } });
//   // server.port, server.base (http://…), server.ws (ws://…), server.pid
//   await server.close();
//
// From a shell (scripts/lib-server.sh): prints the port, leaves the server
// running, and writes its PID to --pid-file for the script to stop it by.
//   node server/launch.mjs --port 8765 --log test-output/server.log --pid-file test-output/server.pid
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVER = path.join(here, 'server.js');

/**
 * Starts the server. `port` 0 (the default) lets the system pick a free
 * one. `env` adds the server's settings (ALLOWED_ORIGINS, MAX_PAYLOAD,
 * CHAT_NOTICE_MS). `log` is a file for its output; without one the output
 * is read and dropped (and shown if the server fails to start).
 * `detached` leaves it running after this process exits.
 */
export async function launch({ port = 0, env = {}, log, detached = false } = {}) {
  const fd = log ? fs.openSync(log, 'w') : undefined;
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', fd ?? 'pipe', fd ?? 'pipe'],
    detached,
  });
  if (fd !== undefined) fs.closeSync(fd);
  let output = '';
  child.stdout?.on('data', (d) => {
    if (output.length < 65536) output += d;
  });
  child.stderr?.on('data', (d) => {
    if (output.length < 65536) output += d;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const actual = await new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const text = log ? fs.readFileSync(log, 'utf8') : output;
      const match = text.match(/listening on http:\/\/[^/]*:(\d+)\//);
      if (match) {
        clearInterval(timer);
        resolve(Number(match[1]));
      }
    }, 20);
    exited.then((code) => {
      clearInterval(timer);
      const text = log ? fs.readFileSync(log, 'utf8') : output;
      reject(new Error(`the test server exited with ${code} before listening:\n${text}`));
    });
  });
  if (detached) child.unref();
  return {
    pid: child.pid,
    port: actual,
    base: `http://127.0.0.1:${actual}`,
    ws: `ws://127.0.0.1:${actual}`,
    /** Whether the server process is still running. */
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    /** Stops the server by its recorded PID and waits until it is gone. */
    async close() {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        return; // already gone
      }
      await exited;
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const server = await launch({ port: Number(arg('port') ?? 0), log: arg('log'), detached: true });
  if (arg('pid-file')) fs.writeFileSync(arg('pid-file'), `${server.pid}\n`);
  console.log(server.port);
  process.exit(0);
}
