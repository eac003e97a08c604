/**
 * fetchWithin, the one way HTTP calls outside the OpenStack session are bounded: the whole
 * exchange (body included) ends within the deadline, and its timer keeps Node alive — a CLI
 * waiting on a port that accepts but never answers (Docker's port proxy does that) fails with a
 * timeout instead of exiting mid-await.
 */
import { spawnSync } from 'node:child_process';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fetchWithin } from '../src/net/deadline.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const sockets: Socket[] = [];
const servers: Array<Server | ReturnType<typeof createServer>> = [];
afterAll(() => {
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
});

async function listen(server: Server | ReturnType<typeof createServer>): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('fetchWithin', () => {
  it('returns the whole answer, body read, and bodiless answers as such', async () => {
    const base = await listen(createHttpServer((req, res) => {
      if (req.url === '/none') res.writeHead(204).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ café: '✓' }));
    }));
    const answer = await fetchWithin(2000, `${base}/x`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ café: '✓' });
    expect((await fetchWithin(2000, `${base}/none`)).status).toBe(204);
  });

  it('a body that stops half-way is a timeout, not a hang', async () => {
    const base = await listen(createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('half');
    }));
    const started = Date.now();
    await expect(fetchWithin(300, base)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('keeps a CLI alive while a port accepts and says nothing, then fails with a timeout', async () => {
    const silent = createServer((socket) => sockets.push(socket));
    const base = await listen(silent);
    const script = `import { fetchWithin } from './src/net/deadline.ts';
try { await fetchWithin(500, '${base}'); console.log('answered'); } catch (error) { console.log(error.name); }`;
    // The server lives in this process: in the child nothing but the request can keep Node alive.
    const child = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
      resolve({ status: run.status, stdout: run.stdout });
    });
    expect(child).toEqual({ status: 0, stdout: 'TimeoutError\n' });
  });
});
