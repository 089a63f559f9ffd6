import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Keys are random 32-byte secrets, so a fast hash is enough to store them safely. */
export const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

export function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export function generateKey(): string {
  return `llmos_${randomBytes(32).toString('base64url')}`;
}

/** What may be shown of a key: enough to recognise it, never enough to use it. */
export const keyPrefix = (key: string): string => key.slice(0, 12);
