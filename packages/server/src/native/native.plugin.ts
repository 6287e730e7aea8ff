import type { Core } from '@tessera/core';
import type { NativeApp } from './native-app.js';
import { installNativeErrorHandling } from './native-errors.js';
import { registerAdminRoutes } from './routes/admin.routes.js';
import { registerAdminTwoFactorRoutes } from './routes/admin-two-factor.routes.js';
import { registerApiTokenRoutes } from './routes/api-tokens.routes.js';
import { registerAuthRoutes } from './routes/auth.routes.js';
import { registerFactorRoutes } from './routes/factors.routes.js';
import { registerTwoFactorRoutes } from './routes/two-factor.routes.js';

export const NATIVE_PREFIX = '/api/v1';

/** Tessera's own API. Registered with prefix /api/v1 in its own encapsulation context. */
export function nativeApiPlugin(core: Core) {
  return async (app: NativeApp): Promise<void> => {
    app.decorateRequest('principal', null);
    installNativeErrorHandling(app);
    registerAuthRoutes(app, core);
    registerFactorRoutes(app, core);
    registerApiTokenRoutes(app, core);
    registerAdminRoutes(app, core);
    registerTwoFactorRoutes(app, core);
    registerAdminTwoFactorRoutes(app, core);
  };
}
