import { CPANEL_ERRORS } from '../cpanel-errors.js';
import type { DialectErrorTable } from '../dialect.js';

/** WHM API 1 answers every core error as cPanel's other API does (cpanel-errors.ts). */
export const WHM_ERRORS: DialectErrorTable = CPANEL_ERRORS;
