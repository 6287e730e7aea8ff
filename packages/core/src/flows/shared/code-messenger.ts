import type { DeliveredCodeService, SentCode } from '../../delivery/delivered-code-service.js';
import type { IssuerSettings } from '../../settings/issuer-settings.js';
import type { DeliveryChannel, UserRecord } from '../../storage/records.js';

/** Sends a one-time code to a user for one purpose, in the user's issuer's name. */
export class CodeMessenger {
  constructor(private readonly deps: { deliveredCodes: DeliveredCodeService; issuers: IssuerSettings }) {}

  async send(
    user: UserRecord,
    message: {
      channel: DeliveryChannel;
      destination: string;
      purpose: string;
      action: string;
      id?: string;
      /** The caller's address (the actor's clientIp), for the per-address SMS limits. */
      clientIp?: string | null;
    },
  ): Promise<SentCode> {
    return this.deps.deliveredCodes.send({
      ...message,
      userId: user.id,
      issuer: await this.deps.issuers.issuerFor(user),
    });
  }
}
