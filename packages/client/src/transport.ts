import { parseRetryAfter, TesseraError, type TesseraErrorBody } from './error.js';
import { OPERATIONS, type OperationId, type OperationTypes } from './generated/operations.gen.js';

/** The tokens a signed-in client sends: an access token, and the refresh token that renews it. */
export interface Tokens {
  accessToken: string;
  /** Absent for an API token, which is never refreshed. */
  refreshToken?: string;
}

/** Called whenever the client's tokens change (sign-in, refresh, sign-out, a refused refresh). */
export type TokensListener = (tokens: Tokens | null) => void | Promise<void>;

export interface TransportOptions {
  /** Where Tessera is, with any path prefix a reverse proxy adds: `https://2fa.example.com`. */
  baseUrl: string;
  /** The fetch to use; `globalThis.fetch` by default. */
  fetch?: typeof fetch;
  tokens?: Tokens | null;
  onTokens?: TokensListener;
  /** Headers sent with every request (a proxy's, say). */
  headers?: Record<string, string>;
}

type Data<Id extends OperationId> = OperationTypes[Id]['data'];
type Responses<Id extends OperationId> = OperationTypes[Id]['responses'];

/** What an operation answers on success (its 2xx body; `void` for 204). */
export type ResultOf<Id extends OperationId> = Responses<Id>[keyof Responses<Id>];
export type BodyOf<Id extends OperationId> = Data<Id>['body'];
export type PathOf<Id extends OperationId> = NonNullable<Data<Id>['path']>;
export type QueryOf<Id extends OperationId> = NonNullable<Data<Id>['query']>;

export interface CallInput {
  path?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
}

/** The access token expired or was revoked: the only refusal a refresh can cure. */
const REFRESHABLE = 'TOKEN_INVALID';
/** The refresh token is spent or its session revoked: the client is signed out. */
const SESSION_OVER = new Set(['REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_REUSED']);

/**
 * Sends operations by operationId and keeps the tokens: the one place that knows HTTP. An
 * operation that takes a bearer token gets the access token; when the server says that token is
 * no longer valid and a refresh token is at hand, the tokens are refreshed once (one refresh for
 * all the calls that were refused together) and the call is sent again.
 */
export class Transport {
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch | undefined;
  readonly #onTokens: TokensListener | undefined;
  readonly #headers: Record<string, string>;
  #tokens: Tokens | null;
  #refreshing: Promise<void> | undefined;

  constructor(options: TransportOptions) {
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch;
    this.#onTokens = options.onTokens;
    this.#headers = { ...options.headers };
    this.#tokens = options.tokens ?? null;
  }

  get tokens(): Tokens | null {
    return this.#tokens;
  }

  async setTokens(tokens: Tokens | null): Promise<void> {
    this.#tokens = tokens;
    await this.#onTokens?.(tokens);
  }

  async call<Id extends OperationId>(id: Id, input: CallInput = {}): Promise<ResultOf<Id>> {
    const operation = OPERATIONS[id];
    const sentWith = operation.bearer ? this.#tokens : null;
    const first = await this.#send(id, input, sentWith?.accessToken);
    if (first.ok) return (await this.#result(first)) as ResultOf<Id>;
    const error = await this.#error(id, first);
    if (!sentWith?.refreshToken || error.code !== REFRESHABLE) throw error;
    // Another call may have refreshed the tokens while this one was on its way.
    if (this.#tokens?.accessToken === sentWith.accessToken) await this.refresh();
    const retried = await this.#send(id, input, this.#tokens?.accessToken);
    if (retried.ok) return (await this.#result(retried)) as ResultOf<Id>;
    throw await this.#error(id, retried);
  }

  /** Renews the tokens with the refresh token; concurrent callers share one request. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refreshOnce().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refreshOnce(): Promise<void> {
    const refreshToken = this.#tokens?.refreshToken;
    if (!refreshToken) {
      throw new TesseraError({
        status: 401,
        operationId: 'refreshTokens',
        body: { code: 'REFRESH_TOKEN_INVALID', message: 'The client holds no refresh token: sign in first.' },
      });
    }
    const response = await this.#send('refreshTokens', { body: { refreshToken } }, undefined);
    if (!response.ok) {
      const error = await this.#error('refreshTokens', response);
      if (SESSION_OVER.has(error.code)) await this.setTokens(null);
      throw error;
    }
    const renewed = (await this.#result(response)) as ResultOf<'refreshTokens'>;
    await this.setTokens({ accessToken: renewed.accessToken, refreshToken: renewed.refreshToken });
  }

  async #send(id: OperationId, input: CallInput, accessToken: string | undefined): Promise<Response> {
    const operation = OPERATIONS[id];
    const headers: Record<string, string> = { accept: 'application/json', ...this.#headers };
    if (accessToken !== undefined) headers.authorization = `Bearer ${accessToken}`;
    let body: string | undefined;
    if (input.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(input.body);
    }
    const fetcher = this.#fetch ?? globalThis.fetch;
    return fetcher(this.#url(operation.path, input), { method: operation.method, headers, body });
  }

  #url(template: string, input: CallInput): string {
    const path = template.replace(/\{(\w+)\}/g, (_match, name: string) => {
      const value = input.path?.[name];
      if (value === undefined) throw new TypeError(`Missing path parameter "${name}" for ${template}`);
      return encodeURIComponent(value);
    });
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(input.query ?? {})) {
      if (value !== undefined) query.append(name, String(value));
    }
    const search = query.toString();
    return `${this.#baseUrl}${path}${search ? `?${search}` : ''}`;
  }

  async #result(response: Response): Promise<unknown> {
    if (response.status === 204) return undefined;
    return response.json();
  }

  async #error(operationId: OperationId, response: Response): Promise<TesseraError> {
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    const text = await response.text();
    return new TesseraError({
      status: response.status,
      operationId,
      body: errorBody(text) ?? {
        code: 'UNEXPECTED_RESPONSE',
        message: `HTTP ${response.status} without a Tessera error body: ${text.slice(0, 200)}`,
      },
      ...(retryAfter === undefined ? {} : { retryAfter }),
    });
  }
}

/** The `error` object of a Tessera error body, or undefined for anything else. */
function errorBody(text: string): TesseraErrorBody | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || !('error' in parsed)) return undefined;
    const error: unknown = parsed.error;
    if (typeof error !== 'object' || error === null) return undefined;
    if (!('code' in error) || typeof error.code !== 'string') return undefined;
    if (!('message' in error) || typeof error.message !== 'string') return undefined;
    return error as TesseraErrorBody;
  } catch {
    return undefined;
  }
}
