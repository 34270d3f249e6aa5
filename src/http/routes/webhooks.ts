// GET + POST /webhooks/messenger: Meta's verification handshake and event intake.

import { verifyChallenge } from '../../app/webhook-handshake.ts';
import { WebhookIntake } from '../../app/webhook-intake.ts';
import type { App, ServerDeps } from '../deps.ts';
import { errorBody } from '../errors.ts';
import { SECURITY_HEADERS } from '../security-headers.ts';
import { BodyGate, DEFAULT_WEBHOOK_LIMITS } from '../webhook-gate.ts';

export async function webhookRoutes(app: App, deps: ServerDeps) {
  const intake = new WebhookIntake(deps.ctx, { commitsInFlight: deps.webhook.commitsInFlight ?? 1 });
  const limits = { ...DEFAULT_WEBHOOK_LIMITS, ...deps.webhook.limits };
  const gate = new BodyGate(limits, (reason) => deps.metrics.webhooksRejected.inc({ reason }));
  app.addHook('onClose', async () => gate.close());
  // The per-delivery series, bound once (a labelled inc looks its series up by the labels every time).
  const events = {
    stored: deps.metrics.webhookEvents.labels({ stage: 'stored' }),
    duplicate: deps.metrics.webhookEvents.labels({ stage: 'duplicate' }),
  };
  app.get('/webhooks/messenger', { schema: { hide: true } }, async (req, reply) => {
    // The handshake echoes a value the caller chose: it gets the headers every other page has.
    reply.headers(SECURITY_HEADERS);
    const challenge = deps.webhook.verifyToken
      ? verifyChallenge(req.query as Record<string, unknown>, deps.webhook.verifyToken)
      : null;
    if (challenge === null) {
      deps.metrics.webhooksRejected.inc({ reason: 'verify_token' });
      return reply.status(403).send(errorBody('verification_failed', 'hub.verify_token does not match.'));
    }
    return reply.type('text/plain').send(challenge);
  });

  app.post(
    '/webhooks/messenger',
    // No browser security headers, no API hooks (server.ts registers this before them).
    { schema: { hide: true }, bodyLimit: limits.bodyLimit, onRequest: gate.enter },
    async (req, reply) => {
      deps.metrics.webhooksReceived.inc();
      const header = req.headers['x-hub-signature-256'];
      const result = await intake.accept({
        raw: req.rawBody ?? Buffer.alloc(0),
        signature: Array.isArray(header) ? header[0] : header,
        body: req.body,
        appSecret: deps.webhook.appSecret,
        onAuthenticated: () => gate.release(req),
      });
      switch (result.status) {
        case 'unsigned':
          deps.metrics.webhooksRejected.inc({ reason: 'unsigned' });
          return reply.status(401).send(errorBody('signature_missing', 'X-Hub-Signature-256 is required.'));
        case 'bad_signature':
          // One answer whether the page is unknown or the secret wrong: no oracle for connected pages.
          deps.metrics.webhooksRejected.inc({
            reason: result.reason === 'unknown_page' ? 'unknown_page' : 'bad_signature',
          });
          return reply.status(403).send(
            errorBody('signature_invalid', 'X-Hub-Signature-256 does not match the body.', {
              en: 'X-Hub-Signature-256 does not match the body under the app secret of every page it names.',
              vi: 'Chữ ký X-Hub-Signature-256 không khớp với khóa bí mật ứng dụng của Fanpage trong dữ liệu.',
            }),
          );
        case 'invalid_body': {
          const { code, en, vi, at } = result.problem;
          deps.metrics.webhooksRejected.inc({ reason: 'invalid_body' });
          return reply.status(400).send(errorBody(code, en, { en, vi, at }));
        }
        case 'accepted':
          if (result.dropped > 0) {
            deps.metrics.webhookEvents.inc({ stage: 'dropped_suspended' }, result.dropped);
            // Logged whatever the request logger: the operator sees a suspended shop's traffic.
            console.warn(`[webhooks] ${result.dropped} event(s) of a suspended workspace dropped`);
          }
          events.stored.inc(result.stored);
          events.duplicate.inc(result.events - result.stored);
          return reply.status(200).send('EVENT_RECEIVED');
      }
    },
  );
}
