// The WebSocket transport: one socket to /ws/, JSON text frames in and out, nothing else.
// It hands frames to the protocol core once the server said `ready`, pings now and then to
// find half-open sockets, and tells its owner (client.js) how the socket closed; the owner
// decides about reconnecting and the long-poll fallback.

import { systemClock } from "./protocol.js";

const PING_EVERY_MS = 25000;
const OPEN = 1;

export class WsTransport {
  /** onReady(): the server said `ready`; onClose({code, ready}): the socket is gone by itself. */
  constructor({ url, protocol, clock = systemClock, onReady = () => {}, onClose = () => {}, WebSocketImpl = globalThis.WebSocket }) {
    this.url = url;
    this.protocol = protocol;
    this.clock = clock;
    this.onReady = onReady;
    this.onClose = onClose;
    this.WebSocketImpl = WebSocketImpl;
    this.ws = null;
    this.ready = false;
    this._ping = null;
  }

  open() {
    let ws;
    try {
      ws = new this.WebSocketImpl(this.url);
    } catch (err) {
      this.clock.setTimeout(() => this.onClose({ code: 1006, ready: false }), 0);
      return;
    }
    this.ws = ws;
    this.ready = false;
    ws.addEventListener("message", (e) => this._onMessage(ws, e));
    ws.addEventListener("close", (e) => this._onClose(ws, e));
    ws.addEventListener("error", () => {}); // a close event always follows
  }

  /** Write one frame; false when the socket cannot take it now. */
  write(frame) {
    const ws = this.ws;
    if (!ws || ws.readyState !== OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  /** Close on purpose: the owner already knows, so onClose is not called. */
  close(code = 1000) {
    const ws = this.ws;
    this.ws = null;
    this._stopPing();
    this.protocol.detach(this);
    if (ws) {
      try {
        ws.close(code, "client");
      } catch (err) { /* already closed */ }
    }
  }

  _onMessage(ws, event) {
    if (ws !== this.ws) return;
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch (err) {
      return;
    }
    if (frame.type === "ready") {
      this.ready = true;
      this.protocol.attach(this);
      this._startPing();
      this.onReady();
    }
    if (this.ready) this.protocol.receive(frame);
  }

  _onClose(ws, event) {
    if (ws !== this.ws) return; // an old socket we already dropped
    this.ws = null;
    this._stopPing();
    this.protocol.detach(this);
    this.onClose({ code: event.code, ready: this.ready });
  }

  _startPing() {
    this._stopPing();
    this._ping = this.clock.setTimeout(() => this._heartbeat(), PING_EVERY_MS);
  }

  _stopPing() {
    if (this._ping !== null) this.clock.clearTimeout(this._ping);
    this._ping = null;
  }

  async _heartbeat() {
    const ws = this.ws;
    if (!ws) return;
    try {
      await this.protocol.request({ type: "ping" });
      if (ws === this.ws) this._startPing();
    } catch (err) {
      // No pong in time: a half-open socket. Drop it and let the owner reconnect.
      if (err.code !== "timeout" || ws !== this.ws) return;
      this._onClose(ws, { code: 1006 });
      try {
        ws.close();
      } catch (e) { /* ignore */ }
    }
  }
}
