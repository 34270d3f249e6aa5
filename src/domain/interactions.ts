// Which customer events move the "last interaction" (rules.md, Words) that every R1 window is measured
// from. Only the customer's own action on the page counts; a wrong "yes" here opens a window Meta keeps
// closed, and the reply is refused with (#10) outside of allowed window.

/** Every kind of event renotify hears about a customer, from webhooks or the customer's own controls. */
export type CustomerEventKind =
  | 'message' // text or attachment the customer wrote
  | 'quick_reply'
  | 'postback'
  | 'reaction' // react or unreact, on any message
  | 'optin' // accepted an opt-in card (recurring or OTN)
  | 'stop_notifications' // "Stop notifications" in the Manage menu (R8c)
  | 'resume_notifications' // "Resume notifications" (R8c)
  | 'mute' // "Mute conversation": Meta tells the page nothing (R8d)
  | 'report' // "Something's wrong" (R8d)
  | 'read' // read receipt
  | 'delivery' // delivery receipt
  | 'echo'; // the page's own message, echoed back

const COUNTS: Record<CustomerEventKind, boolean> = {
  message: true,
  quick_reply: true,
  postback: true,
  reaction: true,
  optin: true,
  stop_notifications: false,
  resume_notifications: false,
  mute: false,
  report: false,
  read: false,
  delivery: false,
  echo: false,
};

export const CUSTOMER_EVENT_KINDS = Object.keys(COUNTS) as CustomerEventKind[];

/** Does this event move the customer's last interaction (and so reopen the R1 windows)? */
export function countsAsInteraction(kind: CustomerEventKind): boolean {
  return COUNTS[kind];
}
