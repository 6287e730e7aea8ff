import { Type } from 'typebox';
import { DateTime, TokenString } from './formats.js';

export const BackupCodeSet = Type.Object({
  codes: Type.Array(Type.String(), { description: 'Shown once: store them somewhere safe.' }),
  remaining: Type.Integer(),
  createdAt: DateTime,
});

export const RegenerateBody = Type.Object({ successToken: TokenString }, { additionalProperties: false });

export const BackupCodeStatus = Type.Object({ active: Type.Boolean(), remaining: Type.Integer() });
