import {
  CreatedWebhook,
  CreateWebhookBody,
  RotatedWebhookSecret,
  UpdateWebhookBody,
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookDeliveryParams,
  WebhookDeliveryQuery,
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookIdParams,
} from '@tessera/contract';
import type { Core } from '@tessera/core';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAdminAuth } from '../native-app.js';

/** Admin: webhook endpoints, their signing secrets, and their deliveries. */
export function registerAdminWebhookRoutes(app: NativeApp, core: Core): void {
  const auth = requireAdminAuth(core);
  const tags = ['admin'];

  app.post(
    '/admin/webhooks',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminCreateWebhook',
        description:
          'Needs an admin token. Every event of the chosen types (all when `events` is empty) is POSTed to the URL, ' +
          'signed per Standard Webhooks with the secret in this answer, which is shown only once.',
        tags,
        summary: 'Register a webhook endpoint',
        security: BEARER,
        body: CreateWebhookBody,
        response: { 201: CreatedWebhook, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => reply.status(201).send(await core.webhooks.create(actorOf(request), request.body)),
  );

  app.get(
    '/admin/webhooks',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminListWebhooks',
        description: 'Needs an admin token. Secrets are never shown again.',
        tags,
        summary: 'The webhook endpoints',
        security: BEARER,
        response: { 200: WebhookEndpointList, ...errorResponses(401, 403) },
      },
    },
    async (request) => ({ endpoints: await core.webhooks.list(actorOf(request)) }),
  );

  app.get(
    '/admin/webhooks/:webhookId',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminGetWebhook',
        description: 'Needs an admin token. An unknown id is 404 WEBHOOK_NOT_FOUND.',
        tags,
        summary: 'One webhook endpoint',
        security: BEARER,
        params: WebhookIdParams,
        response: { 200: WebhookEndpoint, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => core.webhooks.get(actorOf(request), request.params.webhookId),
  );

  app.patch(
    '/admin/webhooks/:webhookId',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminUpdateWebhook',
        description:
          'Needs an admin token. Changes the fields given; `enabled: true` switches on an endpoint Tessera disabled ' +
          'after a 410 Gone (its pending deliveries then go out).',
        tags,
        summary: 'Change a webhook endpoint',
        security: BEARER,
        params: WebhookIdParams,
        body: UpdateWebhookBody,
        response: { 200: WebhookEndpoint, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => core.webhooks.update(actorOf(request), request.params.webhookId, request.body),
  );

  app.delete(
    '/admin/webhooks/:webhookId',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminDeleteWebhook',
        description: 'Needs an admin token. Its pending deliveries are dropped with it.',
        tags,
        summary: 'Remove a webhook endpoint',
        security: BEARER,
        params: WebhookIdParams,
        response: { 204: { type: 'null' }, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await core.webhooks.delete(actorOf(request), request.params.webhookId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/admin/webhooks/:webhookId/rotate-secret',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminRotateWebhookSecret',
        description:
          'Needs an admin token. The new secret (shown only now) signs from now on; the old one signs beside it until ' +
          '`previousSecretsExpireAt` (TESSERA_WEBHOOK_SECRET_OVERLAP_SECONDS), so receivers can switch without a gap.',
        tags,
        summary: "Rotate a webhook endpoint's signing secret",
        security: BEARER,
        params: WebhookIdParams,
        response: { 200: RotatedWebhookSecret, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => core.webhooks.rotateSecret(actorOf(request), request.params.webhookId),
  );

  app.get(
    '/admin/webhooks/:webhookId/deliveries',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminListWebhookDeliveries',
        description:
          'Needs an admin token. Newest first, each with its attempts: the status code, how long it took, and what ' +
          'went wrong when no answer came.',
        tags,
        summary: "A webhook endpoint's deliveries and their attempts",
        security: BEARER,
        params: WebhookIdParams,
        querystring: WebhookDeliveryQuery,
        response: { 200: WebhookDeliveryPage, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => core.webhooks.deliveries(actorOf(request), request.params.webhookId, request.query),
  );

  app.post(
    '/admin/webhooks/:webhookId/deliveries/:deliveryId/redeliver',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminRedeliverWebhook',
        description:
          'Needs an admin token. The delivery is due again at once, with a fresh round of retries and the same ' +
          '`webhook-id` (a receiver that already has it can drop it). An unknown delivery is 404 WEBHOOK_DELIVERY_NOT_FOUND.',
        tags,
        summary: 'Send a webhook delivery again',
        security: BEARER,
        params: WebhookDeliveryParams,
        response: { 200: WebhookDelivery, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => core.webhooks.redeliver(actorOf(request), request.params.webhookId, request.params.deliveryId),
  );
}
