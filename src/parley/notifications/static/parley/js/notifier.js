// In the open tab: a short sound and, when the tab is hidden, a browser notification for each
// new message from someone else (sender, item, start of the message; a click opens the
// conversation). No I/O of its own beyond Audio and Notification, so node tests drive it.
const FRESH_MS = 60_000; // older messages (replayed by a sync after a reconnect) stay silent
const EXCERPT = 120;

export function excerpt(body, n = EXCERPT) {
  const text = String(body || "").replace(/\s+/g, " ").trim();
  return text.length <= n ? text : `${text.slice(0, n - 1).trimEnd()}\u2026`;
}

/** A `conversation.muted` event's `until` (ISO 8601 or null) as #notify-prefs has it: ms, or null for "until I unmute". */
export function muteUntil(until) {
  if (until === null || until === undefined) return null;
  const ms = Date.parse(until);
  return Number.isFinite(ms) ? ms : null;
}

/** Whether a new message should ring, given the prefs, the clock and who is looking. */
export function shouldAlert({ data, me, prefs, now, openConversation, visible }) {
  const message = data && data.message;
  if (!message || message.sender_id === me || message.removed) return false;
  const sent = Date.parse(message.created_at);
  if (Number.isFinite(sent) && now - sent > FRESH_MS) return false;
  const until = (prefs.muted || {})[String(message.conversation_id)];
  if (until === null || (typeof until === "number" && until > now)) return false;
  return !(visible && openConversation === message.conversation_id);
}

export class Notifier {
  constructor({ conn, prefs, me, doc = document, win = window }) {
    this.prefs = prefs;
    this.me = me;
    this.doc = doc;
    this.win = win;
    this.stats = { sounds: 0, shown: [] }; // read by the browser tests
    this.audio = null;
    this.prefs.muted = this.prefs.muted || {};
    conn.on("message.created", (data) => this.onMessage(data));
    // A mute set or lifted in another tab or device (or by the app) applies here at once.
    conn.on("conversation.muted", (data) => { this.prefs.muted[String(data.conversation_id)] = muteUntil(data.until); });
    conn.on("conversation.unmuted", (data) => { delete this.prefs.muted[String(data.conversation_id)]; });
  }

  openConversation() {
    const id = this.doc.getElementById("chat")?.dataset.conversationId;
    return id ? Number(id) : null;
  }

  onMessage(data) {
    const visible = this.doc.visibilityState === "visible";
    const ring = shouldAlert({
      data, me: this.me, prefs: this.prefs, now: Date.now(), openConversation: this.openConversation(), visible,
    });
    if (!ring) return;
    if (this.prefs.sound) this.playSound();
    if (!visible && this.prefs.browser) this.show(data);
  }

  playSound() {
    this.audio = this.audio || new Audio(this.prefs.sound_url);
    this.audio.currentTime = 0;
    this.stats.sounds += 1;
    // Browsers refuse sound before the user has touched the page: nothing to do then.
    this.audio.play().catch(() => {});
  }

  show(data) {
    const N = this.win.Notification;
    if (!N || N.permission !== "granted") return;
    const message = data.message;
    const conversation = data.conversation || {};
    const item = (conversation.listing && conversation.listing.title) || "";
    const title = (conversation.other && conversation.other.name) || "Parley";
    const body = item ? `${item} \u2014 ${excerpt(message.body)}` : excerpt(message.body);
    const url = `/messages/${message.conversation_id}/`;
    const note = new N(title, { body, tag: `parley-conversation-${message.conversation_id}`, data: { url } });
    this.stats.shown.push({ title, body, url });
    this.last = note;
    note.onclick = () => {
      this.win.focus();
      note.close();
      this.win.location.assign(url);
    };
  }
}

const VISIBLE_EVERY_MS = 20_000; // the server counts a tab visible for 60 s after it says so

/** Tell the server when this tab is visible or hidden (the `visibility` frame), and repeat
 *  "visible" while it is, so push waits while someone is looking at Parley. */
export class VisibilityReporter {
  constructor({ conn, doc, setTimer = (fn, ms) => setInterval(fn, ms), clearTimer = (id) => clearInterval(id) }) {
    this.conn = conn;
    this.doc = doc;
    this.setTimer = setTimer;
    this.clearTimer = clearTimer;
    this.timer = null;
    this.sent = []; // read by the tests
    conn.on("state", (state) => { if (state === "connected" || state === "fallback") this.report(); });
    doc.addEventListener("visibilitychange", () => this.report());
  }

  report() {
    const visible = this.doc.visibilityState === "visible";
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = visible ? this.setTimer(() => this.send(true), VISIBLE_EVERY_MS) : null;
    this.send(visible);
  }

  send(visible) {
    if (!this.conn.connected) return; // the next "connected" reports again
    this.sent.push(visible);
    Promise.resolve(this.conn.request({ type: "visibility", visible })).catch(() => {});
  }
}
