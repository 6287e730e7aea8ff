import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from '@tessera/core';

/*
 * What a slow or greedy client is allowed: how long it may take to send a request, how long an
 * idle connection stays open, and how many connections one address may hold at once.
 */

/** Options of Node's HTTP server, to pass to Fastify as `http`. */
export function httpServerOptions(limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node looks for requests past their time on this interval (30 s by default): a tenth of
    // the shortest timeout, so a request is cut at most ~10% after its time is up.
    connectionsCheckingInterval: Math.max(
      10,
      Math.min(1_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 10)),
    ),
  };
}

/**
 * Refuses a connection beyond `max` open ones from one address: the socket is destroyed before
 * a byte is read. 0 means no cap.
 */
export function capConnectionsPerAddress(server: Server, max: number): void {
  if (max <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = open.get(address) ?? 0;
    if (count >= max) {
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
