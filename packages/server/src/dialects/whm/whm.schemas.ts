import { Type } from 'typebox';

const Metadata = Type.Object({
  command: Type.String({ description: 'The function called.' }),
  reason: Type.String({ description: '"OK", or why the call failed.' }),
  result: Type.Union([Type.Literal(0), Type.Literal(1)], { description: '1 on success, 0 on failure.' }),
  version: Type.Literal(1),
});

/**
 * WHM API 1's envelope. A failure is HTTP 200 with `result: 0` and no `data` (401 for missing or
 * wrong credentials, 429 for a limit, with the same envelope).
 */
export const WhmEnvelope = Type.Object({
  data: Type.Optional(Type.Unknown({ description: 'The function’s output; absent on failure and where it has none.' })),
  metadata: Metadata,
});

const text = (description: string) => Type.Optional(Type.String({ description }));

/** Query (or form) parameters, as a script sends them; every function takes `api.version=1`. */
export function whmQuery(parameters: Record<string, string>) {
  return Type.Object(
    {
      'api.version': text('1 (accepted and echoed as metadata.version).'),
      ...Object.fromEntries(Object.entries(parameters).map(([name, description]) => [name, text(description)])),
    },
    { additionalProperties: true },
  );
}
