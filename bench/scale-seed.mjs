// Bulk seeding for the scale benchmark: multi-row inserts through the storage's Kysely instance,
// one transaction per batch. Per-row repository calls (as bench/verify.bench.mjs does for 10,000
// users) would take most of an hour for a million; the rows written are the same ones the
// repositories write, with every TOTP secret sealed to its own factor as the enrollment does.
import { randomUUID } from 'node:crypto';
import { DEFAULT_TOTP_PARAMS, generateTotpSecret } from '@tessera/core';
import { sql } from 'kysely';

/** Rows per INSERT: 1,000 rows of 10 columns stay under SQLite's and PostgreSQL's bound-parameter limits. */
const ROWS_PER_INSERT = 1_000;
/** INSERTs per transaction. */
const INSERTS_PER_TRANSACTION = 10;

/** SQLite only, and only on the seeding connection: the server opens its own with its own settings. */
export async function fastSeedingConnection(storage) {
  if (storage.dialect !== 'sqlite') return;
  await sql`pragma synchronous = off`.execute(storage.db);
  await sql`pragma cache_size = -262144`.execute(storage.db);
}

/** Users `bench{from}`..`bench{to - 1}`, each with an active authenticator; returns their ids. */
export async function seedUsers(storage, box, passwordHash, from, to) {
  const createdAt = Date.now();
  const ids = [];
  await inBatches(storage, from, to, async (trx, start, end) => {
    const users = [];
    const factors = [];
    const totp = [];
    for (let i = start; i < end; i++) {
      const userId = randomUUID();
      const factorId = randomUUID();
      ids.push(userId);
      users.push({
        id: userId,
        username: `bench${i}`,
        email: null,
        phone: null,
        password_hash: passwordHash,
        role: 'user',
        issuer: null,
        created_at: createdAt,
      });
      factors.push({
        id: factorId,
        user_id: userId,
        kind: 'totp',
        status: 'active',
        created_at: createdAt,
        expires_at: null,
        activated_at: createdAt,
      });
      totp.push({
        factor_id: factorId,
        sealed_secret: box.seal(generateTotpSecret(), `factor:${factorId}`),
        algorithm: DEFAULT_TOTP_PARAMS.algorithm,
        digits: DEFAULT_TOTP_PARAMS.digits,
        period: DEFAULT_TOTP_PARAMS.period,
        last_used_step: null,
      });
    }
    await trx.insertInto('users').values(users).execute();
    await trx.insertInto('factors').values(factors).execute();
    await trx.insertInto('factor_totp').values(totp).execute();
  });
  return ids;
}

const METHODS = [
  ['totp', 0.5],
  ['sms', 0.25],
  ['email', 0.15],
  ['backup_codes', 0.1],
];
const YEAR_MS = 365 * 24 * 3_600_000;

/**
 * `total` history rows: `heavy` users hold `perHeavy` rows each, `typical` holds `perTypical`, the
 * rest are spread over `anyUserId()` (about one per account), one in a hundred is the system's.
 * Times are spread over the last year; methods and enable/disable are mixed.
 */
export async function seedHistory(storage, { total, heavy, perHeavy, typical, perTypical, anyUserId }) {
  const now = Date.now();
  const owners = [...heavy.map((id) => [id, perHeavy]), [typical, perTypical]];
  const ownerOf = (index) => {
    let bound = 0;
    for (const [id, count] of owners) {
      bound += count;
      if (index < bound) return id;
    }
    return Math.random() < 0.01 ? null : anyUserId();
  };
  await inBatches(storage, 0, total, async (trx, start, end) => {
    const rows = [];
    for (let i = start; i < end; i++) {
      const userId = ownerOf(i);
      const enabled = Math.random() < 0.5;
      rows.push({
        id: randomUUID(),
        user_id: userId,
        method: pickMethod(),
        action: enabled ? 'enable' : 'disable',
        enabled: enabled ? 1 : 0,
        actor: userId === null ? 'system' : Math.random() < 0.9 ? 'self' : 'admin',
        actor_id: userId,
        client_ip: '192.0.2.10',
        details: '{}',
        created_at: now - Math.floor(Math.random() * YEAR_MS),
      });
    }
    await trx.insertInto('history').values(rows).execute();
    await countEntries(trx, rows);
  });
}

/**
 * PostgreSQL: the statistics and the visibility map that autovacuum would give a database this
 * size soon after the load. SQLite is left without statistics (no ANALYZE), as the server
 * leaves it, so the planner's choices are the ones a real deployment gets.
 */
export async function settle(storage) {
  if (storage.dialect === 'postgres') await sql`vacuum analyze`.execute(storage.db);
}

/**
 * What the repository's insert does for each entry: its kind counted in `history_counts`, and
 * in `history_user_counts` under its user when it has one.
 */
async function countEntries(trx, rows) {
  const kinds = new Map();
  const users = new Map();
  for (const { user_id, method, enabled } of rows) {
    const kind = `${method}\u0000${enabled}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    if (user_id === null) continue;
    const key = `${user_id}\u0000${kind}`;
    users.set(key, (users.get(key) ?? 0) + 1);
  }
  for (const [key, entries] of kinds) {
    const [method, enabled] = key.split('\u0000');
    await trx
      .insertInto('history_counts')
      .values({ method, enabled: Number(enabled), entries })
      .onConflict((oc) =>
        oc
          .columns(['method', 'enabled'])
          .doUpdateSet((eb) => ({ entries: eb('history_counts.entries', '+', entries) })),
      )
      .execute();
  }
  // Many users to a batch: one multi-row upsert per ROWS_PER_INSERT of them, each key once.
  const userRows = [...users].map(([key, entries]) => {
    const [user_id, method, enabled] = key.split('\u0000');
    return { user_id, method, enabled: Number(enabled), entries };
  });
  for (let start = 0; start < userRows.length; start += ROWS_PER_INSERT) {
    await trx
      .insertInto('history_user_counts')
      .values(userRows.slice(start, start + ROWS_PER_INSERT))
      .onConflict((oc) =>
        oc
          .columns(['user_id', 'method', 'enabled'])
          .doUpdateSet((eb) => ({ entries: eb('history_user_counts.entries', '+', eb.ref('excluded.entries')) })),
      )
      .execute();
  }
}

function pickMethod() {
  let roll = Math.random();
  for (const [method, share] of METHODS) {
    roll -= share;
    if (roll < 0) return method;
  }
  return METHODS[0][0];
}

async function inBatches(storage, from, to, write) {
  const perTransaction = ROWS_PER_INSERT * INSERTS_PER_TRANSACTION;
  for (let start = from; start < to; start += perTransaction) {
    const stop = Math.min(start + perTransaction, to);
    await storage.db.transaction().execute(async (trx) => {
      for (let batch = start; batch < stop; batch += ROWS_PER_INSERT) {
        await write(trx, batch, Math.min(batch + ROWS_PER_INSERT, stop));
      }
    });
  }
}
