import type { FactorDetailsByKind, FactorKind, FactorOf, FactorRecord } from '@tessera/core';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../database.js';
import type { FactorRow, NewFactorRow } from '../tables/factor.table.js';
import { toDate, toMillis, toNullableDate, toNullableMillis } from './time-columns.js';

/*
 * A factor is its generic `factors` row plus one row in the table of its kind. Reads left-join
 * every details table on their primary key, so one query returns factors of any kind; only
 * the table of the factor's kind has a row, the other columns come back null.
 */

/** The TOTP table's columns, prefixed with its kind, as the reads select them. */
const TOTP_COLUMNS = [
  'factor_totp.sealed_secret as totp_sealed_secret',
  'factor_totp.algorithm as totp_algorithm',
  'factor_totp.digits as totp_digits',
  'factor_totp.period as totp_period',
  'factor_totp.last_used_step as totp_last_used_step',
] as const;

/** Every details column, prefixed with its kind, as the reads select them. */
export const DETAIL_COLUMNS = [
  ...TOTP_COLUMNS,
  'factor_sms.sealed_phone as sms_sealed_phone',
  'factor_sms.masked_phone as sms_masked_phone',
  'factor_email.masked_email as email_masked_email',
  'factor_backup_codes.count as backup_codes_count',
  'factor_backup_codes.digits as backup_codes_digits',
  'factor_webauthn.rp_id as webauthn_rp_id',
] as const;

/**
 * DETAIL_COLUMNS for a read of TOTP factors only (every verification's): the TOTP table's
 * columns, the other kinds' as nulls, so that only factor_totp is joined. Each left join of
 * another kind's table was a B-tree lookup per read that could only find nothing.
 */
export const TOTP_DETAIL_COLUMNS = [
  ...TOTP_COLUMNS,
  sql<null>`null`.as('sms_sealed_phone'),
  sql<null>`null`.as('sms_masked_phone'),
  sql<null>`null`.as('email_masked_email'),
  sql<null>`null`.as('backup_codes_count'),
  sql<null>`null`.as('backup_codes_digits'),
  sql<null>`null`.as('webauthn_rp_id'),
] as const;

type TotpDetails = FactorDetailsByKind['totp'];

/** The details columns of a read, each null unless its table had the factor's row. */
export interface FactorDetailColumns {
  totp_sealed_secret: string | null;
  totp_algorithm: TotpDetails['algorithm'] | null;
  totp_digits: TotpDetails['digits'] | null;
  totp_period: number | null;
  totp_last_used_step: number | null;
  sms_sealed_phone: string | null;
  sms_masked_phone: string | null;
  email_masked_email: string | null;
  backup_codes_count: number | null;
  backup_codes_digits: number | null;
  webauthn_rp_id: string | null;
}

export type FactorWithDetailsRow = FactorRow & FactorDetailColumns;

/** Factors with their details; callers add the conditions. */
export function selectFactors(db: Kysely<Database>) {
  return db
    .selectFrom('factors')
    .leftJoin('factor_totp', 'factor_totp.factor_id', 'factors.id')
    .leftJoin('factor_sms', 'factor_sms.factor_id', 'factors.id')
    .leftJoin('factor_email', 'factor_email.factor_id', 'factors.id')
    .leftJoin('factor_backup_codes', 'factor_backup_codes.factor_id', 'factors.id')
    .leftJoin('factor_webauthn', 'factor_webauthn.factor_id', 'factors.id')
    .selectAll('factors')
    .select(DETAIL_COLUMNS);
}

export function toFactorRow(factor: FactorRecord): NewFactorRow {
  return {
    id: factor.id,
    user_id: factor.userId,
    kind: factor.kind,
    status: factor.status,
    created_at: toMillis(factor.createdAt),
    expires_at: toNullableMillis(factor.expiresAt),
    activated_at: toNullableMillis(factor.activatedAt),
  };
}

/** Writes the details row of `factor`; its `factors` row must be written first (foreign key). */
export async function insertFactorDetails(db: Kysely<Database>, factor: FactorRecord): Promise<void> {
  const { id, kind } = factor;
  switch (kind) {
    case 'totp': {
      const { sealedSecret, algorithm, digits, period, lastUsedStep } = factor.details;
      await db
        .insertInto('factor_totp')
        .values({
          factor_id: factor.id,
          sealed_secret: sealedSecret,
          algorithm,
          digits,
          period,
          last_used_step: lastUsedStep,
        })
        .execute();
      return;
    }
    case 'sms': {
      const { sealedPhone, maskedPhone } = factor.details;
      await db
        .insertInto('factor_sms')
        .values({ factor_id: factor.id, sealed_phone: sealedPhone, masked_phone: maskedPhone })
        .execute();
      return;
    }
    case 'email':
      await db
        .insertInto('factor_email')
        .values({ factor_id: factor.id, masked_email: factor.details.maskedEmail })
        .execute();
      return;
    case 'backup_codes': {
      const { count, digits } = factor.details;
      await db.insertInto('factor_backup_codes').values({ factor_id: factor.id, count, digits }).execute();
      return;
    }
    case 'webauthn':
      await db.insertInto('factor_webauthn').values({ factor_id: factor.id, rp_id: factor.details.rpId }).execute();
      return;
    default:
      throw unknownKind(id, kind);
  }
}

export function toFactorRecord(row: FactorWithDetailsRow): FactorRecord {
  const base = {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    createdAt: toDate(row.created_at),
    expiresAt: toNullableDate(row.expires_at),
    activatedAt: toNullableDate(row.activated_at),
  };
  switch (row.kind) {
    case 'totp':
      return {
        ...base,
        kind: 'totp',
        details: {
          sealedSecret: need(row, row.totp_sealed_secret, 'factor_totp'),
          algorithm: need(row, row.totp_algorithm, 'factor_totp'),
          digits: need(row, row.totp_digits, 'factor_totp'),
          period: need(row, row.totp_period, 'factor_totp'),
          lastUsedStep: row.totp_last_used_step,
        },
      };
    case 'sms':
      return {
        ...base,
        kind: 'sms',
        details: {
          sealedPhone: need(row, row.sms_sealed_phone, 'factor_sms'),
          maskedPhone: need(row, row.sms_masked_phone, 'factor_sms'),
        },
      };
    case 'email':
      return { ...base, kind: 'email', details: { maskedEmail: need(row, row.email_masked_email, 'factor_email') } };
    case 'backup_codes':
      return {
        ...base,
        kind: 'backup_codes',
        details: {
          count: need(row, row.backup_codes_count, 'factor_backup_codes'),
          digits: need(row, row.backup_codes_digits, 'factor_backup_codes'),
        },
      };
    case 'webauthn':
      return { ...base, kind: 'webauthn', details: { rpId: need(row, row.webauthn_rp_id, 'factor_webauthn') } };
    default:
      throw unknownKind(row.id, row.kind);
  }
}

/**
 * A details column that must have a value. Null means the details row is missing: a bug or a
 * hand edit, and a factor without its key must not pass for one.
 */
function need<T>(row: FactorRow, value: T | null, table: string): T {
  if (value === null) throw new Error(`factor ${row.id} of kind ${row.kind} has no row in ${table}`);
  return value;
}

/**
 * The record as the factor of `kind` it was looked up as. The queries filter on the kind, so a
 * mismatch is a bug; checking it is what lets the generic signature be trusted.
 */
export function asKind<K extends FactorKind>(record: FactorRecord, kind: K): FactorOf<K> {
  if (record.kind !== kind) throw new Error(`factor ${record.id} is of kind ${record.kind}, not ${kind}`);
  return record as FactorOf<K>;
}

/** Reached only when a kind is added to the core but not here, or a row has a kind no method knows. */
function unknownKind(id: string, kind: never): Error {
  return new Error(`factor ${id} has a kind no method knows: ${String(kind)}`);
}
