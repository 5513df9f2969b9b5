// The conversation menu's mute entries (mute_menu.html): both states are in the page, and
// the `conversation.muted` / `conversation.unmuted` events of this user (from another tab,
// another device or the app) switch between them without a reload. The forms still post
// and reload the tab they are used in.
import { muteUntil } from "./notifier.js";

export class MuteMenu {
  constructor({ conn, root, conversationId, lang, setTimer = (fn, ms) => setTimeout(fn, ms), clearTimer = (id) => clearTimeout(id) }) {
    this.root = root; // the divider item that carries the state; the entries are its siblings
    this.menu = root.parentElement;
    this.conversationId = conversationId;
    this.lang = lang || undefined;
    this.setTimer = setTimer;
    this.clearTimer = clearTimer;
    this.timer = null;
    this.state = this.menu.querySelector("#menu-muted-state");
    const until = root.dataset.mutedUntil;
    if (root.dataset.muted === "true") this.expireAt(until ? Date.parse(until) : null);
    conn.on("conversation.muted", (data) => { if (data.conversation_id === conversationId) this.set(true, muteUntil(data.until)); });
    conn.on("conversation.unmuted", (data) => { if (data.conversation_id === conversationId) this.set(false, null); });
  }

  /** Show the conversation as muted until `until` (ms; null: until unmuted), or not muted. */
  set(muted, until) {
    this.root.dataset.muted = String(muted);
    for (const el of this.menu.querySelectorAll("[data-when-muted]")) el.hidden = !muted;
    for (const el of this.menu.querySelectorAll("[data-when-unmuted]")) el.hidden = muted;
    if (muted) {
      this.state.textContent = until === null
        ? this.state.dataset.foreverText
        : this.state.dataset.untilText.replace("%until%", this.format(until));
    }
    this.expireAt(muted ? until : null);
  }

  format(ms) {
    return new Date(ms).toLocaleString(this.lang, { dateStyle: "short", timeStyle: "short" });
  }

  /** A mute with an end lifts itself then, as the server counts it. */
  expireAt(until) {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    if (typeof until === "number" && Number.isFinite(until)) {
      this.timer = this.setTimer(() => this.set(false, null), Math.max(0, until - Date.now()));
    }
  }
}
