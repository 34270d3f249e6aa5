// Jump the sandbox clock ahead: POST /sandbox/clock. The service shares this clock in sandbox mode.
import { useEffect, useState } from 'react';
import { sandbox } from './sandbox.ts';
import type { PHONE_WORDS } from './words.ts';

const STEPS = ['1h', '1d', '8d', '1mo'];

export function ClockControl({ words, onMoved }: { words: (typeof PHONE_WORDS)['vi']; onMoved(): void }) {
  const [now, setNow] = useState<string>();
  const [custom, setCustom] = useState('');
  useEffect(() => {
    void sandbox.clock().then((c) => setNow(c.now));
    const timer = setInterval(() => void sandbox.clock().then((c) => setNow(c.now)), 5000);
    return () => clearInterval(timer);
  }, []);
  const jump = async (d: string) => {
    const c = await sandbox.advance(d);
    setNow(c.now);
    onMoved();
  };
  return (
    <section className="phone__clock" aria-label={words.clock}>
      <span>
        🕒{' '}
        <time dateTime={now} data-testid="sandbox-now">
          {now ? new Date(now).toLocaleString() : '…'}
        </time>
      </span>
      {/* biome-ignore lint/a11y/useSemanticElements: a row of buttons, not a form's fieldset */}
      <span className="row" role="group" aria-label={words.jump}>
        {STEPS.map((s) => (
          <button key={s} type="button" onClick={() => void jump(s)} aria-label={`+${s}`}>
            +{s}
          </button>
        ))}
        <input
          aria-label={words.custom}
          placeholder="3d"
          size={4}
          value={custom}
          onChange={(e) => setCustom(e.target.value)}
        />
        <button type="button" disabled={!custom} onClick={() => void jump(custom).then(() => setCustom(''))}>
          {words.go}
        </button>
      </span>
    </section>
  );
}
