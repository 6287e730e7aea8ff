import type { SmsMessage, SmsSender } from '@tessera/core';
import { DeliveryFailedError } from '../delivery-failed-error.js';
import { DEFAULT_TIMEOUT_MS, post } from '../http/post.js';

export const TWILIO_DEFAULT_BASE_URL = 'https://api.twilio.com';

export interface TwilioSmsOptions {
  accountSid: string;
  authToken: string;
  /**
   * The sender: a phone number or alphanumeric sender ID (sent as `From`), or a Messaging
   * Service SID `MG...` (sent as `MessagingServiceSid`, Twilio then picks the number).
   */
  from: string;
  /** Overridable for Twilio-compatible gateways and tests. @default "https://api.twilio.com" */
  baseUrl?: string;
  /** @default 5000 */
  timeoutMs?: number;
}

const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;

/** Sends through Twilio's Messages REST API (one POST per message, HTTP Basic auth). */
export function createTwilioSmsSender(options: TwilioSmsOptions): SmsSender {
  const baseUrl = (options.baseUrl ?? TWILIO_DEFAULT_BASE_URL).replace(/\/+$/, '');
  const url = `${baseUrl}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  const senderField = MESSAGING_SERVICE_SID.test(options.from) ? 'MessagingServiceSid' : 'From';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  return {
    provider: 'twilio',
    async send(message: SmsMessage): Promise<void> {
      const form = new URLSearchParams({ To: message.to, [senderField]: options.from, Body: message.body });
      const answer = await post('twilio', url, {
        headers: {
          Authorization: authorization,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: form.toString(),
        timeoutMs,
      });
      if (!answer.ok) throw twilioError(answer.status, answer.text);
    },
  };
}

/** Twilio answers an error with JSON `{code, message, more_info, status}`; keep its code and message. */
function twilioError(status: number, text: string): DeliveryFailedError {
  const parsed = parseJson(text);
  const code = typeof parsed?.code === 'number' || typeof parsed?.code === 'string' ? parsed.code : undefined;
  const detail = typeof parsed?.message === 'string' ? parsed.message : undefined;
  if (code !== undefined || detail !== undefined) {
    const reason = `Twilio error${code === undefined ? '' : ` ${code}`} (HTTP ${status})${detail ? `: ${detail}` : ''}`;
    return new DeliveryFailedError('twilio', reason, { status, ...(code === undefined ? {} : { providerCode: code }) });
  }
  return new DeliveryFailedError('twilio', `Twilio answered HTTP ${status}`, { status });
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
