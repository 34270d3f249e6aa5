// R4f: when the page's configurable notice text ("already sent or subscribed") is shown instead of, or
// alongside, an invitation. Pure: the app loads the text, the HTTP layer and the assistant present it.

/**
 * An agent picked a topic that was already sent (R4b: resending before its date is refused as
 * `invitation_too_soon`) or is already held (R4c: `already_subscribed`): the refusal shows the notice.
 */
export function refusalShowsNotice(reason: string): boolean {
  return reason === 'already_subscribed' || reason === 'invitation_too_soon';
}

/** A customer opted in to a topic they already hold (or accepted the same invitation again). */
export function optInShowsNotice(o: { alreadyHeld: boolean; outcome: string }): boolean {
  return o.alreadyHeld || o.outcome === 'accepted_again';
}
