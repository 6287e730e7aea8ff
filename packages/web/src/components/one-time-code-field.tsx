import { useId, useLayoutEffect, useRef } from 'preact/hooks';

export interface OneTimeCodeFieldProps {
  label: string;
  value: string;
  onInput(value: string): void;
  /** Called once the code has this many digits (typed, pasted or filled by the browser). */
  submitAtLength?: number;
  onComplete?(code: string): void;
  error?: string | undefined;
  hint?: string;
  disabled?: boolean;
  autoFocus?: boolean;
}

/**
 * One field for every code: TOTP, SMS, e-mail and backup codes. A single input (never a row of
 * boxes, which breaks the browser's and the phone's autofill), numeric keyboard, whole-code
 * paste with any spaces or dashes taken out, and submit on the last digit.
 */
export function OneTimeCodeField(props: OneTimeCodeFieldProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  // Focused on arrival, and again once a check is over (a wrong code: type the next one). Before
  // the field is painted, so that keys typed as soon as it shows go into it.
  useLayoutEffect(() => {
    if (props.autoFocus !== false && !props.disabled) input.current?.focus();
  }, [props.autoFocus, props.disabled]);
  const described = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <input
        ref={input}
        id={id}
        class="code-input"
        type="text"
        name="one-time-code"
        inputMode="numeric"
        autoComplete="one-time-code"
        spellcheck={false}
        maxLength={24}
        value={props.value}
        disabled={props.disabled}
        aria-invalid={props.error ? 'true' : 'false'}
        aria-describedby={described || undefined}
        onInput={(event) => {
          const digits = event.currentTarget.value.replace(/\D/g, '');
          props.onInput(digits);
          if (props.submitAtLength !== undefined && digits.length === props.submitAtLength) props.onComplete?.(digits);
        }}
      />
      {props.error ? (
        <p class="field-error" id={`${id}-error`} role="alert">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}
