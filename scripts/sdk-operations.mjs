// Renders packages/client/src/generated/operations.gen.ts from the native OpenAPI document: for
// every operation, its method, path and whether it takes a bearer token, and the request and
// response types @hey-api/openapi-ts made for it. The client calls operations by operationId
// through this table, so the document alone says what each call sends and gets back.

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

/** hey-api's type name prefix for an operationId: `adminLookUpUser` → `AdminLookUpUser`. */
function typeName(operationId) {
  return operationId.charAt(0).toUpperCase() + operationId.slice(1);
}

/** Every operation of the document, in document order. */
export function operationsOf(document) {
  const operations = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      if (typeof operation.operationId !== 'string') throw new Error(`${method} ${path} has no operationId`);
      const bearer = Array.isArray(operation.security) && operation.security.some((entry) => 'bearer' in entry);
      operations.push({ id: operation.operationId, method: method.toUpperCase(), path, bearer });
    }
  }
  return operations;
}

/** The text of operations.gen.ts for the document. */
export function renderOperations(document) {
  const operations = operationsOf(document);
  const table = operations
    .map(({ id, method, path, bearer }) => `  ${id}: { method: '${method}', path: '${path}', bearer: ${bearer} },`)
    .join('\n');
  const types = operations
    .map(({ id }) => `  ${id}: { data: T.${typeName(id)}Data; responses: T.${typeName(id)}Responses };`)
    .join('\n');
  return `// This file is generated from openapi.json by scripts/sdk-operations.mjs (npm run sdk:generate).

import type * as T from './types.gen.js';

/** Every native operation by operationId: how it is called. */
export const OPERATIONS = {
${table}
} as const;

export type OperationId = keyof typeof OPERATIONS;

/** Every native operation by operationId: what it sends and what it answers. */
export interface OperationTypes {
${types}
}
`;
}
