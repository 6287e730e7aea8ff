import {
  type AuthenticationResponseJSON,
  browserSupportsWebAuthnAutofill,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
  WebAuthnAbortService,
} from '@simplewebauthn/browser';
import { useEffect, useRef, useState } from 'preact/hooks';
import { client } from '../../services/client.js';

export interface PickedPasskey {
  challengeId: string;
  assertion: AuthenticationResponseJSON;
}

/**
 * Passkeys on the sign-in form. Asks the server once whether passkeys sign in here (so a server
 * without WebAuthn is never sent a ceremony), and while `active` keeps a conditional-mediation
 * ceremony open: the browser then lists the site's passkeys in the username field's autofill
 * (`autocomplete="username webauthn"`), and picking one hands its assertion to `onPicked`.
 * A new `round` starts a fresh ceremony (after the previous one was spent or cancelled), and so
 * does the ceremony's own timeout drawing near: its challenge expires on the server then, and a
 * passkey picked from a page left open would be refused (and counted as a failure). Leaving
 * the form, or `cancelAutofill` when the person signs in otherwise, aborts the open one, whose
 * rejection is expected and shown to no one.
 */
export function usePasskeyAutofill(
  active: boolean,
  round: number,
  onPicked: (picked: PickedPasskey) => void,
): { available: boolean } {
  const [available, setAvailable] = useState(false);
  /** Bumped shortly before the open ceremony's challenge expires, to open a fresh one. */
  const [renewal, setRenewal] = useState(0);
  const picked = useRef(onPicked);
  picked.current = onPicked;

  useEffect(() => {
    let ended = false;
    client.webauthn
      .passkeyAvailability()
      .then((answer) => {
        if (!ended) setAvailable(answer.available);
      })
      // Unreachable or refused: the form offers what it always does, the password.
      .catch(() => undefined);
    return () => {
      ended = true;
    };
  }, []);

  useEffect(() => {
    if (!active || !available) return;
    let ended = false;
    let renew: ReturnType<typeof setTimeout> | undefined;
    (async () => {
      if (!(await browserSupportsWebAuthnAutofill())) return;
      const ceremony = await client.webauthn.passkeyOptions();
      if (ended) return;
      const timeout = Number(ceremony.options.timeout);
      if (timeout > 0) renew = setTimeout(() => setRenewal((n) => n + 1), renewalDelay(timeout));
      const assertion = await startAuthentication({
        optionsJSON: ceremony.options as unknown as PublicKeyCredentialRequestOptionsJSON,
        useBrowserAutofill: true,
      });
      if (!ended) picked.current({ challengeId: ceremony.challengeId, assertion });
    })().catch(() => {
      // Aborted (the person signed in otherwise, or a modal prompt took over), timed out, or the
      // options could not be had: the form works without autofill.
    });
    return () => {
      ended = true;
      clearTimeout(renew);
      cancelAutofill();
    };
  }, [active, available, round, renewal]);

  return { available };
}

/** Renew this long before the challenge expires (a person may be picking a passkey just then). */
const RENEWAL_MARGIN_MS = 15_000;

function renewalDelay(timeoutMs: number): number {
  return Math.max(timeoutMs - RENEWAL_MARGIN_MS, timeoutMs / 2);
}

/** Ends the open autofill ceremony, if any: the browser stops offering passkeys in the field. */
export function cancelAutofill(): void {
  WebAuthnAbortService.cancelCeremony();
}
