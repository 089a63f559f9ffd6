import { revocationRefusal } from './key-policy';

const admin = (id: string) => ({ id, role: 'admin' as const });
const user = (id: string) => ({ id, role: 'user' as const });
const platform = (id: string) => ({ id, role: 'platform' as const });

describe('revocationRefusal', () => {
  it('refuses the last key of all, with what to do instead', () => {
    expect(revocationRefusal(admin('a'), [admin('a')], false)).toMatch(/last active API key.*keyless mode.*API_KEYS.*another admin key.*force=true/);
    expect(revocationRefusal(user('u'), [user('u')], false)).toMatch(/keyless mode/);
  });

  it('refuses the last admin key while user keys remain', () => {
    expect(revocationRefusal(admin('a'), [admin('a'), user('u')], false)).toMatch(/last active admin key/);
  });

  it('allows revocations that leave an admin key, and anything while API_KEYS is set', () => {
    expect(revocationRefusal(admin('a'), [admin('a'), admin('b')], false)).toBeUndefined();
    expect(revocationRefusal(user('u'), [admin('a'), user('u')], false)).toBeUndefined();
    expect(revocationRefusal(admin('a'), [admin('a')], true)).toBeUndefined();
  });

  it('counts platform keys as admins, and refuses the last platform key while admin keys remain', () => {
    expect(revocationRefusal(admin('a'), [admin('a'), platform('p')], false)).toBeUndefined();
    expect(revocationRefusal(platform('p'), [admin('a'), platform('p')], false)).toMatch(/last active platform key.*create or delete projects.*another platform key/);
    expect(revocationRefusal(platform('p'), [platform('p'), platform('q')], false)).toBeUndefined();
  });
});
