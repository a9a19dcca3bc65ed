/**
 * Each caller's requests running at once in one isolate (ADR 0013, "Fairness"). A caller with
 * `limit` requests running waits for one of them to finish before its next one runs, so one
 * caller's burst — even within its rate limit — holds at most `limit` of the isolate's turns and
 * other callers' requests don't queue behind the whole burst (bench:fairness).
 *
 * A waiting request polls on its own timer (POLL_MS) rather than awaiting a promise another request
 * resolves: workerd cancels a request whose only pending work belongs to another request ("code
 * had hung"). A request the runtime cancels (its client went away) never runs its `finally`, so a
 * slot also ends on its own once it is SLOT_MS old — a lost slot holds the caller back for at most
 * that long — and a waiting place once its wait would have run out.
 */
export const POLL_MS = 20;
export const SLOT_MS = 60_000;
/** Waiting requests per caller beyond which more are refused at once (each one polls). */
export const MAX_WAITING = 64;
const MAX_CALLERS = 10_000;

interface Load {
  /** Start time (ms) of each running request, by ticket. */
  running: Map<number, number>;
  /** When each waiting request gives up (ms), by ticket. */
  waiting: Map<number, number>;
}

const callers = new Map<string, Load>();
let nextTicket = 0;

function loadOf(caller: string): Load {
  let load = callers.get(caller);
  if (!load) {
    if (callers.size >= MAX_CALLERS) for (const [key, l] of callers) if (isIdle(l)) callers.delete(key);
    load = { running: new Map(), waiting: new Map() };
    callers.set(caller, load);
  }
  return load;
}

const isIdle = (load: Load) => load.running.size === 0 && load.waiting.size === 0;

/** Takes a running slot when fewer than `limit` of the caller's requests run (lost slots expired). */
function tryTake(load: Load, limit: number, nowMs: number): (() => void) | null {
  for (const [ticket, started] of load.running) if (nowMs - started >= SLOT_MS) load.running.delete(ticket);
  if (load.running.size >= limit) return null;
  const ticket = nextTicket++;
  load.running.set(ticket, nowMs);
  return () => {
    load.running.delete(ticket);
  };
}

/**
 * Waits until `caller` has fewer than `limit` requests running, for at most `maxWaitMs`, and returns
 * the function that ends this one's slot; null when the caller has MAX_WAITING requests waiting
 * already or the wait ran out (the caller is answered 429).
 */
export async function takeSlot(
  caller: string,
  limit: number,
  maxWaitMs: number,
): Promise<(() => void) | null> {
  const load = loadOf(caller);
  const now = Date.now();
  const taken = tryTake(load, limit, now);
  if (taken) return taken;
  for (const [ticket, until] of load.waiting) if (until < now) load.waiting.delete(ticket);
  if (load.waiting.size >= MAX_WAITING) return null;
  const deadline = now + maxWaitMs;
  const ticket = nextTicket++;
  load.waiting.set(ticket, deadline);
  try {
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const at = Date.now();
      const slot = tryTake(load, limit, at);
      if (slot) return slot;
      if (at >= deadline) return null;
    }
  } finally {
    load.waiting.delete(ticket);
  }
}

/** What `caller` has running and waiting in this isolate (tests, diagnostics). */
export function callerLoad(caller: string): { running: number; waiting: number } {
  const load = callers.get(caller);
  return { running: load?.running.size ?? 0, waiting: load?.waiting.size ?? 0 };
}
