import { TesseraError } from '../errors/tessera-error.js';

/** The code of the TesseraError a call failed with, or 'none' when it succeeded. */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    if (error instanceof TesseraError) return error.code;
    throw error;
  }
}
