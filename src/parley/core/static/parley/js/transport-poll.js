// The long-poll transport, for networks that block WebSockets (docs/protocol.md, "Long-poll
// fallback"): events come from GET /api/v1/events?since=&timeout=, and every client frame goes
// to POST /api/v1/frames, which answers with exactly the reply frame the socket would send.
// So the protocol core cannot tell the two transports apart.

import { systemClock } from "./protocol.js";

const POLL_SECONDS = 25;
const POLL_ABORT_MS = (POLL_SECONDS + 10) * 1000;
const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 15000;
const EVENTS_URL = "/api/v1/events";
const FRAMES_URL = "/api/v1/frames";

function cookieCsrfToken() {
  const m = (globalThis.document?.cookie || "").match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

/** An HTTP error as the error object the WebSocket path produces. */
export function errorFrame(id, status, body) {
  const e = (body && body.error) || {};
  let code = e.code;
  if (!code) code = status === 401 ? "unauthenticated" : status === 429 ? "rate_limited" : status >= 500 ? "unavailable" : "invalid";
  return { type: "error", id, code, message: e.message || code, details: e.details || {} };
}

export class PollTransport {
  /** onTrouble(): a poll failed and it is backing off; onSignedOut(): the session is gone. */
  constructor({ protocol, clock = systemClock, fetchImpl = (...a) => globalThis.fetch(...a), csrfToken = cookieCsrfToken, onTrouble = () => {}, onSignedOut = () => {} }) {
    this.protocol = protocol;
    this.clock = clock;
    this.fetch = fetchImpl;
    this.csrfToken = csrfToken;
    this.onTrouble = onTrouble;
    this.onSignedOut = onSignedOut;
    this.running = false;
    this._abort = null;
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.protocol.attach(this);
    this.protocol.receive({ type: "ready" }); // catch up with a sync frame, then go live
    this._loop();
  }

  stop() {
    this.running = false;
    if (this._abort) this._abort.abort();
    this.protocol.detach(this);
  }

  /** POST the frame; its reply (or error) comes back through protocol.receive. */
  write(frame) {
    if (!this.running) return false;
    this.postFrame(frame).then((reply) => {
      if (reply.type === "error" && reply.code === "unauthenticated") this._signedOut();
      this.protocol.receive(reply);
    });
    return true;
  }

  /** The one place a frame becomes an HTTP request. Resolves with a reply or error frame. */
  async postFrame(frame) {
    let response;
    try {
      response = await this.fetch(FRAMES_URL, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": this.csrfToken() },
        body: JSON.stringify(frame),
      });
    } catch (err) {
      return { type: "error", id: frame.id, code: "offline", message: "offline", details: {} };
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) return errorFrame(frame.id, response.status, body);
    return { ...body, id: body.id ?? frame.id };
  }

  async _loop() {
    let failures = 0;
    while (this.running) {
      try {
        const body = await this._poll();
        if (!this.running) return;
        if (failures > 0) this.protocol.receive({ type: "ready" }); // back: catch up again
        failures = 0;
        if (body.resync_required) {
          this.protocol.receive({ type: "resync_required", cursor: body.cursor });
          return;
        }
        for (const ev of body.events || []) this.protocol.receive({ type: "event", ...ev });
      } catch (err) {
        if (!this.running) return;
        if (err.code === "unauthenticated") {
          this._signedOut();
          return;
        }
        failures += 1;
        this.protocol.down("disconnected", this);
        this.onTrouble();
        const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** failures);
        await new Promise((resolve) => this.clock.setTimeout(resolve, base / 2 + Math.random() * (base / 2)));
      }
    }
  }

  async _poll() {
    this._abort = typeof AbortController === "function" ? new AbortController() : null;
    const timer = this.clock.setTimeout(() => this._abort?.abort(), POLL_ABORT_MS);
    try {
      const url = `${EVENTS_URL}?since=${this.protocol.cursor}&timeout=${POLL_SECONDS}`;
      const response = await this.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, signal: this._abort?.signal });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw errorFrame(undefined, response.status, body);
      return body;
    } finally {
      this.clock.clearTimeout(timer);
    }
  }

  _signedOut() {
    this.stop();
    this.onSignedOut();
  }
}
