/**
 * Demo accounts and the server-side account store. The plaintext passwords and TOTP seeds
 * below are demo fixtures that tests and the embedded demo config read; the running server
 * keeps only scrypt hashes of passwords (the seeds it must keep, as any TOTP verifier does).
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { AccountKind, DemoAccount, DemoAccountSeed } from './types.ts';

export const BUILT_IN_ACCOUNTS: readonly DemoAccountSeed[] = [
  { kind: 'provider', role: 'physician', username: 'dr.rivera', npi: '1234567893', password: 'Rivera-Demo-2024!', totpSeed: 'GHXW5SM3GGKXILSZBV2K5CBLFGXZUELA', displayName: 'Dr. Ana Rivera' },
  { kind: 'provider', role: 'physician', username: 'dr.patel', npi: '1987654328', password: 'Patel-Demo-2024!', totpSeed: '2ATYYKX4GRD7TEHFD4LEHPS4DCYKX6ND', displayName: 'Dr. Ravi Patel' },
  { kind: 'provider', role: 'physician', username: 'dr.kim', npi: '1456789027', password: 'Kim-Demo-2024!', totpSeed: 'SUODNRKFEGQMLZM5DL3DEXBTZACNTTPA', displayName: 'Dr. Min-jun Kim' },
  { kind: 'provider', role: 'physician', username: 'dr.okoye', npi: '1678901236', password: 'Okoye-Demo-2024!', totpSeed: 'Z4KRNBFKS5HFUW75WOV3Q7FKGPRO32C7', displayName: 'Dr. Chidi Okoye' },
  { kind: 'provider', role: 'billing', username: 'billing.chen', password: 'Chen-Billing-2024!', totpSeed: '5BDXZF7MXTFXIRVI5IHITW76WOD4V2MK', displayName: 'Li Chen' },
  {
    kind: 'patient', role: 'patient', username: 'pat.okafor', password: 'Okafor-Patient-2024!', totpSeed: 'XYHAVZXJHNIX4DZUDJQ2HUPOC2TO5CC2',
    displayName: 'Grace Okafor', firstName: 'Grace', lastName: 'Okafor', dateOfBirth: '1984-03-12',
  },
  {
    // The password is the one the activation journey chooses; the account cannot sign in before activation.
    kind: 'patient', role: 'patient', username: 'pat.new', password: 'Lee-Activate-1990!', totpSeed: 'LRVFPA6N2LWOFPVNNDGHVO5XVVMLXRKG',
    displayName: 'Sam Lee', firstName: 'Sam', lastName: 'Lee', dateOfBirth: '1990-07-01',
    activationToken: 'act-pat-new-7c1e5b2f9a4d8e36', status: 'pending-activation',
  },
  // Physicians of the single-page flavour's demo journeys (their own TOTP steps).
  { kind: 'provider', role: 'physician', username: 'dr.nguyen', npi: '1346802467', password: 'Nguyen-Demo-2024!', totpSeed: 'JPJOMKEFOIUC5LGTKVQZ5GX4BRTL3CZV', displayName: 'Dr. Lan Nguyen' },
  { kind: 'provider', role: 'physician', username: 'dr.haddad', npi: '1357913576', password: 'Haddad-Demo-2024!', totpSeed: 'LT7HJYUZLNLRZ2OIS5COUHFUMVGU6H4P', displayName: 'Dr. Omar Haddad' },
  { kind: 'provider', role: 'physician', username: 'dr.silva', npi: '1468024683', password: 'Silva-Demo-2024!', totpSeed: 'Q4N4PQGLNH7BM3EFUV67VILPGFSE7TC4', displayName: 'Dr. Ines Silva' },
  { kind: 'provider', role: 'physician', username: 'dr.larsen', npi: '1579135794', password: 'Larsen-Demo-2024!', totpSeed: '46C3M3PPZXPUIWSFOXCQBSTWYJQQ7DFM', displayName: 'Dr. Erik Larsen' },
  { kind: 'provider', role: 'physician', username: 'lockout.test', npi: '1122334455', password: 'Lockout-Demo-2024!', totpSeed: 'S44XTW6J2HQXWYNGODQYT52GF32V7ZEK', displayName: 'Dr. Lock Out' },
];

export function expandSeeds(seeds: readonly DemoAccountSeed[]): DemoAccount[] {
  return seeds.map((seed) => ({ ...seed, id: seed.id ?? seed.username, status: seed.status ?? 'active' }));
}

/** What the server keeps: everything but the plaintext password. */
export type StoredAccount = Omit<DemoAccount, 'password'> & { passwordHash: string };

const SCRYPT: ScryptOptions = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 64;

function scryptAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, SCRYPT, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt);
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || key === undefined) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * scrypt is slow on purpose (~150 ms per hash on a small CI box), and tests start many portals
 * in one process. Hashes of the built-in seeds are therefore made once per process: their
 * plaintext is in this file anyway, so caching their hashes reveals nothing new. Custom
 * passwords are always hashed afresh.
 */
const builtInHashes = new WeakMap<DemoAccountSeed, Promise<string>>();
let sharedDummyHash: Promise<string> | undefined;

function seedHash(account: DemoAccount): Promise<string> {
  const seed = BUILT_IN_ACCOUNTS.find((s) => s.username === account.username && s.password === account.password);
  if (!seed) return hashPassword(account.password);
  let hash = builtInHashes.get(seed);
  if (!hash) {
    hash = hashPassword(seed.password);
    builtInHashes.set(seed, hash);
  }
  return hash;
}

export class AccountStore {
  private readonly byId = new Map<string, StoredAccount>();
  /** Unknown usernames are checked against this so they cost the same time as wrong passwords. */
  private dummyHash = '';

  static async create(accounts: readonly DemoAccount[]): Promise<AccountStore> {
    const store = new AccountStore();
    const hashes = await Promise.all(accounts.map((a) => seedHash(a)));
    accounts.forEach((account, i) => {
      const { password: _password, ...rest } = account;
      store.byId.set(account.id, { ...rest, passwordHash: hashes[i] ?? '' });
    });
    sharedDummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    store.dummyHash = await sharedDummyHash;
    return store;
  }

  get(id: string): StoredAccount | undefined {
    return this.byId.get(id);
  }

  /** Username (case-insensitive) or, for providers, NPI. Accounts of the other flavour are invisible. */
  findForLogin(identifier: string, kind: AccountKind): StoredAccount | undefined {
    const wanted = identifier.trim().toLowerCase();
    if (wanted === '') return undefined;
    for (const account of this.byId.values()) {
      if (account.kind !== kind) continue;
      if (account.username.toLowerCase() === wanted || (account.npi !== undefined && account.npi === wanted)) return account;
    }
    return undefined;
  }

  findByIdentifier(identifier: string): StoredAccount | undefined {
    return this.findForLogin(identifier, 'provider') ?? this.findForLogin(identifier, 'patient');
  }

  findByActivationToken(token: string): StoredAccount | undefined {
    for (const account of this.byId.values()) {
      if (account.activationToken !== undefined && account.activationToken === token) return account;
    }
    return undefined;
  }

  /** Always runs one scrypt, so an unknown account takes as long as a wrong password. */
  async checkPassword(account: StoredAccount | undefined, password: string): Promise<boolean> {
    const ok = await verifyPassword(password, account?.passwordHash ?? this.dummyHash);
    return account !== undefined && ok;
  }

  async setPassword(id: string, password: string): Promise<void> {
    const account = this.byId.get(id);
    if (account) account.passwordHash = await hashPassword(password);
  }

  async activate(id: string, password: string): Promise<void> {
    await this.setPassword(id, password);
    const account = this.byId.get(id);
    if (account) account.status = 'active';
  }
}
