// Types of sdk-operations.mjs, for the test that checks the committed table against it.

export interface DocumentOperation {
  id: string;
  method: string;
  path: string;
  bearer: boolean;
}

export function operationsOf(document: unknown): DocumentOperation[];
export function renderOperations(document: unknown): string;
