// Typing and presence on a conversation page: "Bob is typing…" under the history (an
// aria-live region), "Online" / "Active 5 min ago" in the header, and the `typing` frames
// this composer sends (throttled, docs/protocol.md).
import { TYPING_SHOW_MS, TypingThrottle, activeText, pageLocale } from "./presence.js";
import { lang, t } from "./util.js";

const REFRESH_MS = 30000; // "Active 5 min ago" stays fresh
const ASK_AGAIN_MS = 60000; // a change lost on the way (a broker outage) is corrected within a minute

export class LiveChat {
  constructor({ conn, conversationId, other, input, typingNode, presenceNode }) {
    this.conn = conn;
    this.conversationId = conversationId;
    this.other = other;
    this.input = input;
    this.typingNode = typingNode;
    this.presenceNode = presenceNode;
    this.throttle = new TypingThrottle();
    this.locale = pageLocale(lang(), globalThis.navigator?.languages || []);
    this.presence = null; // {online, last_seen_at}
    this._typingTimer = null;
  }

  start() {
    this.input.addEventListener("input", () => this._typed());
    this.conn.on("signal:typing", (data) => {
      if (data.conversation_id !== this.conversationId || data.user_id !== this.other.id) return;
      if (data.active === false) this.otherStopped();
      else this._otherTyping();
    });
    this.conn.on("message.created", (data) => {
      if (data.message.conversation_id === this.conversationId && data.message.sender_id === this.other.id) this.otherStopped();
    });
    this.conn.on("signal:presence", (data) => {
      if (data.user_id !== this.other.id) return;
      this._setPresence(data);
    });
    // A privacy change (theirs or mine) may show or hide their presence: ask again.
    this.conn.on("signal:privacy", (data) => {
      if (data.conversation_id === this.conversationId && this.conn.connected) this._subscribe();
    });
    // Every new socket asks again: the server pushes changes to the sockets that asked.
    this.conn.on("open", () => this._subscribe());
    // Cut off, this page cannot know: "Online" or "typing…" would be stale, so the header
    // says nothing until the link is back and has asked again.
    this.conn.on("state", () => {
      if (!this.conn.connected) this._forget();
    });
    if (this.conn.connected) this._subscribe();
    setInterval(() => this._drawPresence(), REFRESH_MS);
    setInterval(() => {
      if (this.conn.connected) this._subscribe();
    }, ASK_AGAIN_MS);
    return this;
  }

  /** This composer sent a message: its arrival ends "typing…" on the other side. */
  sent() {
    this.throttle.sent();
  }

  otherStopped() {
    clearTimeout(this._typingTimer);
    this._typingTimer = null;
    this.typingNode.textContent = "";
  }

  _otherTyping() {
    this.typingNode.textContent = t("typing_named", { name: this.other.name });
    clearTimeout(this._typingTimer);
    this._typingTimer = setTimeout(() => this.otherStopped(), TYPING_SHOW_MS);
  }

  _typed() {
    if (!this.conn.connected) return;
    const frame = this.throttle.input(Date.now(), this.input.value.trim() !== "");
    if (!frame) return;
    this.conn.request({ type: "typing", conversation_id: this.conversationId, ...frame }).catch(() => this.throttle.failed());
  }

  _subscribe() {
    this.conn.request({ type: "presence", user_id: this.other.id }).then(
      (reply) => this._setPresence(reply),
      () => {}, // the header just stays as it was
    );
  }

  _setPresence(data) {
    this.presence = { online: Boolean(data.online), last_seen_at: data.last_seen_at || null };
    if (!this.presence.online) this.otherStopped();
    this._drawPresence();
  }

  _forget() {
    this.presence = null;
    this.otherStopped();
    this.presenceNode.classList.remove("is-online");
    this.presenceNode.textContent = "";
  }

  _drawPresence() {
    const p = this.presence;
    if (!p) return;
    this.presenceNode.classList.toggle("is-online", p.online);
    this.presenceNode.textContent = p.online ? t("online") : activeText(p.last_seen_at, Date.now(), { locale: this.locale, t });
  }
}
