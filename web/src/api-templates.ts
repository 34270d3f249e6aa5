// The utility-template, order-event mapping and order-event calls (R13). Types are the server's own
// (src/http/schemas/templates.ts); the verbs are api.ts's.
import type {
  LibraryTemplateView,
  MappingInput,
  MappingView,
  OrderEventView,
  TemplateCloneInput,
  TemplateInput,
  TemplateView,
} from '../../src/http/schemas/templates.ts';
import { http, qs } from './api.ts';

export { ORDER_EVENT_TYPES, type OrderEventType } from '../../src/domain/order-events.ts';
export { templateParameters } from '../../src/domain/utility-templates.ts';
export type { LibraryTemplateView, MappingView, OrderEventView, TemplateInput, TemplateView };

export const templatesApi = {
  list: (pageId: number) =>
    http.get<{ templates: TemplateView[] }>(`/api/pages/${pageId}/templates`).then((r) => r.templates),
  library: (pageId: number, q: string, language?: string) =>
    http
      .get<{ templates: LibraryTemplateView[] }>(
        `/api/pages/${pageId}/template-library${qs({ q, language })}`,
      )
      .then((r) => r.templates),
  create: (pageId: number, b: TemplateInput) => http.post<TemplateView>(`/api/pages/${pageId}/templates`, b),
  clone: (pageId: number, b: TemplateCloneInput) =>
    http.post<TemplateView>(`/api/pages/${pageId}/templates/clone`, b),
  edit: (id: number, b: TemplateInput) => http.put<TemplateView>(`/api/templates/${id}`, b),
  mappings: (pageId: number) =>
    http
      .get<{ mappings: MappingView[] }>(`/api/pages/${pageId}/order-event-mappings`)
      .then((r) => r.mappings),
  putMapping: (pageId: number, eventType: string, b: MappingInput) =>
    http.put<MappingView>(`/api/pages/${pageId}/order-event-mappings/${eventType}`, b),
  removeMapping: (pageId: number, eventType: string) =>
    http.del(`/api/pages/${pageId}/order-event-mappings/${eventType}`),
  events: (pageId: number, q: { status?: string; q?: string }) =>
    http.get<{ events: OrderEventView[] }>(`/api/pages/${pageId}/order-events${qs(q)}`).then((r) => r.events),
  sendFromInbox: (customerId: number, templateId: number, values: Record<string, string>) =>
    http.post<{ route: 'reply' | 'utility'; messageId: string; text: string }>(
      `/api/customers/${customerId}/utility-template`,
      { templateId, values },
    ),
};
