/**
 * The suite's one polling helper. `waitFor` fails on the first error `fn` throws; `eventually`
 * swallows errors while it waits (the services may be restarting meanwhile) unless one is marked
 * `fatal` (an error no wait can fix, e.g. a failed flow).
 */
async function poll<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, everyMs: number, swallow: boolean): Promise<T> {
  const t0 = Date.now();
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      if (!swallow || (err as { fatal?: boolean }).fatal) throw err;
      lastErr = err;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}${lastErr ? ` (last error: ${(lastErr as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  return poll(what, fn, timeoutMs, everyMs, false);
}

export function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 250): Promise<T> {
  return poll(what, fn, timeoutMs, everyMs, true);
}
