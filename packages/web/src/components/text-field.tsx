import { useEffect, useId, useRef } from 'preact/hooks';

export interface TextFieldProps {
  label: string;
  value: string;
  onInput(value: string): void;
  type?: 'text' | 'password' | 'email' | 'tel' | 'search' | 'number';
  autoComplete?: string;
  name?: string;
  required?: boolean;
  error?: string | undefined;
  hint?: string;
  autoFocus?: boolean;
  inputMode?: 'text' | 'numeric' | 'tel' | 'email';
}

/** A labelled input whose error is tied to it (aria-invalid, aria-describedby). */
export function TextField(props: TextFieldProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  // The autofocus attribute is honoured only on page load; this field may appear later.
  useEffect(() => {
    if (props.autoFocus) input.current?.focus();
  }, [props.autoFocus]);
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
        type={props.type ?? 'text'}
        name={props.name}
        autoComplete={props.autoComplete}
        inputMode={props.inputMode}
        required={props.required}
        value={props.value}
        aria-invalid={props.error ? 'true' : 'false'}
        aria-describedby={described || undefined}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
      {props.error ? (
        <p class="field-error" id={`${id}-error`} role="alert">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}
