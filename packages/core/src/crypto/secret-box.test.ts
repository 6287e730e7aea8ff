import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SealOpenError, SecretBox } from './secret-box.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);

describe('SecretBox (AES-256-GCM)', () => {
  it('opens what it sealed, with the same context', () => {
    const box = new SecretBox(keyA);
    const secret = randomBytes(20);
    expect(box.open(box.seal(secret, 'factor:1'), 'factor:1')).toEqual(secret);
  });

  it('seals the same value differently each time (random IV)', () => {
    const box = new SecretBox(keyA);
    expect(box.seal(Buffer.from('x'), 'c')).not.toBe(box.seal(Buffer.from('x'), 'c'));
  });

  it('tells a value sealed under another key apart', () => {
    const sealed = new SecretBox(keyA).seal(Buffer.from('secret'), 'c');
    expect(() => new SecretBox(keyB).open(sealed, 'c')).toThrow(expect.objectContaining({ reason: 'wrong-key' }));
  });

  it('refuses a value moved to another row (context) or altered', () => {
    const box = new SecretBox(keyA);
    const sealed = box.seal(Buffer.from('secret'), 'factor:1');
    expect(() => box.open(sealed, 'factor:2')).toThrow(SealOpenError);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    parts[3] = body.toString('base64url');
    expect(() => box.open(parts.join('.'), 'factor:1')).toThrow(expect.objectContaining({ reason: 'corrupt' }));
  });
});
