import type { ComponentChildren } from 'preact';

/**
 * A message read out when it appears: errors as alerts (assertive), the rest as status
 * (polite). The element is always there, so screen readers notice a change of its text.
 */
export function Notice(props: { kind: 'error' | 'info' | 'success'; children?: ComponentChildren }) {
  const empty = props.children === undefined || props.children === null || props.children === '';
  return (
    <div
      class={empty ? 'notice notice-empty' : `notice notice-${props.kind}`}
      role={props.kind === 'error' ? 'alert' : 'status'}
      aria-live={props.kind === 'error' ? 'assertive' : 'polite'}
    >
      {props.children}
    </div>
  );
}
