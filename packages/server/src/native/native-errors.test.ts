import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { nativeClientErrorHandler } from './native-errors.js';

/** What the handler writes to a socket for a parser error of `code`, and whether it closed it. */
function answerTo(code: string): { text: string; destroyed: boolean } {
  const socket = new PassThrough();
  let text = '';
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  socket.on('error', () => {});
  nativeClientErrorHandler(Object.assign(new Error(code), { code }), socket as unknown as Socket);
  return { text: text || socket.read()?.toString('utf8') || '', destroyed: socket.destroyed };
}

describe('nativeClientErrorHandler', () => {
  it.each([
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'REQUEST_TIMEOUT'],
    ['HPE_HEADER_OVERFLOW', 431, 'HEADERS_TOO_LARGE'],
    ['HPE_INVALID_METHOD', 400, 'VALIDATION_FAILED'],
  ])('answers %s with %i %s in the error shape and closes the connection', (parserCode, status, code) => {
    const { text, destroyed } = answerTo(parserCode);
    const [head = '', body = ''] = text.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(head).toMatch(/\r\nConnection: close/);
    expect(Number(/Content-Length: (\d+)/.exec(head)?.[1])).toBe(Buffer.byteLength(body));
    expect(JSON.parse(body)).toEqual({ error: { code, message: expect.any(String) } });
    expect(destroyed).toBe(true);
  });

  it('writes nothing to a connection the client reset', () => {
    expect(answerTo('ECONNRESET')).toEqual({ text: '', destroyed: false });
  });
});
