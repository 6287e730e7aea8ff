import { EXTERNAL_ID_PATH_PREFIX } from '@tessera/contract';
import type { Core } from '@tessera/core';
import { actorOf, type NativeApp } from './native-app.js';

/**
 * Every admin route that names an account in its path (`/admin/users/{userId}/…`) also takes
 * `ext:` and the platform's own id for it, so a platform that keeps its users (integration way 2)
 * never has to store Tessera's ids. Resolved once here, after the route's authentication and
 * validation: the handlers only ever see a Tessera id. The lookup is itself an admin read, so
 * no one else learns which platform ids exist.
 */
export function installExternalIdPaths(app: NativeApp, core: Core): void {
  app.addHook('preHandler', async (request) => {
    const params = request.params as { userId?: unknown } | undefined;
    const userId = params?.userId;
    if (!params || typeof userId !== 'string' || !userId.startsWith(EXTERNAL_ID_PATH_PREFIX)) return;
    const externalId = userId.slice(EXTERNAL_ID_PATH_PREFIX.length);
    params.userId = (await core.userAdmin.lookup(actorOf(request), { externalId })).id;
  });
}
