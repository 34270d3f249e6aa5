// GET + POST /webhooks/messenger: Meta's verification handshake and event intake.

import { verifyChallenge } from '../../app/webhook-handshake.ts';
import { WebhookIntake } from '../../app/webhooks.ts';
import type { App, ServerDeps } from '../deps.ts';
import { errorBody } from '../errors.ts';

export async function webhookRoutes(app: App, deps: ServerDeps) {
  const intake = new WebhookIntake(deps.ctx);
  app.get('/webhooks/messenger', { schema: { hide: true } }, async (req, reply) => {
    const challenge = deps.webhook.verifyToken
      ? verifyChallenge(req.query as Record<string, unknown>, deps.webhook.verifyToken)
      : null;
    if (challenge === null) {
      deps.metrics.webhooksRejected.inc({ reason: 'verify_token' });
      return reply.status(403).send(errorBody('verification_failed', 'hub.verify_token does not match.'));
    }
    return reply.type('text/plain').send(challenge);
  });

  app.post('/webhooks/messenger', { schema: { hide: true } }, async (req, reply) => {
    deps.metrics.webhooksReceived.inc();
    const header = req.headers['x-hub-signature-256'];
    const result = await intake.accept({
      raw: req.rawBody ?? Buffer.alloc(0),
      signature: Array.isArray(header) ? header[0] : header,
      body: req.body,
      appSecret: deps.webhook.appSecret,
    });
    switch (result.status) {
      case 'unsigned':
        deps.metrics.webhooksRejected.inc({ reason: 'unsigned' });
        return reply.status(401).send(errorBody('signature_missing', 'X-Hub-Signature-256 is required.'));
      case 'bad_signature':
        deps.metrics.webhooksRejected.inc({ reason: 'bad_signature' });
        return reply
          .status(403)
          .send(errorBody('signature_invalid', 'X-Hub-Signature-256 does not match the body.'));
      case 'invalid_body':
        deps.metrics.webhooksRejected.inc({ reason: 'invalid_body' });
        return reply.status(400).send(errorBody('invalid_webhook', result.message));
      case 'accepted':
        deps.metrics.webhookEvents.inc({ stage: 'stored' }, result.stored);
        deps.metrics.webhookEvents.inc({ stage: 'duplicate' }, result.events - result.stored);
        return reply.status(200).send('EVENT_RECEIVED');
    }
  });
}
