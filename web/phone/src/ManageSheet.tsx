// Quản lý (Manage): per recurring subscription Stop / Resume notifications; Mute for a chosen time;
// Something's wrong (a report to Meta — many reports restrict the page, R8d).
import { useState } from 'react';
import { sandbox, type Thread } from './sandbox.ts';
import type { PHONE_WORDS } from './words.ts';

type Words = (typeof PHONE_WORDS)['vi'];

export function ManageSheet(p: {
  thread: Thread;
  words: Words;
  run(fn: () => Promise<unknown>): Promise<void>;
  onClose(): void;
}) {
  const { thread, words: w, run } = p;
  const psid = thread.customer.psid;
  const [hours, setHours] = useState(8);
  const [reported, setReported] = useState(false);
  const now = Date.now();
  const live = thread.holdings.recurring.filter(
    (h) => !h.expiresAt || new Date(h.expiresAt).getTime() > now - 0,
  );
  return (
    <section className="phone__sheet" aria-label={w.manage}>
      <h2>{w.manage}</h2>
      <h3>{w.subscriptions}</h3>
      {live.length === 0 && thread.holdings.oneTimeNotif.length === 0 ? (
        <p className="muted">{w.noSubscriptions}</p>
      ) : null}
      <ul className="list">
        {live.map((h) => (
          <li key={h.token} className="list__item">
            <span>
              <strong>{h.title}</strong>
              {h.stoppedAt ? <span className="muted"> · {w.stopped}</span> : null}
              {h.expiresAt ? (
                <span className="muted">
                  {' '}
                  · {w.expires} {new Date(h.expiresAt).toLocaleDateString()}
                </span>
              ) : null}
            </span>
            {h.stoppedAt ? (
              <button type="button" onClick={() => void run(() => sandbox.resume(psid, h.token))}>
                {w.resume}
              </button>
            ) : (
              <button type="button" onClick={() => void run(() => sandbox.stop(psid, h.token))}>
                {w.stop}
              </button>
            )}
          </li>
        ))}
        {thread.holdings.oneTimeNotif
          .filter((h) => !h.usedAt)
          .map((h) => (
            <li key={h.token} className="list__item">
              <span>
                <strong>{h.title}</strong> <span className="muted">(OTN)</span>
              </span>
            </li>
          ))}
      </ul>
      <div className="row">
        <label>
          {w.mute}{' '}
          <select aria-label={w.hours} value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {[1, 8, 24, 24 * 7].map((h) => (
              <option key={h} value={h}>
                {h} {w.hours}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => void run(() => sandbox.mute(psid, hours))}>
          🔕 {w.mute}
        </button>
        {thread.customer.mutedUntil ? (
          <button type="button" onClick={() => void run(() => sandbox.mute(psid, 0))}>
            {w.unmute}
          </button>
        ) : null}
      </div>
      <div className="row">
        <button
          type="button"
          className="danger"
          onClick={() => void run(() => sandbox.report(psid)).then(() => setReported(true))}
        >
          ⚑ {w.report}
        </button>
        {reported ? <span role="status">{w.reported}</span> : null}
      </div>
      <button type="button" onClick={p.onClose}>
        ✕
      </button>
    </section>
  );
}
