import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createLogger, lazyRequestLogger, OneLinePerRequest } from './logging.js';

class Lines extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) this.lines.push(JSON.parse(line));
    callback();
  }
}

describe('the request log', () => {
  it('writes one line per request, after the answer, with method, path, status and time', async () => {
    const out = new Lines();
    const logger = createLogger('info', out);
    const app = Fastify({ loggerInstance: logger, logController: new OneLinePerRequest(logger) });
    app.get('/ok', async () => ({ ok: true }));
    app.get('/boom', async () => {
      throw new Error('boom');
    });
    try {
      await app.inject({ method: 'GET', url: '/ok' });
      await app.inject({ method: 'GET', url: '/boom' });
    } finally {
      await app.close();
    }
    const requests = out.lines.filter((line) => line.reqId !== undefined);
    // One for /ok; /boom adds Fastify's own error line (a 500 is logged with its error) and its completion.
    const completed = requests.filter((line) => line.msg === 'request completed');
    expect(completed).toHaveLength(2);
    expect(requests.filter((line) => line.msg === 'incoming request')).toEqual([]);
    const [ok] = completed;
    expect(ok).toMatchObject({ req: { method: 'GET', url: '/ok' }, res: { statusCode: 200 } });
    expect(typeof ok?.responseTime).toBe('number');
    expect(completed[1]).toMatchObject({ req: { url: '/boom' }, res: { statusCode: 500 } });
  });

  it('gives each request a logger of its own, made on its first line: its id bound, secrets redacted', async () => {
    const out = new Lines();
    const logger = createLogger('info', out);
    const app = Fastify({ loggerInstance: logger, childLoggerFactory: lazyRequestLogger });
    app.get('/logs', async (request) => {
      request.log.warn({ body: { code: '123456' }, step: 'checked' }, 'a line of the request');
      request.log.debug('below the level');
      request.log.child({ part: 'inner' }).info('a line of its child');
      return { level: request.log.level };
    });
    try {
      const answer = await app.inject({ method: 'GET', url: '/logs' });
      expect(answer.json()).toEqual({ level: 'info' });
    } finally {
      await app.close();
    }
    const own = out.lines.filter((line) => line.msg === 'a line of the request');
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ level: 40, step: 'checked', body: { code: '[redacted]' } });
    expect(typeof own[0]?.reqId).toBe('string');
    expect(out.lines.find((line) => line.msg === 'a line of its child')).toMatchObject({
      reqId: own[0]?.reqId,
      part: 'inner',
    });
    expect(out.lines.some((line) => line.msg === 'below the level')).toBe(false);
  });

  it('writes no request line above the info level', async () => {
    const out = new Lines();
    const logger = createLogger('warn', out);
    const app = Fastify({ loggerInstance: logger, logController: new OneLinePerRequest(logger) });
    app.get('/ok', async () => ({ ok: true }));
    try {
      expect((await app.inject({ method: 'GET', url: '/ok?code=123456' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
    expect(out.lines).toEqual([]);
  });

  it('keeps standard output in a buffer, and writes what is left when the process exits', () => {
    // A child logs a few lines to its buffered standard output and exits at once: none may be lost.
    const logging = fileURLToPath(new URL('../../dist/http/logging.js', import.meta.url));
    const script = `
      const { createLogger } = await import(${JSON.stringify(logging)});
      const logger = createLogger('info');
      for (let i = 0; i < 3; i++) logger.info({ i }, 'line');
      process.exit(0);
    `;
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const lines = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { i: number; msg: string });
    expect(lines.map((line) => line.i)).toEqual([0, 1, 2]);
  });
});
