import type { Insertable, Selectable } from 'kysely';

/** A self-service flow (sign-in, …) and its state-machine state. Times are milliseconds since the epoch. */
export interface FlowTable {
  id: string;
  kind: string;
  user_id: string;
  state: string;
  data: string;
  attempts: number;
  version: number;
  created_at: number;
  expires_at: number;
}

export type FlowRow = Selectable<FlowTable>;
export type NewFlowRow = Insertable<FlowTable>;
