// The delivery protocol of docs/protocol.md, with no I/O: a transport feeds frames in with
// receive() and reports a lost link with down(); time comes from an injected clock. So node
// can drive every rule in tests/js/ without a browser or a server.
//
// The rule: the client keeps `cursor`, the last stream seq it applied. An event is applied only
// when seq == cursor + 1; seq <= cursor is a duplicate and ignored; a gap (seq > cursor + 1)
// asks for `sync since=cursor`. Every (re)connect syncs too. So each event applies exactly once.

export const systemClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
};

export class ReplyError extends Error {
  constructor(code, message, details = {}) {
    super(message || code);
    this.code = code;
    this.details = details || {};
  }
}

/** A tiny event emitter; a failing listener never stops the others. */
export class Emitter {
  constructor() {
    this._listeners = new Map();
  }

  on(name, fn) {
    if (!this._listeners.has(name)) this._listeners.set(name, new Set());
    this._listeners.get(name).add(fn);
    return () => this._listeners.get(name).delete(fn);
  }

  listens(name) {
    return (this._listeners.get(name)?.size || 0) > 0;
  }

  emit(name, ...args) {
    for (const fn of [...(this._listeners.get(name) || [])]) {
      try {
        fn(...args);
      } catch (err) {
        console.error("parley: a listener for", name, "failed", err);
      }
    }
  }
}

const REPLY_TIMEOUT_MS = 10000;
const SYNC_ROUNDS_MAX = 200; // 200 x 500 events; past that a reload is cheaper
const SYNC_EMPTY_WAIT_MS = 150; // a pushed event may be a moment ahead of what reads see

export class Protocol extends Emitter {
  constructor({ cursor = 0, clock = systemClock, replyTimeoutMs = REPLY_TIMEOUT_MS } = {}) {
    super();
    this.cursor = Number(cursor) || 0;
    this.clock = clock;
    this.replyTimeoutMs = replyTimeoutMs;
    this.live = false; // a transport is attached, said `ready`, and the catch-up sync finished
    this.transport = null;
    this._highestSeen = this.cursor;
    this._pending = new Map(); // frame id -> {resolve, reject, timer}
    this._nextId = 1;
    this._syncing = null;
    this._readyGen = 0;
  }

  /** Make transport the one that carries frames: it has write(frame) -> boolean. */
  attach(transport) {
    if (this.transport && this.transport !== transport) this.down("disconnected");
    this.transport = transport;
  }

  /** The transport lost its link: nothing in flight will be answered. */
  down(code = "disconnected", transport = this.transport) {
    if (transport !== this.transport) return; // an old transport we already replaced
    this.live = false;
    this._readyGen += 1;
    this._syncing = null; // a sync over the lost link ends by itself; the next one starts fresh
    const pending = [...this._pending.values()];
    this._pending.clear();
    for (const p of pending) {
      this.clock.clearTimeout(p.timer);
      p.reject(new ReplyError(code, code));
    }
  }

  detach(transport) {
    if (transport !== this.transport) return;
    this.down("disconnected", transport);
    this.transport = null;
  }

  /** Handle one frame from the server. */
  receive(frame) {
    if (!frame || typeof frame !== "object") return;
    switch (frame.type) {
      case "ready":
        this._onReady();
        return;
      case "event":
        this._onEvent(frame);
        return;
      case "sync_hint":
        this.sync(); // the server may have lost pushes meant for us (a broker outage)
        return;
      case "signal":
        this._onSignal(frame);
        return;
      default:
    }
    // The sender's own event may ride on its ack; apply it first, by the same rule.
    if (frame.type === "ack" && frame.event) this._onEvent(frame.event);
    if (frame.id !== undefined && this._pending.has(frame.id)) {
      this._settle(frame);
    } else if (frame.type === "resync_required") {
      this._resync(frame);
    } else if (frame.type === "error") {
      this.emit("error", new ReplyError(frame.code, frame.message, frame.details));
    }
  }

  /** Send a frame and resolve with the reply that echoes its id; reject with a ReplyError
   * (the server's error frame, or "timeout", "disconnected", "offline"). */
  request(frame, { timeout = this.replyTimeoutMs, requireLive = frame.type !== "sync" && frame.type !== "ping" } = {}) {
    return new Promise((resolve, reject) => {
      if (!this.transport || (requireLive && !this.live)) {
        reject(new ReplyError("offline", "offline"));
        return;
      }
      const id = this._nextId++;
      const timer = this.clock.setTimeout(() => {
        this._pending.delete(id);
        reject(new ReplyError("timeout", "timeout"));
      }, timeout);
      this._pending.set(id, { resolve, reject, timer });
      let written = false;
      try {
        written = this.transport.write({ ...frame, id }) !== false;
      } catch (err) {
        written = false;
      }
      if (!written) {
        this.clock.clearTimeout(timer);
        this._pending.delete(id);
        reject(new ReplyError("offline", "offline"));
      }
    });
  }

  /** Fetch and apply what was missed, from the cursor. Resolves true once caught up. */
  sync() {
    if (!this._syncing) {
      const running = this._syncRounds().finally(() => {
        if (this._syncing === running) this._syncing = null;
      });
      this._syncing = running;
    }
    return this._syncing;
  }

  async _onReady() {
    const gen = ++this._readyGen;
    this.live = false;
    const caughtUp = await this.sync();
    // A newer `ready` or a drop happened meanwhile: that one decides.
    if (!caughtUp || gen !== this._readyGen) return;
    this.live = true;
    this.emit("open");
  }

  _settle(frame) {
    const p = this._pending.get(frame.id);
    this._pending.delete(frame.id);
    this.clock.clearTimeout(p.timer);
    if (frame.type === "error") p.reject(new ReplyError(frame.code, frame.message, frame.details));
    else p.resolve(frame);
  }

  _onEvent(frame) {
    const seq = Number(frame.seq);
    if (!Number.isInteger(seq)) return;
    if (seq > this._highestSeen) this._highestSeen = seq;
    if (seq <= this.cursor) return; // already applied
    if (seq === this.cursor + 1) this._apply(frame);
    else this.sync(); // a gap: something was lost on the way
  }

  _apply(ev) {
    this.cursor = ev.seq;
    this.emit(ev.event, ev.data, ev);
    this.emit("event", ev);
  }

  _onSignal(frame) {
    // Live-only (typing, presence): no seq, never touches the cursor. Unknown ones are ignored.
    if (typeof frame.signal !== "string") return;
    this.emit("signal", frame.signal, frame.data || {});
    this.emit(`signal:${frame.signal}`, frame.data || {});
  }

  _resync(frame) {
    // The cursor is older than the retained stream (or ahead of its head): the state must be
    // reloaded; the page decides how (the web client reloads).
    this.live = false;
    this.emit("resync", Number(frame.cursor) || 0);
  }

  async _syncRounds() {
    for (let round = 0; round < SYNC_ROUNDS_MAX; round++) {
      let reply;
      try {
        reply = await this.request({ type: "sync", since: this.cursor });
      } catch (err) {
        if (err.code === "rate_limited") {
          // The socket stays open, so no `ready` will come: wait as told and ask again.
          await this._sleep(1000 * Math.max(1, Number(err.details.retry_after) || 1));
          continue;
        }
        return false; // disconnected or timed out: the next `ready` syncs again
      }
      if (reply.type === "resync_required") {
        this._resync(reply);
        return false;
      }
      const events = reply.events || [];
      for (const ev of events) if (Number(ev.seq) === this.cursor + 1) this._apply(ev);
      const head = Number(reply.head) || 0;
      if (this.cursor >= head && this.cursor >= this._highestSeen) return true;
      if (events.length === 0) await this._sleep(SYNC_EMPTY_WAIT_MS);
    }
    this._resync({ cursor: this.cursor });
    return false;
  }

  _sleep(ms) {
    return new Promise((resolve) => this.clock.setTimeout(resolve, ms));
  }
}
