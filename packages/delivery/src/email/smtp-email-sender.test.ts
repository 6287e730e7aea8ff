import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryFailedError } from '../delivery-failed-error.js';
import { closedPort } from '../test-support/http-stub.js';
import { parseMail, SmtpSink } from '../test-support/smtp-sink.js';
import { createSmtpEmailSender } from './smtp-email-sender.js';

const CODE = '161803';
const MESSAGE = {
  to: 'alice@example.com',
  subject: 'Your Tessera sign-in code',
  text: `Your code is ${CODE}. It expires in 5 minutes.`,
  code: CODE,
};

let sink: SmtpSink | undefined;
afterEach(async () => {
  await sink?.close();
  sink = undefined;
});

async function failure(promise: Promise<unknown>): Promise<DeliveryFailedError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DeliveryFailedError);
  return error as DeliveryFailedError;
}

describe('SMTP e-mail provider', () => {
  it('delivers the message to a real SMTP server', async () => {
    sink = await SmtpSink.start();
    const sender = createSmtpEmailSender({
      host: '127.0.0.1',
      port: sink.port,
      secure: false,
      from: 'Tessera <no-reply@tessera.test>',
    });
    expect(sender.provider).toBe('smtp');

    await sender.send(MESSAGE);

    expect(sink.received).toHaveLength(1);
    const mail = sink.received[0]!;
    expect(mail.mailFrom).toBe('no-reply@tessera.test');
    expect(mail.rcptTo).toEqual(['alice@example.com']);
    expect(mail.user).toBeUndefined();
    const { headers, body } = parseMail(mail.raw);
    expect(headers.get('to')).toBe('alice@example.com');
    expect(headers.get('from')).toBe('Tessera <no-reply@tessera.test>');
    expect(headers.get('subject')).toBe(MESSAGE.subject);
    expect(headers.get('content-type')).toMatch(/^text\/plain/);
    expect(body.trim()).toBe(MESSAGE.text);
  });

  it('logs in with the configured user and password', async () => {
    const logins: string[] = [];
    sink = await SmtpSink.start({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        logins.push(`${auth.username}:${auth.password}`);
        if (auth.username === 'mailer' && auth.password === 's3cret-pass') callback(null, { user: 'mailer' });
        else callback(new Error('Invalid username or password'));
      },
    });
    const send = (pass: string) =>
      createSmtpEmailSender({
        host: '127.0.0.1',
        port: sink!.port,
        secure: false,
        auth: { user: 'mailer', pass },
        from: 'no-reply@tessera.test',
      }).send(MESSAGE);

    await send('s3cret-pass');
    expect(sink.received.map((mail) => mail.user)).toEqual(['mailer']);

    const error = await failure(send('wrong'));
    expect(error.provider).toBe('smtp');
    expect(error.providerCode).toBe(535);
    expect(logins).toEqual(['mailer:s3cret-pass', 'mailer:wrong']);
    expect(sink.received).toHaveLength(1);
  });

  it('rejects when the server refuses the recipient', async () => {
    sink = await SmtpSink.start({
      onRcptTo(address, _session, callback) {
        const error = Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected`), {
          responseCode: 550,
        });
        callback(error);
      },
    });
    const error = await failure(
      createSmtpEmailSender({ host: '127.0.0.1', port: sink.port, secure: false, from: 'no-reply@tessera.test' }).send(
        MESSAGE,
      ),
    );
    expect(error.provider).toBe('smtp');
    expect(error.providerCode).toBe(550);
    expect(error.message).toMatch(/^smtp delivery failed: /);
    expect(error.message).toContain('Recipient address rejected');
    expect(error.message).not.toContain(CODE);
    expect(sink.received).toHaveLength(0);
  });

  it('rejects when the server is down', async () => {
    const port = await closedPort();
    const error = await failure(
      createSmtpEmailSender({ host: '127.0.0.1', port, secure: false, from: 'no-reply@tessera.test' }).send(MESSAGE),
    );
    expect(error.provider).toBe('smtp');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('speaks TLS from the first byte when secure, and refuses an untrusted certificate', async () => {
    // smtp-server's built-in certificate is self-signed, so a verifying client must hang up.
    sink = await SmtpSink.start({ secure: true });
    const error = await failure(
      createSmtpEmailSender({ host: '127.0.0.1', port: sink.port, secure: true, from: 'no-reply@tessera.test' }).send(
        MESSAGE,
      ),
    );
    expect(error.message).toMatch(/certificate/i);
    expect(sink.received).toHaveLength(0);
  });

  // The configured 50 ms, not nodemailer's default of minutes nor the sender's own 10 s, ends the
  // wait: either would run past the test's 5 s timeout.
  it('gives up on a server that never greets within the timeout', { timeout: 5_000 }, async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const error = await failure(
        createSmtpEmailSender({
          host: '127.0.0.1',
          port,
          secure: false,
          from: 'no-reply@tessera.test',
          timeoutMs: 50,
        }).send(MESSAGE),
      );
      expect(error.provider).toBe('smtp');
      expect(error.message).toMatch(/greeting|timeout/i);
      expect(error.providerCode).toBe('ETIMEDOUT');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
