import { Type } from 'typebox';

/**
 * UAPI's envelope. A failure is HTTP 200 with `status: 0`, the messages in `errors` and no `data`
 * (401 for missing or wrong credentials, 429 for a limit, with the same envelope).
 */
export const UapiEnvelope = Type.Object({
  apiversion: Type.Literal(3),
  func: Type.String(),
  module: Type.Literal('TwoFactorAuth'),
  result: Type.Object({
    data: Type.Optional(
      Type.Unknown({
        description: 'The function’s output; absent on failure (cPanel writes null; its document types an object).',
      }),
    ),
    errors: Type.Union([Type.Array(Type.String()), Type.Null()]),
    messages: Type.Null(),
    metadata: Type.Object({}),
    status: Type.Union([Type.Literal(0), Type.Literal(1)]),
    warnings: Type.Null(),
  }),
});

const text = (description: string) => Type.Optional(Type.String({ description }));

/** Query (or form) parameters, as a script sends them. */
export function uapiQuery(parameters: Record<string, string>) {
  return Type.Object(
    Object.fromEntries(Object.entries(parameters).map(([name, description]) => [name, text(description)])),
    { additionalProperties: true },
  );
}
