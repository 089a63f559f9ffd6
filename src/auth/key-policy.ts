/**
 * Which revocations would leave the server without an admin key, or without any key
 * (keyless mode: every route open, admin routes served to local callers). Plain
 * functions so the API and `npm run keys` decide the same way.
 */
export interface KeyLike {
  id: string;
  role: 'platform' | 'admin' | 'user';
}

export const KEYLESS_WARNING =
  'No API keys configured: every route is open, and admin routes answer only local callers (loopback, no proxy headers). Set API_KEYS or run `npm run keys -- create --role admin`.';

export const KEYED_WARNING = 'API keys are configured: every route but /health and /docs now needs a key, admin routes an admin key.';

/**
 * Why `target` may not be revoked (undefined when it may). `active` is every active
 * stored key, target included; keys in API_KEYS keep the server keyed whatever happens here.
 */
export function revocationRefusal(target: KeyLike, active: KeyLike[], envKeysSet: boolean): string | undefined {
  if (envKeysSet) return undefined;
  const others = active.filter((k) => k.id !== target.id);
  const otherAdmins = others.filter((k) => k.role === 'admin' || k.role === 'platform').length;
  const otherPlatform = others.filter((k) => k.role === 'platform').length;
  const how = 'Set API_KEYS, create another admin key first, or revoke with force=true (`npm run keys -- revoke <id> --force`).';
  if (others.length === 0) {
    return `Refusing to revoke the last active API key: API_KEYS is empty, so the server would silently fall back to keyless mode, where every route is open. ${how}`;
  }
  if (target.role !== 'user' && otherAdmins === 0) {
    return `Refusing to revoke the last active admin key: no key could manage keys, train models or delete data afterwards. ${how}`;
  }
  if (target.role === 'platform' && otherPlatform === 0) {
    return `Refusing to revoke the last active platform key: no key could create or delete projects afterwards. ${how.replace('another admin key', 'another platform key')}`;
  }
  return undefined;
}
