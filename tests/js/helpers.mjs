// Test doubles for the client's core: a clock that moves only when told, a transport that
// records what is written, and a way to let pending promises run.
import { Protocol } from "../../src/parley/core/static/parley/js/protocol.js";

export const tick = () => new Promise((resolve) => setImmediate(resolve));

export async function settle(n = 5) {
  for (let i = 0; i < n; i++) await tick();
}

export function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  let nextId = 1;
  const timers = new Map();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, Number(ms) || 0), fn });
      return id;
    },
    clearTimeout(id) {
      timers.delete(id);
    },
    get pending() {
      return timers.size;
    },
    /** Move time forward, running each due timer in order and letting promises settle. */
    async advance(ms) {
      const target = now + ms;
      for (;;) {
        await settle();
        const due = [...timers.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = target;
      await settle();
    },
  };
}

export class FakeTransport {
  constructor() {
    this.written = [];
    this.open = true;
  }

  write(frame) {
    if (!this.open) return false;
    this.written.push(frame);
    return true;
  }

  last(type) {
    return [...this.written].reverse().find((f) => !type || f.type === type);
  }

  all(type) {
    return this.written.filter((f) => f.type === type);
  }
}

export function ev(seq, event = "message.created", data = {}) {
  return { seq, event, data };
}

/** A protocol with a fake clock and transport, already attached. */
export function harness({ cursor = 0 } = {}) {
  const clock = fakeClock();
  const protocol = new Protocol({ cursor, clock });
  const transport = new FakeTransport();
  protocol.attach(transport);
  const applied = [];
  protocol.on("event", (e) => applied.push(e.seq));
  return { clock, protocol, transport, applied };
}

/** Answer the newest `sync` frame with these events (head defaults to the last seq). */
export function answerSync(h, events, { head } = {}) {
  const frame = h.transport.last("sync");
  const last = events.length ? events[events.length - 1].seq : frame.since;
  h.protocol.receive({ type: "sync", id: frame.id, since: frame.since, events, cursor: last, head: head ?? last });
}

/** Make the protocol live: `ready`, then an empty catch-up sync. */
export async function goLive(h) {
  h.protocol.receive({ type: "ready", user_id: 1, cursor: h.protocol.cursor });
  await settle();
  answerSync(h, []);
  await settle();
}
