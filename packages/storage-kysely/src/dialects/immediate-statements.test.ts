import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyStorage } from '../kysely-storage.js';
import { openStorage } from '../open-storage.js';
import type { StatementKind, StorageMetrics } from '../storage-metrics.js';
import { immediateStatementsOf } from './immediate-statements.js';

let dataDir: string;
let storage: KyselyStorage;
const statements: { kind: StatementKind; failed: boolean }[] = [];
const metrics: StorageMetrics = {
  statementFinished: (kind, _seconds, failed) => statements.push({ kind, failed }),
  groupCommitted: () => {},
  watchConnectionPool: () => {},
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-immediate-statements-'));
  storage = await openStorage({ dataDir, metrics });
  await storage.migrate();
});
afterAll(async () => {
  await storage.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("reads run at once on SQLite's free connection", () => {
  it('answer a read when the connection is free, counted in the statement figures', async () => {
    await storage.settings.set('issuer', 'Example');
    statements.length = 0;
    expect(await storage.settings.get('issuer')).toBe('Example');
    expect(statements).toEqual([{ kind: 'select', failed: false }]);
  });

  it('never run inside a transaction that holds the connection: they wait, and see only what it committed', async () => {
    let inside: () => void = () => {};
    const holding = new Promise<void>((resolve) => {
      inside = resolve;
    });
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    // A transaction writes a setting and is then rolled back; a read asked meanwhile must not see it.
    const rolledBack = storage.db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('settings').values({ key: 'uncommitted', value: 'seen' }).execute();
        inside();
        await released;
        throw new Error('roll back');
      })
      .catch((error: Error) => error.message);
    await holding;
    let answered = false;
    const read = storage.settings.get('uncommitted').then((value) => {
      answered = true;
      return value;
    });
    // The read waits for the connection: it has not run while the transaction holds it.
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    release();
    expect(await rolledBack).toBe('roll back');
    expect(await read).toBeUndefined();
  });

  it('once the transaction is over, run at once again', async () => {
    await storage.db.transaction().execute(async (trx) => {
      await trx.insertInto('settings').values({ key: 'committed', value: 'yes' }).execute();
    });
    statements.length = 0;
    expect(await storage.settings.get('committed')).toBe('yes');
    expect(statements).toEqual([{ kind: 'select', failed: false }]);
  });
});

describe('transactions run at once on the free connection', () => {
  const insert = (key: string) => CompiledQuery.raw('insert into settings (key, value) values (?, ?)', [key, 'v']);

  it('commit every statement of the work, or, when one fails, none of them', async () => {
    const now = immediateStatementsOf(storage.db);
    if (!now) throw new Error('SQLite storage without immediate statements');
    expect(now.tryTransaction((execute) => execute(insert('t1')).numAffectedRows)).toEqual({ value: 1n });
    expect(await storage.settings.get('t1')).toBe('v');
    // The second insert breaks the primary key: the first of the same transaction is undone too.
    expect(() =>
      now.tryTransaction((execute) => {
        execute(insert('t2'));
        execute(insert('t1'));
      }),
    ).toThrow(/UNIQUE/);
    expect(await storage.settings.get('t2')).toBeUndefined();
  });

  it('are not run while the connection is held: the caller runs them the usual way', async () => {
    const now = immediateStatementsOf(storage.db);
    if (!now) throw new Error('SQLite storage without immediate statements');
    let tried: unknown = 'not yet';
    await storage.db.transaction().execute(async () => {
      tried = now.tryTransaction((execute) => execute(insert('t3')));
    });
    expect(tried).toBeUndefined();
    expect(await storage.settings.get('t3')).toBeUndefined();
  });
});
