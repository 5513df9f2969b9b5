// The message list of a conversation: bubbles cloned from <template>s, text set with
// textContent (links only for http(s)), groups with one time, day separators, "Seen" and
// the "Show more" fold. It knows nothing about the network.
import { groupPlaces, shouldFold } from "./groups.js";
import { appendLinkified, clone, dayKey, fillAvatar, formatClock, formatDay, fullDate, t } from "./util.js";

export class ChatView {
  constructor({ list, me, other, onRetry }) {
    this.list = list;
    this.me = me;
    this.other = other;
    this.onRetry = onRetry;
    this.otherReadSeq = 0;
  }

  /** A bubble for a confirmed message. */
  messageNode(m) {
    const node = this._build({ body: m.body, senderId: m.sender_id, time: m.created_at });
    this.confirmNode(node, m);
    return node;
  }

  /** A bubble for an outbox item, not yet acknowledged. */
  pendingNode(item) {
    const node = this._build({ body: item.body, senderId: this.me.id, time: item.created_at });
    node.dataset.cmid = item.cmid;
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
      node.querySelector(".msg-meta").hidden = !places[i].end && !node.dataset.state;
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
    return node;
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

  _updateSeen() {
    for (const old of this.list.querySelectorAll(".msg-seen")) old.remove();
    let target = null;
    for (const node of this.list.querySelectorAll(".msg.mine[data-seq]")) {
      if (Number(node.dataset.seq) <= this.otherReadSeq) target = node;
    }
    if (target) target.querySelector(".msg-body").append(clone("tpl-seen"));
  }
}
