// The one WebSocket connection a tab keeps to /ws/, shared by every page module.
//
// Delivery rule (docs/protocol.md): the client keeps `cursor`, the last stream seq it applied.
// An event is applied only when seq == cursor + 1; seq <= cursor is a duplicate and ignored;
// a gap (seq > cursor + 1) asks the server for `sync since=cursor`. After every (re)connect the
// client syncs too. So each event is applied exactly once, in order.

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15000;
const REPLY_TIMEOUT_MS = 10000;
const PING_EVERY_MS = 25000;
const SYNC_ROUNDS_MAX = 200; // 200 x 500 events; more than that means reload instead
// Fallback transport (docs/protocol.md): after this many socket failures before any `ready`,
// long-poll /api/v1/events and send over HTTP POST instead.
const WS_FAILURES_BEFORE_FALLBACK = 2;
const LONG_POLL_SECONDS = 25;
// While long-polling, try the WebSocket again now and then: the outage may have been brief.
const WS_PROBE_EVERY_MS = 60000;

export class ReplyError extends Error {
  constructor(code, message, details = {}) {
    super(message || code);
    this.code = code;
    this.details = details || {};
  }
}

export class Connection {
  constructor({ url, cursor = 0 } = {}) {
    this.url = url;
    this.cursor = Number(cursor) || 0;
    this.state = "connecting"; // connecting | connected | reconnecting | offline | signed_out
    this.ws = null;
    this.ready = false; // true once `ready` arrived and the catch-up sync finished
    this._listeners = new Map();
    this._pending = new Map(); // frame id -> {resolve, reject, timer}
    this._nextId = 1;
    this._attempt = 0;
    this._retryTimer = null;
    this._pingTimer = null;
    this._syncing = false;
    this._highestSeen = this.cursor;
    this._stopped = false;
    this._suspended = false;
    this.transport = "websocket"; // websocket | fallback (long-polling)
    this._wsFailures = 0;
  }

  /** Subscribe: "event" (every applied stream event), an event name such as
   * "message.created", "state", "open" (connected and caught up) or "resync". */
  on(name, fn) {
    if (!this._listeners.has(name)) this._listeners.set(name, new Set());
    this._listeners.get(name).add(fn);
    return () => this._listeners.get(name).delete(fn);
  }

  _emit(name, ...args) {
    for (const fn of this._listeners.get(name) || []) {
      try {
        fn(...args);
      } catch (err) {
        console.error("parley: a listener for", name, "failed", err);
      }
    }
  }

  get connected() {
    if (this.transport === "fallback") return this.ready;
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN && this.ready;
  }

  start() {
    this._stopped = false;
    window.addEventListener("online", () => this._kick());
    window.addEventListener("offline", () => this._drop("offline"));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this._kick();
    });
    this._open();
    return this;
  }

  /** Close the socket and stay closed until resume(); for tests and debugging. */
  suspend() {
    this._suspended = true;
    this._drop("offline");
  }

  resume() {
    this._suspended = false;
    this._kick();
  }

  _kick() {
    // Reconnect now rather than at the end of the current back-off.
    if (this._stopped || this._suspended || this.transport === "fallback") return;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    clearTimeout(this._retryTimer);
    this._retryTimer = null;
    this._attempt = 0;
    this._open();
  }

  _setState(state) {
    if (this.state === state) return;
    this.state = state;
    this._emit("state", state);
  }

  _open() {
    if (this._stopped || this._suspended) return;
    if (!navigator.onLine) {
      this._setState("offline");
      return;
    }
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (err) {
      if (++this._wsFailures >= WS_FAILURES_BEFORE_FALLBACK) this._startFallback();
      else this._scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.ready = false;
    ws.addEventListener("message", (e) => this._onMessage(ws, e));
    ws.addEventListener("close", (e) => this._onClose(ws, e));
    ws.addEventListener("error", () => {}); // a close event always follows
  }

  _drop(state) {
    const ws = this.ws;
    this.ws = null;
    this.ready = false;
    this._failPending("disconnected");
    clearInterval(this._pingTimer);
    if (ws) {
      try {
        ws.close(1000, "client");
      } catch (err) { /* already closed */ }
    }
    this._setState(state);
  }

  _onClose(ws, event) {
    if (ws !== this.ws) return; // an old socket we already dropped
    this.ws = null;
    this.ready = false;
    clearInterval(this._pingTimer);
    this._failPending("disconnected");
    if (event.code === 4401) {
      // Logged out (here or in another tab): reconnecting cannot help.
      this._stopped = true;
      this._setState("signed_out");
      this._emit("signed_out");
      return;
    }
    if (event.code === 4403) {
      this._stopped = true;
      this._setState("offline");
      return;
    }
    if (!ws._parleyReady && ++this._wsFailures >= WS_FAILURES_BEFORE_FALLBACK && navigator.onLine) {
      this._startFallback(); // the socket never opened twice in a row: a proxy may block it
      return;
    }
    this._scheduleReconnect();
  }

  _scheduleReconnect() {
    if (this._stopped || this._suspended) return;
    this._setState(navigator.onLine ? "reconnecting" : "offline");
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this._attempt);
    const delay = base / 2 + Math.random() * (base / 2); // "equal jitter"
    this._attempt += 1;
    clearTimeout(this._retryTimer);
    this._retryTimer = setTimeout(() => this._open(), delay);
  }

  _failPending(code) {
    const pending = [...this._pending.values()];
    this._pending.clear();
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(new ReplyError(code, code));
    }
  }

  /** Send a frame; resolve with the reply carrying the same id, or reject with a ReplyError
   * (server error frame, "timeout", "disconnected" or "offline"). */
  send(frame, { timeout = REPLY_TIMEOUT_MS } = {}) {
    return this._send(frame, { timeout, requireReady: frame.type !== "sync" });
  }

  _send(frame, { timeout, requireReady }) {
    if (this.transport === "fallback") return this._httpSend(frame);
    return new Promise((resolve, reject) => {
      const ws = this.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN || (requireReady && !this.ready)) {
        reject(new ReplyError("offline", "offline"));
        return;
      }
      const id = this._nextId++;
      const timer = setTimeout(() => {
        this._pending.delete(id);
        reject(new ReplyError("timeout", "timeout"));
      }, timeout);
      this._pending.set(id, { resolve, reject, timer });
      try {
        ws.send(JSON.stringify({ ...frame, id }));
      } catch (err) {
        clearTimeout(timer);
        this._pending.delete(id);
        reject(new ReplyError("offline", "offline"));
      }
    });
  }

  _onMessage(ws, event) {
    if (ws !== this.ws) return;
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch (err) {
      return;
    }
    if (frame.type === "event") {
      this._onEvent(frame);
      return;
    }
    if (frame.type === "ready") {
      ws._parleyReady = true;
      this._wsFailures = 0;
      this._onReady();
      return;
    }
    if (frame.type === "sync_hint") {
      this._sync(); // the server may have missed pushes (a broker outage)
      return;
    }
    if (frame.type === "ack" && frame.event) {
      // The sender's own message.created event rides on its ack and is not pushed to this
      // socket again (docs/protocol.md): apply it by the same rule as any event, first.
      this._onEvent(frame.event);
    }
    if (frame.id !== undefined && this._pending.has(frame.id)) {
      const p = this._pending.get(frame.id);
      this._pending.delete(frame.id);
      clearTimeout(p.timer);
      if (frame.type === "error") p.reject(new ReplyError(frame.code, frame.message, frame.details));
      else p.resolve(frame);
    }
  }

  async _onReady() {
    this._attempt = 0;
    clearInterval(this._pingTimer);
    this._pingTimer = setInterval(() => this._heartbeat(), PING_EVERY_MS);
    const caughtUp = await this._sync();
    if (!caughtUp) return;
    this.ready = true;
    this._setState("connected");
    this._emit("open");
  }

  async _heartbeat() {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    try {
      await this._send({ type: "ping" }, { timeout: REPLY_TIMEOUT_MS, requireReady: false });
    } catch (err) {
      if (err.code === "timeout" && this.ws) {
        // A half-open socket: drop it and reconnect.
        const ws = this.ws;
        this._onClose(ws, { code: 1006 });
        try { ws.close(); } catch (e) { /* ignore */ }
      }
    }
  }

  _onEvent(frame) {
    const seq = Number(frame.seq);
    if (seq > this._highestSeen) this._highestSeen = seq;
    if (seq <= this.cursor) return;
    if (seq === this.cursor + 1) {
      this._apply(frame);
      return;
    }
    this._sync();
  }

  _apply(ev) {
    this.cursor = ev.seq;
    this._emit(ev.event, ev.data, ev);
    this._emit("event", ev);
  }

  /** Fetch and apply what this tab missed. Returns false when the page must reload. */
  async _sync() {
    if (this._syncing) return true;
    this._syncing = true;
    try {
      for (let round = 0; round < SYNC_ROUNDS_MAX; round++) {
        const reply = await this._send({ type: "sync", since: this.cursor }, { timeout: REPLY_TIMEOUT_MS, requireReady: false });
        if (reply.type === "resync_required") {
          this._emit("resync");
          if (!this._listeners.get("resync") || this._listeners.get("resync").size === 0) window.location.reload();
          return false;
        }
        const events = reply.events || [];
        for (const ev of events) {
          if (ev.seq === this.cursor + 1) this._apply(ev);
        }
        const head = Number(reply.head) || 0;
        if (this.cursor >= head && this.cursor >= this._highestSeen) return true;
        if (events.length === 0) await sleep(150); // a pushed event not yet visible to reads
      }
      window.location.reload();
      return false;
    } catch (err) {
      // Disconnected or timed out mid-sync: the reconnect syncs again.
      return false;
    } finally {
      this._syncing = false;
    }
  }
}

// --- The fallback transport: long-poll the stream, send over HTTP -------------------------
Object.assign(Connection.prototype, {
  _startFallback() {
    if (this.transport === "fallback") return;
    this.transport = "fallback";
    clearTimeout(this._retryTimer);
    this.ready = false;
    this._setState("fallback");
    this._emit("transport", "fallback");
    this._pollLoop();
    this._scheduleProbe();
  },

  _scheduleProbe() {
    clearTimeout(this._probeTimer);
    this._probeTimer = setTimeout(() => this._probeWebSocket(), probeEvery() * (0.75 + Math.random() / 2));
  },

  /** Open a socket on the side; once it says `ready`, make it the transport again. */
  _probeWebSocket() {
    if (this._stopped || this.transport !== "fallback") return;
    if (this._suspended || !navigator.onLine) {
      this._scheduleProbe();
      return;
    }
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (err) {
      this._scheduleProbe();
      return;
    }
    const onMessage = (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (err) {
        return;
      }
      if (frame.type !== "ready") return;
      ws.removeEventListener("message", onMessage);
      ws.removeEventListener("close", onClose);
      if (this._stopped || this.transport !== "fallback") {
        ws.close();
        return;
      }
      this.transport = "websocket"; // the poll loop stops after its current request
      this._wsFailures = 0;
      this.ready = false;
      this.ws = ws;
      ws._parleyReady = true;
      ws.addEventListener("message", (e) => this._onMessage(ws, e));
      ws.addEventListener("close", (e) => this._onClose(ws, e));
      this._emit("transport", "websocket");
      this._onReady();
    };
    const onClose = () => this._scheduleProbe();
    ws.addEventListener("message", onMessage);
    ws.addEventListener("close", onClose);
  },

  async _pollLoop() {
    let failures = 0;
    while (!this._stopped && this.transport === "fallback") {
      if (this._suspended) {
        await sleep(500);
        continue;
      }
      try {
        if (!this.ready) {
          if (!(await this._sync())) throw new ReplyError("sync_failed", "sync failed");
          if (this.transport !== "fallback") return;
          this.ready = true;
          this._setState("fallback");
          this._emit("open");
        }
        const { body } = await this._http("GET", `/api/v1/events?since=${this.cursor}&timeout=${LONG_POLL_SECONDS}`);
        failures = 0;
        if (body.resync_required) {
          this._emit("resync");
          if (!this._listeners.get("resync") || this._listeners.get("resync").size === 0) window.location.reload();
          return;
        }
        for (const ev of body.events || []) if (ev.seq === this.cursor + 1) this._apply(ev);
      } catch (err) {
        if (err.code === "unauthenticated") {
          this._stopped = true;
          this._setState("signed_out");
          this._emit("signed_out");
          return;
        }
        if (this.transport !== "fallback") return; // back on the WebSocket meanwhile
        this.ready = false;
        this._setState("reconnecting");
        failures += 1;
        const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** failures);
        await sleep(base / 2 + Math.random() * (base / 2));
      }
    }
  },

  async _http(method, path, payload) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
      if (m) headers["X-CSRFToken"] = decodeURIComponent(m[1]);
    }
    let response;
    try {
      response = await fetch(path, {
        method, headers, credentials: "same-origin",
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
    } catch (err) {
      throw new ReplyError("offline", "offline");
    }
    let body = {};
    try {
      body = await response.json();
    } catch (err) { /* not JSON: handled by the status below */ }
    if (!response.ok) {
      const e = (body && body.error) || {};
      throw new ReplyError(e.code || (response.status >= 500 ? "unavailable" : "error"), e.message, e.details);
    }
    return { status: response.status, body };
  },

  /** The WebSocket frames, answered over the HTTP API with the same reply shapes. */
  async _httpSend(frame) {
    const conv = encodeURIComponent(frame.conversation_id);
    switch (frame.type) {
      case "sync": {
        const { body } = await this._http("GET", `/api/v1/events?since=${Number(frame.since) || 0}`);
        if (body.resync_required) return { type: "resync_required", cursor: body.cursor };
        return { type: "sync", since: frame.since, events: body.events, cursor: body.cursor, head: body.head };
      }
      case "send": {
        const { status, body } = await this._http("POST", `/api/v1/conversations/${conv}/messages`,
          { body: frame.body, client_msg_id: frame.client_msg_id });
        return { type: "ack", client_msg_id: frame.client_msg_id, created: status === 201, message: body.message };
      }
      case "read": {
        const payload = frame.seq === undefined || frame.seq === null ? {} : { seq: frame.seq };
        const { body } = await this._http("POST", `/api/v1/conversations/${conv}/read`, payload);
        return { type: "ack", ...body };
      }
      case "ping":
        return { type: "pong" };
      default:
        throw new ReplyError("unknown_type", `${frame.type} is not available while long-polling`);
    }
  },
});

function probeEvery() {
  // Tests shorten the interval with an init script; nothing else sets it.
  return Number(window.parleyWsProbeMs) || WS_PROBE_EVERY_MS;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let shared = null;

/** The tab's connection, created on first use from the <body> data attributes. */
export function connection() {
  if (shared) return shared;
  const body = document.body;
  const proto = window.location.protocol === "https:" ? "wss:" : "ws:";
  shared = new Connection({
    url: `${proto}//${window.location.host}${body.dataset.wsPath || "/ws/"}`,
    cursor: Number(body.dataset.streamCursor || 0),
  });
  return shared;
}
