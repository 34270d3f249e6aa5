// Prometheus metrics: webhooks received / rejected / processed, sends by outcome, queue depth.
import { Counter, Gauge, Registry } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  const webhooksReceived = new Counter({
    name: 'renotify_webhooks_received_total',
    help: 'Webhook deliveries received',
    registers: [registry],
  });
  const webhooksRejected = new Counter({
    name: 'renotify_webhooks_rejected_total',
    help: 'Webhook deliveries rejected',
    labelNames: ['reason'],
    registers: [registry],
  });
  const webhookEvents = new Counter({
    name: 'renotify_webhook_events_total',
    help: 'Webhook events by stage (stored, duplicate, processed)',
    labelNames: ['stage'],
    registers: [registry],
  });
  const sends = new Counter({
    name: 'renotify_sends_total',
    help: 'Outgoing messages by outcome (sent, refused reason, graph error class)',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  const queueDepth = new Gauge({
    name: 'renotify_queue_depth',
    help: 'Jobs waiting in the queue',
    registers: [registry],
  });
  return { registry, webhooksReceived, webhooksRejected, webhookEvents, sends, queueDepth };
}

export type Metrics = ReturnType<typeof createMetrics>;
