/**
 * Property: a client cannot hold the server's connections by sending slowly or by opening many:
 * a request whose headers or body trickle in is cut when its time is up, and one address gets
 * a bounded number of connections at once. These listen on a real socket; the timeout test is
 * the one real wait of the suite (a few hundred milliseconds).
 */
import { connect, type Socket } from 'node:net';
import { DEFAULT_CONNECTION_LIMITS } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';

interface Outcome {
  /** Milliseconds from the first byte sent to the connection's end. */
  elapsedMs: number;
  /** What the server answered before it closed, if anything. */
  answer: string;
  /** Bytes the client had sent when the connection ended. */
  sent: number;
}

async function openSocket(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Sends `head` at once, or byte by byte, then `body` one byte every `gapMs`, until the server hangs up. */
async function trickle(port: number, head: string, body: string, gapMs: number, headToo: boolean): Promise<Outcome> {
  const socket = await openSocket(port);
  const started = Date.now();
  let answer = '';
  let sent = 0;
  socket.on('data', (chunk: Buffer) => {
    answer += chunk.toString('latin1');
  });
  const ended = new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.on('error', () => undefined);
  });
  let open = true;
  void ended.then(() => {
    open = false;
  });
  const bytes = headToo ? head + body : body;
  if (!headToo) {
    socket.write(head);
    sent += head.length;
  }
  for (const byte of bytes) {
    if (!open) break;
    socket.write(byte);
    sent += 1;
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  socket.destroy();
  return { elapsedMs: Date.now() - started, answer, sent };
}

/** Sends one keep-alive request on an open socket and resolves with the answer, or '' if the socket closes first. */
function request(socket: Socket, path: string): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const onData = (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n\r\n') && /\r\n\r\n[\s\S]*\}$/.test(answer)) done();
    };
    const done = () => {
      socket.off('data', onData);
      socket.off('close', done);
      resolve(answer);
    };
    socket.on('data', onData);
    socket.once('close', done);
    socket.on('error', () => undefined);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  });
}

describe('a client that sends too slowly', () => {
  const TIMEOUT_MS = 300;
  let h: Harness;
  let port: number;
  beforeAll(async () => {
    h = await createHarness({
      connections: {
        ...DEFAULT_CONNECTION_LIMITS,
        headersTimeoutMs: TIMEOUT_MS,
        requestTimeoutMs: TIMEOUT_MS,
      },
    });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const address = h.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => h.close());

  it('is cut off when its body has not arrived within the request timeout', async () => {
    const body = JSON.stringify({ username: 'slow-sender', password: 'correct horse battery' });
    const head =
      'POST /api/v1/auth/sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${body.length}\r\n\r\n`;
    // One byte every 50 ms: the whole body would take about 3 s.
    const outcome = await trickle(port, head, body, 50, false);
    expect(outcome.sent).toBeLessThan(head.length + body.length);
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(outcome.elapsedMs).toBeLessThan(TIMEOUT_MS + 1_000);
    expect(outcome.answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('is cut off when its headers have not arrived within the headers timeout', async () => {
    const head = 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n';
    const outcome = await trickle(port, head, '', 50, true);
    expect(outcome.sent).toBeLessThan(head.length);
    expect(outcome.elapsedMs).toBeLessThan(TIMEOUT_MS + 1_000);
    expect(outcome.answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('is still served when it sends in time', async () => {
    const socket = await openSocket(port);
    try {
      expect(await request(socket, '/health')).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      socket.destroy();
    }
  });
});

describe('many connections from one address', () => {
  const CAP = 3;
  let h: Harness;
  let port: number;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    h = await createHarness({ connections: { ...DEFAULT_CONNECTION_LIMITS, maxConnectionsPerIp: CAP } });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const address = h.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await h.close();
  });

  it('are refused beyond the cap, and accepted again once one closes', async () => {
    for (let i = 0; i < CAP; i++) {
      const socket = await openSocket(port);
      sockets.push(socket);
      // Answered: the server holds it open (keep-alive) and counts it.
      expect(await request(socket, '/health')).toMatch(/^HTTP\/1\.1 200 /);
    }

    const extra = await openSocket(port);
    sockets.push(extra);
    expect(await request(extra, '/health')).toBe('');
    expect(extra.destroyed || extra.readableEnded).toBe(true);

    // The ones already open are still served.
    expect(await request(sockets[0] as Socket, '/health')).toMatch(/^HTTP\/1\.1 200 /);

    // One closes; the server sees it shortly after, then a new connection is accepted.
    const closing = sockets[1] as Socket;
    closing.end();
    await new Promise((resolve) => closing.once('close', resolve));
    let answer = '';
    for (let attempt = 0; attempt < 50 && answer === ''; attempt++) {
      const next = await openSocket(port);
      sockets.push(next);
      answer = await request(next, '/health');
      if (answer === '') await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  });
});
