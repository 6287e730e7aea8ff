import { CPANEL_ERRORS } from '../cpanel-errors.js';
import type { DialectErrorTable } from '../dialect.js';

/** UAPI answers every core error as cPanel's other API does (cpanel-errors.ts). */
export const UAPI_ERRORS: DialectErrorTable = CPANEL_ERRORS;
