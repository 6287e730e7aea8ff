/**
 * A provider did not accept a message. The message names the provider and says why, so an
 * operator can act on the log line alone; it never carries the message text or the code, only
 * facts about the failure (status, provider error code, network reason).
 */
export class DeliveryFailedError extends Error {
  /** The provider that failed: `webhook`, `twilio`, `smtp`, ... */
  readonly provider: string;
  /** The provider's own error code when it sent one (Twilio's numeric code, an SMTP reply code). */
  readonly providerCode: string | number | undefined;
  /** HTTP status of the provider's answer, when there was one. */
  readonly status: number | undefined;

  constructor(
    provider: string,
    reason: string,
    options: { providerCode?: string | number; status?: number; cause?: unknown } = {},
  ) {
    super(`${provider} delivery failed: ${reason}`, { cause: options.cause });
    this.name = 'DeliveryFailedError';
    this.provider = provider;
    this.providerCode = options.providerCode;
    this.status = options.status;
  }
}

export function isDeliveryFailedError(error: unknown): error is DeliveryFailedError {
  return error instanceof DeliveryFailedError;
}
