import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * String equality whose running time does not depend on where the strings
 * differ, nor (unlike a bare `timingSafeEqual`, which throws) on whether their
 * lengths differ: both sides are hashed to fixed-size SHA-256 digests first.
 * Equal lengths are still required so that the result never rests on the
 * absence of a hash collision alone.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  // UTF-16 code units, not UTF-8: UTF-8 turns every lone surrogate into U+FFFD, which would make '\uD800' equal '\uDBFF'.
  const digestA = createHash('sha256').update(a, 'utf16le').digest();
  const digestB = createHash('sha256').update(b, 'utf16le').digest();
  const sameDigest = timingSafeEqual(digestA, digestB);
  return sameDigest && a.length === b.length;
}
