// The message list of a conversation: bubbles cloned from <template>s, text set with
// textContent (links only for http(s)), groups with one time, day separators, "Seen" and
// the "Show more" fold. It knows nothing about the network.
import { groupPlaces, shouldFold } from "./groups.js";
import { safetyTip } from "./safety-tip.js";
import { showAttachments } from "./attachments-view.js";
import { appendLinkified, clone, dayKey, fillAvatar, formatClock, formatDay, fullDate, t } from "./util.js";

export class ChatView {
  constructor({ list, me, other, onRetry, onReport = null, onEdit = null, onDelete = null, onReply = null, onQuote = null,
    editWindowMs = 0, now = Date.now }) {
    this.list = list;
    this.me = me;
    this.other = other;
    this.onRetry = onRetry;
    this.onReport = onReport; // (message id) => …, or null when the page cannot report
    this.onEdit = onEdit; // (node) => …, for one's own messages within the edit window
    this.onDelete = onDelete;
    this.onReply = onReply; // (node) => …: quote this (confirmed) message in the composer
    this.onQuote = onQuote; // (quote) => …: a click on a quote, to show the original
    this.editWindowMs = editWindowMs;
    this.now = now;
    this.otherReadSeq = 0;
    this.receipts = true; // false: read receipts are off between the two (privacy): "Delivered"
  }

  /** A bubble for a confirmed message; the recipient of a flagged one gets a safety tip under it. */
  messageNode(m) {
    const node = this._build({ body: m.body, senderId: m.sender_id, time: m.created_at });
    if (m.sender_id !== this.me.id && Array.isArray(m.flags) && m.flags.length) {
      node.querySelector(".msg-meta").before(safetyTip(m.flags));
    }
    if (m.reply_to) this._quote(node, m.reply_to);
    if (!m.removed) showAttachments(node, m.attachments);
    this.confirmNode(node, m);
    if (m.removed) this.markRemoved(node, m.removed);
    else if (m.revision) this.applyEdit(node, m);
    return node;
  }

  /** The sender edited it: the new text, "edited", and the revision a next edit names. */
  applyEdit(node, m) {
    if (node.dataset.removed || Number(node.dataset.revision || 0) > m.revision) return;
    node.dataset.revision = String(m.revision);
    const bubble = node.querySelector(".bubble");
    bubble.replaceChildren();
    appendLinkified(bubble, m.body);
    const edited = node.querySelector(".msg-meta .edited");
    edited.hidden = false;
    node.querySelector(".msg-meta").hidden = false;
    if (m.edited_at) edited.title = fullDate(m.edited_at);
    this._updateQuotesOf(node.dataset.id, { body: m.body });
  }

  /** The name a quote shows for its sender. */
  senderName(senderId) {
    return senderId === this.me.id ? t("you") : this.other.name;
  }

  /** Show the quote of the message this one replies to: its sender and the start of its text. */
  _quote(node, quote) {
    const button = node.querySelector(".msg-quote");
    if (!button) return;
    button.hidden = false;
    button.dataset.quoteId = String(quote.id);
    button.dataset.quoteSeq = String(quote.seq);
    button.querySelector(".msg-quote-who").textContent = this.senderName(quote.sender_id);
    this._quoteText(button, quote);
    button.addEventListener("click", () => this.onQuote?.({ id: Number(button.dataset.quoteId), seq: Number(button.dataset.quoteSeq) }));
  }

  _quoteText(button, quote) {
    const text = quote.removed ? t(quote.removed === "sender" ? "removed_sender" : "removed_moderation") : quote.body;
    button.classList.toggle("removed", Boolean(quote.removed));
    button.querySelector(".msg-quote-text").textContent = text;
    button.setAttribute("aria-label", t("quote_label", { name: button.querySelector(".msg-quote-who").textContent, text }));
  }

  /** The quoted message changed (edited, deleted, hidden): every quote of it shows it as it is now. */
  _updateQuotesOf(id, quote) {
    if (!id) return;
    for (const button of this.list.querySelectorAll(`.msg-quote[data-quote-id="${CSS.escape(String(id))}"]`)) {
      this._quoteText(button, { ...quote, body: quote.body && quoteBody(quote.body) });
    }
  }

  /** Whether Edit and Delete are still offered for this (own, confirmed) message. */
  editable(node) {
    return Boolean(node.dataset.id) && !node.dataset.removed && !this._expired(node);
  }

  _expired(node) {
    return this.now() - Date.parse(node.dataset.time) >= this.editWindowMs;
  }

  /** The message's text is gone ("moderation", later "sender"): a muted note in its place. */
  markRemoved(node, reason) {
    if (node.dataset.removed) return;
    node.dataset.removed = reason;
    node.classList.add("removed");
    const bubble = node.querySelector(".bubble");
    bubble.replaceChildren();
    bubble.classList.remove("folded");
    bubble.textContent = t(reason === "sender" ? "removed_sender" : "removed_moderation");
    showAttachments(node, null); // a removed message's files are gone too
    node.querySelector(".show-more")?.remove();
    node.querySelector(".msg-actions")?.remove(); // nothing left to act on
    this._updateQuotesOf(node.dataset.id, { body: "", removed: reason });
  }

  /** A bubble for an outbox item, not yet acknowledged. */
  pendingNode(item) {
    const node = this._build({ body: item.body, senderId: this.me.id, time: item.created_at });
    node.dataset.cmid = item.cmid;
    if (item.reply_to) this._quote(node, item.reply_to);
    showAttachments(node, item.attachments);
    this.setState(node, item.state);
    return node;
  }

  /** The server stored it: give the bubble its id, seq and time. */
  confirmNode(node, m) {
    node.classList.remove("pending", "failed");
    node.dataset.id = String(m.id);
    node.dataset.seq = String(m.seq);
    node.dataset.cmid = m.client_msg_id;
    this._setTime(node, m.created_at);
    this.setState(node, null);
  }

  /** Show a pending bubble's state: "queued", "sending", "failed" or null (sent). */
  setState(node, state) {
    node.classList.toggle("pending", state === "queued" || state === "sending");
    node.classList.toggle("failed", state === "failed");
    const label = node.querySelector(".msg-meta .state");
    label.hidden = !state;
    label.textContent = state ? t(state) : "";
    label.classList.toggle("state-failed", state === "failed");
    node.querySelector(".msg-meta .retry").hidden = state !== "failed";
    node.dataset.state = state || "";
  }

  /** Put a confirmed node where its seq belongs: after lower seqs, before pending ones. */
  place(node, seq) {
    for (const other of this.list.querySelectorAll(".msg")) {
      if (other === node) continue;
      if (!other.dataset.seq || Number(other.dataset.seq) > seq) {
        this.list.insertBefore(node, other);
        return;
      }
    }
    this.list.append(node);
  }

  /** Redo what depends on neighbours: day separators, groups and their times, "Seen". */
  refresh() {
    for (const sep of this.list.querySelectorAll(".day-sep")) sep.remove();
    const nodes = [...this.list.querySelectorAll(".msg")];
    let previousDay = null;
    for (const node of nodes) {
      if (node.dataset.day !== previousDay) {
        previousDay = node.dataset.day;
        const sep = clone("tpl-day-sep");
        sep.textContent = formatDay(node.dataset.time);
        this.list.insertBefore(sep, node);
      }
    }
    const places = groupPlaces(nodes.map((n) => ({ sender: n.dataset.sender, time: Date.parse(n.dataset.time), day: n.dataset.day })));
    nodes.forEach((node, i) => {
      node.classList.toggle("group-start", places[i].start);
      node.classList.toggle("group-end", places[i].end);
      // One time per group, under its last bubble; a pending state always shows.
      // "edited" always shows, with the time beside it.
      node.querySelector(".msg-meta").hidden = !places[i].end && !node.dataset.state && !node.dataset.revision;
    });
    this._updateSeen();
  }

  setOtherRead(seq) {
    if (seq <= this.otherReadSeq) return;
    this.otherReadSeq = seq;
    this._updateSeen();
  }

  _build({ body, senderId, time }) {
    const node = clone("tpl-msg");
    const mine = senderId === this.me.id;
    node.classList.add(mine ? "mine" : "theirs");
    node.dataset.sender = String(senderId);
    const avatar = node.querySelector(".msg-avatar");
    if (mine) avatar.remove();
    else fillAvatar(avatar, this.other);
    const bubble = node.querySelector(".bubble");
    appendLinkified(bubble, body);
    if (shouldFold(body)) this._fold(node, bubble);
    else node.querySelector(".show-more").remove();
    node.querySelector(".retry").addEventListener("click", () => this.onRetry(node.dataset.cmid));
    this._setTime(node, time);
    this._menu(node, mine);
    return node;
  }

  /** The per-message menu: keep the items for this side's messages; none left, no menu. */
  _menu(node, mine) {
    const menu = node.querySelector(".msg-actions");
    if (!menu) return;
    for (const item of menu.querySelectorAll("[data-for]")) {
      if (item.dataset.for !== (mine ? "mine" : "theirs")) item.remove();
    }
    const edit = menu.querySelector(".msg-edit");
    const del = menu.querySelector(".msg-delete");
    if (mine && this.onEdit && this.onDelete && !this._expired(node)) {
      edit.addEventListener("click", () => this.onEdit(node));
      del.addEventListener("click", () => this.onDelete(node));
      // Offered for PARLEY_EDIT_WINDOW after sending, checked each time the menu opens; not
      // before the server confirmed the message (it has no id to name yet).
      menu.querySelector(".msg-actions-toggle").addEventListener("show.bs.dropdown", (event) => {
        // Past the window, or before the server confirmed it: no Edit or Delete; Reply stays
        // once the message has an id.
        const editable = this.editable(node);
        edit.closest("li").hidden = !editable;
        del.closest("li").hidden = !editable;
        if (!editable && !(node.dataset.id && this.onReply && menu.querySelector(".msg-reply"))) event.preventDefault();
      });
    } else {
      edit?.closest("li").remove();
      del?.closest("li").remove();
    }
    const reply = menu.querySelector(".msg-reply");
    if (reply && this.onReply) {
      reply.addEventListener("click", () => {
        if (node.dataset.id) this.onReply(node);
      });
    } else {
      reply?.closest("li").remove();
    }
    const report = menu.querySelector(".msg-report");
    if (report && this.onReport) {
      report.addEventListener("click", () => {
        if (node.dataset.id) this.onReport(Number(node.dataset.id));
      });
    } else {
      report?.closest("li").remove();
    }
    if (!menu.querySelector(".dropdown-item")) menu.remove();
  }

  _fold(node, bubble) {
    const button = node.querySelector(".show-more");
    bubble.classList.add("folded");
    button.hidden = false;
    button.addEventListener("click", () => {
      const folded = bubble.classList.toggle("folded");
      button.textContent = folded ? t("show_more") : t("show_less");
      button.setAttribute("aria-expanded", String(!folded));
    });
  }

  _setTime(node, iso) {
    node.dataset.time = iso;
    node.dataset.day = dayKey(iso);
    const time = node.querySelector(".msg-meta time");
    time.dateTime = iso;
    time.title = fullDate(iso);
    time.textContent = formatClock(iso);
  }

  /** Read receipts on or off between the two (the page's data, a `privacy` signal). */
  setReceipts(on, otherReadSeq = 0) {
    this.receipts = on;
    this.otherReadSeq = on ? otherReadSeq : 0;
    this._updateSeen();
  }

  _updateSeen() {
    for (const old of this.list.querySelectorAll(".msg-seen")) old.remove();
    let target = null;
    for (const node of this.list.querySelectorAll(".msg.mine[data-seq]")) {
      if (!this.receipts || Number(node.dataset.seq) <= this.otherReadSeq) target = node;
    }
    if (target) target.querySelector(".msg-body").append(clone(this.receipts ? "tpl-seen" : "tpl-delivered"));
  }
}

const QUOTE_CHARS = 140; // as the server cuts `reply_to.body` (conversations/serializers.py)

/** A quote's text: the start of a message, cut at QUOTE_CHARS with an ellipsis. */
export function quoteBody(text) {
  return text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS - 1).trimEnd()}\u2026` : text;
}
