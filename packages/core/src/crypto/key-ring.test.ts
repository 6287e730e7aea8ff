import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyRing } from './key-ring.js';
import { findByKeyedHash, KeyedHasher } from './keyed-hash.js';
import { SealOpenError, SecretBox, sealedKeyId } from './secret-box.js';

const oldKey = new Uint8Array(randomBytes(32));
const newKey = new Uint8Array(randomBytes(32));

describe('key ring', () => {
  it('seals under the current key and opens what a previous key sealed', () => {
    const before = new SecretBox(oldKey);
    const sealedBefore = before.seal(Buffer.from('JBSWY3DPEHPK3PXP'), 'factor:f1');
    const ring = new SecretBox(new KeyRing(newKey, [oldKey]));

    expect(ring.open(sealedBefore, 'factor:f1').toString()).toBe('JBSWY3DPEHPK3PXP');
    const sealedNow = ring.seal(Buffer.from('x'), 'factor:f2');
    expect(sealedKeyId(sealedNow)).toBe(ring.keyId);
    expect(sealedKeyId(sealedBefore)).toBe(before.keyId);
    expect(ring.keyId).not.toBe(before.keyId);
    // Moved to the current key, the value no longer needs the old one.
    const moved = ring.reseal(sealedBefore, 'factor:f1');
    expect(sealedKeyId(moved)).toBe(ring.keyId);
    expect(new SecretBox(newKey).open(moved, 'factor:f1').toString()).toBe('JBSWY3DPEHPK3PXP');
  });

  it('names the key a value needs when that key is not in the ring, and still binds the context', () => {
    const sealed = new SecretBox(oldKey).seal(Buffer.from('secret'), 'factor:f1');
    const withoutOld = new SecretBox(newKey);
    const error = (() => {
      try {
        withoutOld.open(sealed, 'factor:f1');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(SealOpenError);
    expect(error).toMatchObject({ reason: 'wrong-key', keyId: new SecretBox(oldKey).keyId });
    expect(() => new SecretBox(new KeyRing(newKey, [oldKey])).open(sealed, 'factor:f2')).toThrow(/corrupt/);
  });

  it('ignores the current key listed again among the previous ones', () => {
    const ring = new KeyRing(newKey, [newKey, oldKey, oldKey]);
    expect(ring.all.map((key) => key.id)).toEqual([new SecretBox(newKey).keyId, new SecretBox(oldKey).keyId]);
  });

  it('tags hashes with the key id and matches old ones only after a miss under the current key', async () => {
    const oldHasher = new KeyedHasher(oldKey);
    const ring = new KeyedHasher(new KeyRing(newKey, [oldKey]));
    const stored = new Set([oldHasher.hash('token-a'), oldHasher.digest('token-b')]);
    const tried: string[] = [];
    const find = async (hash: string) => {
      tried.push(hash);
      return stored.has(hash) ? hash : undefined;
    };

    expect(ring.hash('token-a')).toMatch(new RegExp(`^${ring.ring.current.id}\\.`));
    expect(ring.hash('token-a')).not.toBe(oldHasher.hash('token-a'));
    // Tagged under the previous key, and untagged (stored before tags), both still match.
    expect((await findByKeyedHash(ring, 'token-a', find))?.hash).toBe(oldHasher.hash('token-a'));
    expect((await findByKeyedHash(ring, 'token-b', find))?.hash).toBe(oldHasher.digest('token-b'));
    expect(await findByKeyedHash(ring, 'token-c', find)).toBeUndefined();

    // A value stored under the current key costs one lookup, as with a ring of one key.
    stored.add(ring.hash('token-d'));
    tried.length = 0;
    await findByKeyedHash(ring, 'token-d', find);
    expect(tried).toEqual([ring.hash('token-d')]);
    expect(ring.isCurrent(ring.hash('token-d'))).toBe(true);
    expect(ring.isCurrent(oldHasher.hash('token-d'))).toBe(false);
  });

  it('does not match a hash made under a key dropped from the ring', async () => {
    const oldHasher = new KeyedHasher(oldKey);
    const stored = new Set([oldHasher.hash('token-a')]);
    const found = await findByKeyedHash(new KeyedHasher(newKey), 'token-a', async (hash) => stored.has(hash));
    expect(found).toBeUndefined();
  });
});
