import { Type } from 'typebox';
import { DateTime, Uuid } from './formats.js';

export const TrustedDevice = Type.Object({
  id: Uuid,
  label: Type.String(),
  createdAt: DateTime,
  expiresAt: DateTime,
  lastUsedAt: Type.Union([DateTime, Type.Null()]),
});
