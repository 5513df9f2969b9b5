// The tab's client: one Protocol core, one Outbox, and the transport that carries them.
// It owns the choices the core leaves to I/O: reconnect with back-off, the switch to
// long-polling when WebSockets are blocked, the probe back, and the connection state.
//
// Pages use client(): on(name, fn), request(frame), connected, state, transport, outbox,
// storage. Events: stream event names ("message.created"…), "event", "open", "state",
// "resync", "signal", "signal:<name>", "signed_out"; the outbox emits "change", "sent",
// "failed", "rejected".

import { Outbox } from "./outbox.js";
import { Emitter, Protocol, systemClock } from "./protocol.js";
import { UserStorage } from "./storage.js";
import { PollTransport } from "./transport-poll.js";
import { WsTransport } from "./transport-ws.js";

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15000;
const BACKOFF_STEPS_TO_MAX = Math.ceil(Math.log2(BACKOFF_MAX_MS / BACKOFF_MIN_MS));
const WS_FAILURES_BEFORE_FALLBACK = 2; // socket closes before any `ready`, in a row
const WS_PROBE_EVERY_MS = 60000; // while long-polling, try the socket again now and then

/** What the client needs from the browser; tests/js pass doubles. */
function browserEnv() {
  return {
    clock: systemClock,
    WebSocketImpl: globalThis.WebSocket,
    fetchImpl: (...args) => globalThis.fetch(...args),
    online: () => globalThis.navigator?.onLine !== false,
    random: Math.random,
  };
}

export class Client extends Emitter {
  constructor({ url, cursor = 0, userId, env = {}, storage }) {
    super();
    this.url = url;
    this.env = { ...browserEnv(), ...env };
    this.protocol = new Protocol({ cursor, clock: this.env.clock });
    this.storage = storage || new UserStorage(userId);
    this.outbox = new Outbox({ protocol: this.protocol, store: this.storage.outboxStore(), clock: this.env.clock });
    this.state = "connecting"; // connecting | connected | reconnecting | offline | fallback | signed_out
    this.transport = "websocket"; // websocket | fallback
    this.ws = null;
    this.poll = null;
    this._attempt = 0;
    this._wsFailures = 0;
    this._retryTimer = null;
    this._probeTimer = null;
    this._stopped = false;
    this._suspended = false;
    this.protocol.on("open", () => this._setState(this.transport === "fallback" ? "fallback" : "connected"));
  }

  // The core's events reach page listeners through the client.
  on(name, fn) {
    return name === "state" || name === "signed_out" ? super.on(name, fn) : this.protocol.on(name, fn);
  }

  get connected() {
    return this.protocol.live;
  }

  get cursor() {
    return this.protocol.cursor;
  }

  request(frame, options) {
    return this.protocol.request(frame, options);
  }

  start() {
    this._open();
    return this;
  }

  /** Follow the browser's online/offline and visibility changes. */
  watchBrowser() {
    window.addEventListener("online", () => this._kick());
    window.addEventListener("offline", () => this._lost("offline"));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this._kick();
    });
    this.storage.onOutboxChange(() => this.outbox.reload());
    return this;
  }

  /** Stay disconnected until resume(); for tests and debugging. */
  suspend() {
    this._suspended = true;
    this._lost("offline");
  }

  resume() {
    this._suspended = false;
    this._kick();
  }

  _setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit("state", state);
  }

  _open() {
    if (this._stopped || this._suspended) return;
    if (!this.env.online()) {
      this._setState("offline");
      return;
    }
    this.ws = this._socket();
    this.ws.open();
  }

  _socket() {
    const ws = new WsTransport({
      url: this.url,
      protocol: this.protocol,
      clock: this.env.clock,
      WebSocketImpl: this.env.WebSocketImpl,
      onReady: () => {
        this._wsFailures = 0;
        this._attempt = 0;
      },
      onClose: (info) => this._onSocketClose(ws, info),
    });
    return ws;
  }

  _onSocketClose(ws, { code, ready }) {
    if (ws !== this.ws) return;
    this.ws = null;
    if (code === 4401) {
      this._signedOut(); // logged out, here or in another tab: reconnecting cannot help
      return;
    }
    if (code === 4403) {
      this._stopped = true;
      this._setState("offline");
      return;
    }
    if (code === 1013 || code === 4429) {
      // The server answered (database down; too many sockets of this user): no proxy is
      // blocking WebSockets, so no fallback; try again later, much later for 4429.
      if (code === 4429) this._attempt = Math.max(this._attempt, BACKOFF_STEPS_TO_MAX);
      this._scheduleReconnect();
      return;
    }
    if (!ready && ++this._wsFailures >= WS_FAILURES_BEFORE_FALLBACK && this.env.online()) {
      this._startFallback(); // never opened twice in a row: a proxy may block WebSockets
      return;
    }
    this._scheduleReconnect();
  }

  _kick() {
    // Reconnect now rather than at the end of the current back-off.
    if (this._stopped || this._suspended || this.transport === "fallback" || this.ws) return;
    this.env.clock.clearTimeout(this._retryTimer);
    this._attempt = 0;
    this._open();
  }

  _lost(state) {
    if (this.ws) {
      this.ws.close();
      this.ws = null;
    }
    this.protocol.down("offline");
    this._setState(state);
  }

  _scheduleReconnect() {
    if (this._stopped || this._suspended) return;
    this._setState(this.env.online() ? "reconnecting" : "offline");
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this._attempt);
    this._attempt += 1;
    this.env.clock.clearTimeout(this._retryTimer);
    this._retryTimer = this.env.clock.setTimeout(() => this._open(), base / 2 + this.env.random() * (base / 2)); // equal jitter
  }

  _signedOut() {
    this._stopped = true;
    this.poll?.stop();
    this._setState("signed_out");
    this.emit("signed_out");
  }

  _startFallback() {
    if (this.transport === "fallback") return;
    this.transport = "fallback";
    this.env.clock.clearTimeout(this._retryTimer);
    this._setState("fallback");
    this.poll = new PollTransport({
      protocol: this.protocol,
      clock: this.env.clock,
      fetchImpl: this.env.fetchImpl,
      onTrouble: () => this._setState(this.env.online() ? "reconnecting" : "offline"),
      onSignedOut: () => this._signedOut(),
    });
    this.poll.start();
    this._scheduleProbe();
  }

  _scheduleProbe() {
    this.env.clock.clearTimeout(this._probeTimer);
    const every = Number(globalThis.parleyWsProbeMs) || WS_PROBE_EVERY_MS; // tests shorten it
    this._probeTimer = this.env.clock.setTimeout(() => this._probe(), every * (0.75 + this.env.random() / 2));
  }

  /** Open a socket on the side; once it says `ready`, it carries the frames again. */
  _probe() {
    if (this._stopped || this.transport !== "fallback") return;
    if (this._suspended || !this.env.online()) {
      this._scheduleProbe();
      return;
    }
    const probe = new WsTransport({
      url: this.url,
      protocol: this.protocol,
      clock: this.env.clock,
      WebSocketImpl: this.env.WebSocketImpl,
      onReady: () => {
        // The transport attached itself to the core; the poll loop stops.
        this.poll?.stop();
        this.poll = null;
        this.transport = "websocket";
        this.ws = probe;
        this._wsFailures = 0;
        this._attempt = 0;
      },
      onClose: (info) => {
        if (this.ws === probe) this._onSocketClose(probe, info);
        else this._scheduleProbe();
      },
    });
    probe.open();
  }
}

let shared = null;

/** The tab's client, made on first use from the <body> data attributes. */
export function client() {
  if (shared) return shared;
  const body = document.body;
  const proto = window.location.protocol === "https:" ? "wss:" : "ws:";
  shared = new Client({
    url: `${proto}//${window.location.host}${body.dataset.wsPath || "/ws/"}`,
    cursor: Number(body.dataset.streamCursor || 0),
    userId: body.dataset.userId,
  }).watchBrowser();
  return shared;
}
