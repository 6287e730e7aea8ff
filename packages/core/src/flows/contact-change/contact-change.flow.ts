import { EMAIL_PATTERN } from '../../accounts/account-rules.js';
import { type AccountView, toAccountView } from '../../accounts/account-service.js';
import type { Reauthentication, ReauthenticationProof } from '../../accounts/reauthentication.js';
import { type Actor, clientIpOf } from '../../auth/actor.js';
import type { Authorizer } from '../../auth/authorizer.js';
import { newId } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import { type DeliveredCodeService, maskDestination, type SentCode } from '../../delivery/delivered-code-service.js';
import { TesseraError } from '../../errors/tessera-error.js';
import { changeContextFor, type HistoryService } from '../../history/history-service.js';
import { assertSmsCountryAllowed, normalizePhoneNumber } from '../../methods/sms/phone-number.js';
import type { NotificationService } from '../../notifications/notification-service.js';
import type { DeliveryChannel, FlowRecord, UserRecord } from '../../storage/records.js';
import type { Storage } from '../../storage/repositories.js';
import type { SuccessTokenOperation } from '../../success-tokens/success-token-service.js';
import { type FlowStore, flowData } from '../flow-store.js';
import type { CodeMessenger } from '../shared/code-messenger.js';
import {
  CONTACT_CHANGE_MAX_ATTEMPTS,
  CONTACT_CHANGE_TTL_SECONDS,
  type ContactChangeState,
  contactChangeMachine,
} from './contact-change.machine.js';

/** What a user may change of their own account this way. */
export type ContactField = 'email' | 'phone';

export interface ContactChangeStart {
  field: ContactField;
  /** The new e-mail address, or the new phone number (E.164; spaces and dashes are taken out). */
  value: string;
  proof: ReauthenticationProof;
}

export interface ContactChangeView {
  changeId: string;
  field: ContactField;
  state: ContactChangeState;
  attempts: number;
  expiresAt: string;
  /** Where the confirmation code went (masked): the new address or number. */
  delivery: SentCode;
}

interface ContactChangeData {
  field: ContactField;
  /** The new value, sealed to this flow: a phone number is never stored in clear. */
  sealedValue: string;
  deliveredCodeId: string;
  delivery: SentCode;
}

const PURPOSE = 'contact_change';
const CHANNEL: Record<ContactField, DeliveryChannel> = { email: 'email', phone: 'sms' };
const OPERATION: Record<ContactField, SuccessTokenOperation> = { email: 'change_email', phone: 'change_phone' };
const ACTION: Record<ContactField, string> = {
  email: 'confirm your new e-mail address',
  phone: 'confirm your new phone number',
};
const NAME: Record<ContactField, string> = { email: 'e-mail address', phone: 'phone number' };

/**
 * Changing one's own e-mail address or phone number: re-authenticated at the start (a stolen
 * access token alone cannot redirect where codes and notices go), proven by a code sent to the
 * NEW address or number (under the usual send limits, and for SMS the limits against SMS
 * pumping), confirmed within 10 minutes and 5 tries. The change, its history entry and the
 * flow's end are one unit of work; the old address is told afterwards.
 */
export class ContactChangeFlow {
  constructor(
    private readonly deps: {
      storage: Storage;
      flows: FlowStore;
      messenger: CodeMessenger;
      deliveredCodes: DeliveredCodeService;
      reauthentication: Reauthentication;
      history: HistoryService;
      notifications: NotificationService;
      authorizer: Authorizer;
      secretBox: SecretBox;
    },
  ) {}

  async start(actor: Actor, input: ContactChangeStart): Promise<ContactChangeView> {
    const userId = await this.deps.authorizer.own(actor, 'own.manage');
    const { storage, flows, messenger, reauthentication, secretBox } = this.deps;
    const value = this.normalize(input.field, input.value);
    const user = await storage.users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    if (currentValue(user, input.field) === value) {
      throw new TesseraError('VALIDATION_FAILED', { message: `That is already your ${NAME[input.field]}.` });
    }
    await reauthentication.confirm(actor, userId, OPERATION[input.field], input.proof);
    const changeId = newId();
    const delivery = await messenger.send(user, {
      channel: CHANNEL[input.field],
      destination: value,
      purpose: PURPOSE,
      action: ACTION[input.field],
      clientIp: clientIpOf(actor),
    });
    const data: ContactChangeData = {
      field: input.field,
      sealedValue: secretBox.seal(Buffer.from(value, 'utf8'), contactChangeSealContext(changeId)),
      deliveredCodeId: delivery.id,
      delivery,
    };
    const flow = await flows.createWithId(contactChangeMachine, changeId, userId, CONTACT_CHANGE_TTL_SECONDS, data);
    return view(flow, data);
  }

  /**
   * The code sent to the new address or number. A wrong code counts against this change (and
   * the code's own tries), not against the account's second factor: it proves the new address,
   * not who is asking, which the start already did.
   */
  async confirm(actor: Actor, changeId: string, code: string): Promise<AccountView> {
    const userId = await this.deps.authorizer.own(actor, 'own.manage');
    const { storage, flows, deliveredCodes, history, secretBox } = this.deps;
    const flow = await flows.load(contactChangeMachine, changeId, userId);
    await flows.assertOpen(contactChangeMachine, flow, 'EXPIRE');
    const data = flowData<ContactChangeData>(flow);
    deliveredCodes.assertWellFormed(code);
    await flows.countedCheck(
      contactChangeMachine,
      flow,
      () => deliveredCodes.check(data.deliveredCodeId, userId, [PURPOSE], code),
      { failEvent: 'VERIFY_FAIL', exhaustedEvent: 'ATTEMPTS_EXHAUSTED', maxAttempts: CONTACT_CHANGE_MAX_ATTEMPTS },
    );
    const value = secretBox.open(data.sealedValue, contactChangeSealContext(flow.id)).toString('utf8');
    const before = await storage.users.findById(userId);
    if (!before) throw new TesseraError('USER_NOT_FOUND');
    const after = await storage.transaction(async (tx) => {
      await flows.advance(contactChangeMachine, flow, 'VERIFY_OK', {}, tx.flows);
      if (data.field === 'email') {
        // Checked only now, once the address is proven: before, it would tell a signed-in
        // stranger which addresses have accounts.
        const outcome = await tx.users.updateEmail(userId, value);
        if (outcome === 'email_taken') throw new TesseraError('EMAIL_TAKEN');
        if (outcome === 'not_found') throw new TesseraError('USER_NOT_FOUND');
      } else if (!(await tx.users.updatePhone(userId, value))) {
        throw new TesseraError('USER_NOT_FOUND');
      }
      await history.record(
        {
          userId,
          method: data.field,
          action: 'contact_change',
          enabled: true,
          details: {
            from: previousMasked(before, data.field),
            to: maskDestination(CHANNEL[data.field], value),
          },
        },
        changeContextFor(actor, userId),
        tx,
      );
      return tx.users.findById(userId);
    });
    if (!after) throw new TesseraError('USER_NOT_FOUND');
    // To the address the account had: whoever changed it, its owner hears of it there.
    this.deps.notifications.notify(before, {
      type: 'contact_changed',
      what: NAME[data.field],
      to: maskDestination(CHANNEL[data.field], value),
    });
    return toAccountView(after);
  }

  async status(actor: Actor, changeId: string): Promise<ContactChangeView> {
    const userId = await this.deps.authorizer.own(actor, 'own.read');
    const flow = await this.deps.flows.load(contactChangeMachine, changeId, userId);
    return view(flow, flowData<ContactChangeData>(flow));
  }

  private normalize(field: ContactField, input: string): string {
    if (field === 'phone') {
      const number = normalizePhoneNumber(input);
      // The code goes there by SMS: the same countries as for SMS codes.
      assertSmsCountryAllowed(number, this.deps.deliveredCodes.policy.smsCountries);
      return number;
    }
    const address = input.trim();
    if (!EMAIL_PATTERN.test(address)) {
      throw new TesseraError('VALIDATION_FAILED', { message: 'email is not an e-mail address.' });
    }
    return address;
  }
}

function currentValue(user: UserRecord, field: ContactField): string | null {
  return field === 'email' ? user.email : user.phone;
}

function previousMasked(user: UserRecord, field: ContactField): string | null {
  const previous = currentValue(user, field);
  return previous === null ? null : maskDestination(CHANNEL[field], previous);
}

/** What the new value of a contact change is bound to when sealed (also used by the key rotation). */
export function contactChangeSealContext(changeId: string): string {
  return `contact-change:${changeId}`;
}

function view(flow: FlowRecord, data: ContactChangeData): ContactChangeView {
  return {
    changeId: flow.id,
    field: data.field,
    state: flow.state as ContactChangeState,
    attempts: flow.attempts,
    expiresAt: flow.expiresAt.toISOString(),
    delivery: data.delivery,
  };
}
