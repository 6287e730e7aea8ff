import type { Core } from '@tessera/core';
import { installExternalIdPaths } from './external-id-paths.js';
import type { NativeApp } from './native-app.js';
import { installNativeErrorHandling } from './native-errors.js';
import { registerAdminRoutes } from './routes/admin.routes.js';
import { registerAdminAccountRoutes } from './routes/admin-accounts.routes.js';
import { registerAdminHistoryRoutes } from './routes/admin-history.routes.js';
import { registerAdminIssuerRoutes } from './routes/admin-issuer.routes.js';
import { registerAdminPolicyRoutes } from './routes/admin-policy.routes.js';
import { registerAdminTotpTransferRoutes } from './routes/admin-totp-transfer.routes.js';
import { registerAdminUserRoutes } from './routes/admin-users.routes.js';
import { registerAdminWebhookRoutes } from './routes/admin-webhooks.routes.js';
import { registerApiTokenRoutes } from './routes/api-tokens.routes.js';
import { registerAuthRoutes } from './routes/auth.routes.js';
import { registerBackupCodeRoutes } from './routes/backup-codes.routes.js';
import { registerChallengeRoutes } from './routes/challenges.routes.js';
import { registerContactChangeRoutes } from './routes/contact-change.routes.js';
import { registerDisableRoutes } from './routes/disable.routes.js';
import { registerEnableRoutes } from './routes/enable.routes.js';
import { registerFactorRoutes } from './routes/factors.routes.js';
import { registerHistoryRoutes } from './routes/history.routes.js';
import { registerIssuerRoutes } from './routes/issuer.routes.js';
import { registerPasswordRoutes } from './routes/password.routes.js';
import { registerSessionRoutes } from './routes/sessions.routes.js';
import { registerTrustedDeviceRoutes } from './routes/trusted-devices.routes.js';
import { registerTwoFactorStatusRoutes } from './routes/two-factor-status.routes.js';
import { registerWebAuthnRoutes } from './routes/webauthn.routes.js';

export const NATIVE_PREFIX = '/api/v1';

/** Tessera's own API. Registered with prefix /api/v1 in its own encapsulation context. */
export function nativeApiPlugin(core: Core) {
  return async (app: NativeApp): Promise<void> => {
    app.decorateRequest('actor', null);
    installNativeErrorHandling(app);
    installExternalIdPaths(app, core);
    registerAuthRoutes(app, core);
    registerFactorRoutes(app, core);
    registerApiTokenRoutes(app, core);
    registerAdminRoutes(app, core);
    // The signed-in user's own 2FA.
    registerTwoFactorStatusRoutes(app, core);
    registerEnableRoutes(app, core);
    registerDisableRoutes(app, core);
    registerChallengeRoutes(app, core);
    registerBackupCodeRoutes(app, core);
    registerWebAuthnRoutes(app, core);
    registerHistoryRoutes(app, core);
    registerTrustedDeviceRoutes(app, core);
    registerPasswordRoutes(app, core);
    registerSessionRoutes(app, core);
    registerContactChangeRoutes(app, core);
    registerIssuerRoutes(app, core);
    // Admin operations on other users' 2FA, the system-wide issuer and the 2FA policy.
    registerAdminUserRoutes(app, core);
    registerAdminAccountRoutes(app, core);
    registerAdminTotpTransferRoutes(app, core);
    registerAdminIssuerRoutes(app, core);
    registerAdminWebhookRoutes(app, core);
    registerAdminPolicyRoutes(app, core);
    registerAdminHistoryRoutes(app, core);
  };
}
