import { createRequire } from 'node:module';
import type { RedisLink } from './redis-link.js';

/*
 * A store for @fastify/rate-limit that counts in Redis while Redis answers and, while it does
 * not, either counts in this process's memory or refuses, as the operator chose
 * (TESSERA_REDIS_DOWN). The plugin's own Redis store waits for every command and its error
 * path either refuses every request or skips the limit silently; this one asks the link first,
 * so no request waits on a Redis known to be down, and goes back to Redis as soon as it answers.
 * The counts made in memory during an outage are not carried over to Redis: the window restarts
 * there, which at worst lets one window's worth more through.
 */

export interface CountResult {
  current: number;
  ttl: number;
}
type Callback = (error: Error | null, result?: CountResult) => void;

/** The shape of @fastify/rate-limit's stores (the plugin ships them untyped). */
interface CountStore {
  incr(key: string, callback: Callback, timeWindow: number, max: number): void;
  read(key: string, callback: Callback, timeWindow: number, max: number): void;
  child(routeOptions: object): CountStore;
}
interface StoreRouteOptions {
  continueExceeding?: boolean;
  exponentialBackoff?: boolean;
  cache?: number;
}
type LocalStoreConstructor = new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  cache?: number,
) => CountStore;
type RedisStoreConstructor = new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  redis: unknown,
  key?: string,
) => CountStore;

const require = createRequire(import.meta.url);
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as LocalStoreConstructor;
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as RedisStoreConstructor;

/** Refused because Redis is down and the operator chose to refuse meanwhile. */
export class CountsUnavailableError extends Error {
  constructor() {
    super('The rate-limit counts are out of reach.');
    this.name = 'CountsUnavailableError';
  }
}

/** The store class to hand the plugin (`store:`); it constructs it with its global parameters. */
export function failoverStore(
  link: RedisLink,
  options: { keyPrefix: string; whenDown: 'memory' | 'refuse' },
): new (
  pluginOptions: object,
) => CountStore {
  return class FailoverStore implements CountStore {
    private readonly redis: CountStore;
    private readonly memory: CountStore;

    // The plugin hands over its options untyped (FastifyRateLimitOptions is empty); these are
    // the ones the stores read.
    constructor(pluginOptions: object, stores?: { redis: CountStore; memory: CountStore }) {
      const params = pluginOptions as StoreRouteOptions;
      this.redis =
        stores?.redis ??
        new RedisStore(
          params.continueExceeding ?? false,
          params.exponentialBackoff ?? false,
          link.client,
          options.keyPrefix,
        );
      this.memory =
        stores?.memory ??
        new LocalStore(params.continueExceeding ?? false, params.exponentialBackoff ?? false, params.cache);
    }

    incr(key: string, callback: Callback, timeWindow: number, max: number): void {
      this.count('incr', key, callback, timeWindow, max);
    }

    read(key: string, callback: Callback, timeWindow: number, max: number): void {
      this.count('read', key, callback, timeWindow, max);
    }

    child(routeOptions: object): CountStore {
      const params = routeOptions as StoreRouteOptions;
      return new FailoverStore(params, {
        redis: this.redis.child(params),
        memory: this.memory.child(params),
      });
    }

    private count(method: 'incr' | 'read', key: string, callback: Callback, timeWindow: number, max: number): void {
      if (!link.reachable) {
        this.meanwhile(method, key, callback, timeWindow, max);
        return;
      }
      this.redis[method](
        key,
        (error, result) => {
          if (!error) {
            callback(null, result);
            return;
          }
          // A Redis known to be up failed this command (it timed out, or the connection dropped
          // under it): this request is counted the other way, and so are the next ones until it answers.
          link.commandFailed(error);
          this.meanwhile(method, key, callback, timeWindow, max);
        },
        timeWindow,
        max,
      );
    }

    private meanwhile(method: 'incr' | 'read', key: string, callback: Callback, timeWindow: number, max: number): void {
      if (options.whenDown === 'refuse') {
        callback(new CountsUnavailableError());
        return;
      }
      this.memory[method](key, callback, timeWindow, max);
    }
  };
}
