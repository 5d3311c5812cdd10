// Starts the echo/test server as a child process on a free loopback port
// and stops it by the PID it recorded. Shared by the benchmark and soak.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startServer(env = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'www', 'server.js')], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => d.toString().includes('listening') && resolve());
    child.on('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
  });
  child.stdout.resume();
  return { pid: child.pid, port };
}

export function stopServer(server) {
  try {
    process.kill(server.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
