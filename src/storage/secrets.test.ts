// Issue 6: secrets at rest — AES-256-GCM round trip, tamper detection, keyed lookup hash, and the key file.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decrypt, decryptCached, encrypt, loadOrCreateKey, lookupHash, parseKey } from './secrets.ts';

describe('secrets at rest', () => {
  it('encrypts with a fresh IV each time and decrypts back; the clear text is not in the ciphertext', () => {
    const token = 'EAAsandbox-page-access-token';
    const a = encrypt(token);
    const b = encrypt(token);
    expect(a).not.toBe(b);
    expect(a).not.toContain(token);
    expect(decrypt(a)).toBe(token);
    expect(decrypt(b)).toBe(token);
    expect(encrypt(null)).toBeNull();
  });

  it('IVs drawn in bulk are 96 bits and never repeat, across refills of the pool', () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const raw = Buffer.from(encrypt('same text').slice('enc:v1:'.length), 'base64');
      ivs.add(raw.subarray(0, 12).toString('hex'));
      expect(decrypt(`enc:v1:${raw.toString('base64')}`)).toBe('same text');
    }
    expect(ivs.size).toBe(2000);
  });

  it('decryptCached answers what decrypt does; a changed secret is a new ciphertext, so never stale', () => {
    const first = encrypt('app-secret-1');
    expect(decryptCached(first)).toBe('app-secret-1');
    expect(decryptCached(first)).toBe('app-secret-1');
    const second = encrypt('app-secret-2');
    expect(decryptCached(second)).toBe('app-secret-2');
    expect(decryptCached(null)).toBeNull();
    expect(decryptCached('plain-bench-value')).toBe('plain-bench-value');
  });

  it('a tampered ciphertext is refused (GCM authentication)', () => {
    const c = encrypt('notification-token');
    const raw = Buffer.from(c.slice('enc:v1:'.length), 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => decrypt(`enc:v1:${raw.toString('base64')}`)).toThrow();
  });

  it('the lookup hash is deterministic, keyed, and reveals nothing of the value', () => {
    expect(lookupHash('tok-1')).toBe(lookupHash('tok-1'));
    expect(lookupHash('tok-1')).not.toBe(lookupHash('tok-2'));
    expect(lookupHash('tok-1')).not.toContain('tok-1');
  });

  it('the key file is created on first start with mode 0600 and reused after', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rn-key-'));
    const file = path.join(dir, 'data', 'secret.key');
    const k1 = await loadOrCreateKey({ file });
    expect(k1).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const k2 = await loadOrCreateKey({ file });
    expect(k2.equals(k1)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(k1.toString('hex'));
  });

  it('RENOTIFY_SECRET_KEY wins over the file and must be 32 bytes', async () => {
    const hex = 'ab'.repeat(32);
    expect((await loadOrCreateKey({ key: hex, file: '/nonexistent/secret.key' })).toString('hex')).toBe(hex);
    expect(parseKey(Buffer.alloc(32, 7).toString('base64'))).toHaveLength(32);
    expect(() => parseKey('too-short')).toThrow(/32 bytes/);
  });
});
