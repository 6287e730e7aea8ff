import type { Delivery, EmailMessage, SmsMessage } from '@tessera/core';

/**
 * A delivery port that keeps what it is given, so a flow test can read the code a user would
 * receive. The real providers (SMTP, webhook, Twilio) have their own tests against real servers;
 * `failNext` makes the next send fail as a provider outage would.
 */
export class Outbox implements Delivery {
  readonly smsSent: SmsMessage[] = [];
  readonly emailsSent: EmailMessage[] = [];
  private failures: { remaining: number; to: string | undefined } = { remaining: 0, to: undefined };
  private gate: Promise<void> | undefined;
  /** How many sends are waiting for a `hold` to be released. */
  waiting = 0;

  /**
   * Makes the next `count` sends fail; with `to`, only sends to that recipient, so that a send
   * still on its way for another test on the same server does not use the failure up.
   */
  failNext(count = 1, to?: string): void {
    this.failures = { remaining: count, to };
  }

  /**
   * Makes every send wait, as a slow provider would, until the returned function is called;
   * then the waiting sends go on (and are recorded, or fail as `failNext` says).
   */
  hold(): () => void {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.gate = gate;
    return () => {
      if (this.gate === gate) this.gate = undefined;
      release();
    };
  }

  readonly sms = {
    provider: 'outbox',
    send: async (message: SmsMessage): Promise<void> => {
      await this.passGate();
      this.maybeFail(message.to);
      this.smsSent.push(message);
    },
  };

  readonly email = {
    provider: 'outbox',
    send: async (message: EmailMessage): Promise<void> => {
      await this.passGate();
      this.maybeFail(message.to);
      this.emailsSent.push(message);
    },
  };

  /** Every SMS sent to this number. */
  smsTo(to: string): SmsMessage[] {
    return this.smsSent.filter((m) => m.to === to);
  }

  /** The code in the latest SMS to this number. */
  lastSmsCode(to: string): string {
    const message = this.smsSent.filter((m) => m.to === to).at(-1);
    if (!message?.code) throw new Error(`no SMS code sent to ${to}`);
    return message.code;
  }

  /** The code in the latest e-mail to this address. */
  lastEmailCode(to: string): string {
    const message = this.emailsSent.filter((m) => m.to === to && m.code).at(-1);
    if (!message?.code) throw new Error(`no e-mail code sent to ${to}`);
    return message.code;
  }

  notices(to: string): EmailMessage[] {
    return this.emailsSent.filter((m) => m.to === to && !m.code);
  }

  private async passGate(): Promise<void> {
    const gate = this.gate;
    if (!gate) return;
    this.waiting++;
    try {
      await gate;
    } finally {
      this.waiting--;
    }
  }

  private maybeFail(to: string): void {
    const { remaining, to: only } = this.failures;
    if (remaining > 0 && (only === undefined || only === to)) {
      this.failures.remaining--;
      throw new Error('provider unavailable');
    }
  }
}
