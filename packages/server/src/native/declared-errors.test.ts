import { ErrorBody } from '@tessera/contract';
import { describe, expect, it } from 'vitest';
import { declaredOn, errorResponses, routeDeclares, routeErrorCodes } from './declared-errors.js';

describe('declared error codes', () => {
  it('groups the codes a route declares by their status', () => {
    const response = errorResponses('FLOW_NOT_FOUND', 'FACTOR_ALREADY_ACTIVE', 'FLOW_FINISHED');
    expect(Object.keys(response).sort()).toEqual(['404', '409']);
    expect(declaredOn(response[409])).toEqual(['FACTOR_ALREADY_ACTIVE', 'FLOW_FINISHED']);
    expect(declaredOn(ErrorBody)).toBeUndefined();
  });

  it('adds what the shape of a route implies: validation, body parsing, a token, the limits', () => {
    const bodiless = routeErrorCodes({ method: 'GET' });
    expect([...bodiless.keys()].sort()).toEqual([429, 503]);
    const withToken = routeErrorCodes({
      method: 'POST',
      security: [{ bearer: [] }],
      response: errorResponses('FORBIDDEN'),
    });
    expect(withToken.get(400)).toEqual(['VALIDATION_FAILED', 'MALFORMED_JSON']);
    expect(withToken.get(401)).toEqual(['UNAUTHENTICATED', 'TOKEN_INVALID']);
    expect(withToken.get(403)).toEqual(['FORBIDDEN', 'ACCOUNT_DISABLED']);
    expect(withToken.get(415)).toEqual(['UNSUPPORTED_MEDIA_TYPE']);
  });

  it('tells an undeclared code from a declared one; a bare status or no schema checks nothing', () => {
    const route = { method: 'GET', params: {}, response: errorResponses('FLOW_NOT_FOUND') };
    expect(routeDeclares(route, 'FLOW_NOT_FOUND')).toBe(true);
    expect(routeDeclares(route, 'VALIDATION_FAILED')).toBe(true);
    expect(routeDeclares(route, 'SESSION_NOT_FOUND')).toBe(false);
    expect(routeDeclares(route, 'UNAUTHENTICATED')).toBe(false);
    expect(routeDeclares({ response: errorResponses(404) }, 'SESSION_NOT_FOUND')).toBe(true);
    expect(routeDeclares(undefined, 'SESSION_NOT_FOUND')).toBe(true);
  });
});
