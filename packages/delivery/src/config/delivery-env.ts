import { type SettingSummary, summarizeSettings } from '@tessera/core';
import { DELIVERY_SETTINGS } from './delivery-settings.js';

/** One environment variable of the delivery settings, for README tables and `--help` output. */
export type DeliveryEnvVar = SettingSummary;

/** Every variable loadDeliveryConfig reads, in the order an operator sets them, from delivery-settings.ts. */
export const DELIVERY_ENV_VARS: readonly DeliveryEnvVar[] = summarizeSettings(DELIVERY_SETTINGS);
