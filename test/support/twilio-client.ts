import twilio from 'twilio';

type RequestOptions = Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0];

/** One answer the client received: what the vendor spec validates. */
export interface TwilioAnswer {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

/**
 * twilio-node's documented custom `httpClient`: its own RequestClient, with every
 * `https://verify.twilio.com` URL sent to the test server instead, keeping each answer for the
 * vendor spec checks. Nothing else of the SDK is touched.
 */
export class TesseraRequestClient extends twilio.RequestClient {
  readonly answers: TwilioAnswer[] = [];

  constructor(private readonly base: string) {
    super();
  }

  override async request<TData>(opts: RequestOptions & { data?: TData }) {
    const uri = opts.uri.replace('https://verify.twilio.com', this.base);
    const response = await super.request({ ...opts, uri });
    const body: unknown =
      typeof response.body === 'string' && response.body !== '' ? JSON.parse(response.body) : response.body;
    this.answers.push({
      method: opts.method.toLowerCase(),
      path: new URL(uri).pathname,
      status: response.statusCode,
      body,
    });
    return response;
  }

  last(): TwilioAnswer {
    const answer = this.answers.at(-1);
    if (!answer) throw new Error('no answer yet');
    return answer;
  }
}

/** A twilio-node client for Tessera: the SDK as applications make it, but for `httpClient`. */
export function twilioClientFor(base: string, username: string, password: string, accountSid?: string) {
  const httpClient = new TesseraRequestClient(base);
  const client = twilio(username, password, { httpClient, ...(accountSid ? { accountSid } : {}) });
  return { client, httpClient };
}

/** The vendor document's path template of a request path (`/v2/Services/{Sid}`). */
export function specPathOf(path: string): string {
  return path
    .replace(
      /^\/v2\/Services\/VA[0-9a-f]{32}\/Entities\/[^/]+\/Factors\/YF[0-9a-f]{32}$/,
      '/v2/Services/{ServiceSid}/Entities/{Identity}/Factors/{Sid}',
    )
    .replace(
      /^\/v2\/Services\/VA[0-9a-f]{32}\/Entities\/[^/]+\/Challenges\/YC[0-9a-f]{32}$/,
      '/v2/Services/{ServiceSid}/Entities/{Identity}/Challenges/{Sid}',
    )
    .replace(
      /^\/v2\/Services\/VA[0-9a-f]{32}\/Entities\/[^/]+\/(Factors|Challenges)$/,
      '/v2/Services/{ServiceSid}/Entities/{Identity}/$1',
    )
    .replace(
      /^\/v2\/Services\/VA[0-9a-f]{32}\/Verifications\/VE[0-9a-f]{32}$/,
      '/v2/Services/{ServiceSid}/Verifications/{Sid}',
    )
    .replace(/^\/v2\/Services\/VA[0-9a-f]{32}\/(Verifications|VerificationCheck)$/, '/v2/Services/{ServiceSid}/$1')
    .replace(/^\/v2\/Services\/VA[0-9a-f]{32}$/, '/v2/Services/{Sid}');
}
