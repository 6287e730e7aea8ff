import { Type } from 'typebox';

/** String formats the native schemas share. Internal to the contract: not re-exported from the index. */
export const DateTime = Type.String({ format: 'date-time' });
export const Uuid = Type.String({ format: 'uuid' });
export const TokenString = Type.String({ minLength: 1, maxLength: 200 });
