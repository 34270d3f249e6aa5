// The sandbox phone: pick a simulated customer and use Messenger as they would — read the page's
// messages, tap buttons, quick replies and opt-in cards, write, manage notifications, and move the
// sandbox clock (both the sandbox and the service obey it).
import { useCallback, useEffect, useState } from 'react';
import { ClockControl } from './ClockControl.tsx';
import { ManageSheet } from './ManageSheet.tsx';
import { PhoneThread } from './PhoneThread.tsx';
import { sandbox, type Thread } from './sandbox.ts';
import { langOf, PHONE_WORDS } from './words.ts';

export function Phone() {
  const [customers, setCustomers] = useState<Array<{ psid: string; name: string }>>([]);
  const [psid, setPsid] = useState<string>(() => new URLSearchParams(location.search).get('psid') ?? '');
  const [thread, setThread] = useState<Thread>();
  const [text, setText] = useState('');
  const [manage, setManage] = useState(false);
  const [error, setError] = useState<string>();
  const w = PHONE_WORDS[langOf(thread?.customer.locale)];

  useEffect(() => {
    void sandbox.info().then((i) => {
      setCustomers(i.customers);
      setPsid((p) => p || i.customers[0]?.psid || '');
    });
  }, []);

  const load = useCallback(async () => {
    if (!psid) return;
    try {
      setThread(await sandbox.thread(psid));
    } catch (e) {
      setError((e as Error).message);
    }
  }, [psid]);

  useEffect(() => {
    setThread(undefined);
    void load();
    const timer = setInterval(() => void load(), 1500);
    return () => clearInterval(timer);
  }, [load]);

  const run = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError((e as Error).message);
    }
    await load();
  };

  const pick = (p: string) => {
    setPsid(p);
    history.replaceState(null, '', `?psid=${encodeURIComponent(p)}`);
  };

  return (
    <div className="phone">
      <header className="phone__bar">
        <label>
          <span className="sr-only">{w.customer}</span>
          <select aria-label={w.customer} value={psid} onChange={(e) => pick(e.target.value)}>
            {customers.map((c) => (
              <option key={c.psid} value={c.psid}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => setManage((m) => !m)} aria-expanded={manage}>
          ⋯ {w.manage}
        </button>
      </header>
      <ClockControl words={w} onMoved={load} />
      <div className="phone__page">
        <strong>{thread?.page.name ?? ''}</strong>
        {thread?.customer.mutedUntil ? (
          <span className="muted">
            {' '}
            🔕 {w.muted} {new Date(thread.customer.mutedUntil).toLocaleString()}
          </span>
        ) : null}
      </div>
      {manage && thread ? (
        <ManageSheet thread={thread} words={w} run={run} onClose={() => setManage(false)} />
      ) : null}
      {thread ? <PhoneThread thread={thread} words={w} run={run} /> : null}
      {error ? (
        <p role="alert" className="error phone__error">
          {error}
        </p>
      ) : null}
      <form
        className="phone__composer"
        onSubmit={(e) => {
          e.preventDefault();
          const v = text.trim();
          if (!v) return;
          setText('');
          void run(() => sandbox.message(psid, v));
        }}
      >
        <input
          aria-label={w.message}
          placeholder={w.message}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" className="primary">
          {w.send}
        </button>
      </form>
    </div>
  );
}
