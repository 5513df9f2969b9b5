// The messages one conversation page shows: each stored message once, in its place by seq,
// and a pending bubble per outbox item of this conversation (whichever tab queued it) until
// its message is stored. No I/O: the page hands it messages and outbox items, the view draws.

export const ORPHAN_GRACE_MS = 15000;

export class MessageList {
  /**
   * view: the ChatView (its `list` holds the bubbles). atBottom(change, {forceScroll}): run a
   * DOM change at the bottom of the scroll. stillQueued(cmid): is the item still in the
   * outbox. onMine(seq): one of my messages is shown (sending marks what came before read).
   */
  constructor({ conversationId, me, view, atBottom, stillQueued, onMine = () => {}, setTimer = setTimeout }) {
    Object.assign(this, { conversationId, me, view, atBottom, stillQueued, onMine, setTimer });
    this.byId = new Map(); // message id -> node
    this.pendingByCmid = new Map(); // client_msg_id -> node not yet confirmed
    this.shownCmids = new Set(); // client_msg_ids of the stored messages shown
    this.oldestSeq = null;
    this.lastSeq = 0;
  }

  node(id) {
    return this.byId.get(id);
  }

  /** A stored message from history or the page's first load: drawn once, in its place. */
  add(m) {
    if (this.byId.has(m.id)) return this.byId.get(m.id);
    const node = this.view.messageNode(m);
    this.byId.set(m.id, node);
    this.view.place(node, m.seq);
    this._track(m);
    return node;
  }

  /** A message of this conversation is stored: show it once, in its place, in the bubble
   * that waited for it if this tab has one. */
  confirm(m) {
    if (!m || m.conversation_id !== this.conversationId) return;
    const pendingNode = this.pendingByCmid.get(m.client_msg_id);
    this.pendingByCmid.delete(m.client_msg_id);
    if (this.byId.has(m.id)) {
      if (pendingNode && pendingNode !== this.byId.get(m.id)) pendingNode.remove();
      return;
    }
    if (!pendingNode) {
      this.atBottom(() => this.add(m), { forceScroll: m.sender_id === this.me.id });
      return;
    }
    this.view.confirmNode(pendingNode, m);
    this.byId.set(m.id, pendingNode);
    this._track(m);
    this.atBottom(() => this.view.place(pendingNode, m.seq));
  }

  /** Draw this conversation's outbox: one pending bubble per item, its state as the item's. */
  showOutbox(items) {
    const mine = items.filter((i) => i.conversation_id === this.conversationId);
    const fresh = mine.filter((i) => !this.pendingByCmid.has(i.cmid) && !this.shownCmids.has(i.cmid));
    for (const item of mine) {
      const node = this.pendingByCmid.get(item.cmid);
      if (node) this.view.setState(node, item.state);
    }
    this._forgetOrphans(new Set(mine.map((i) => i.cmid)));
    if (fresh.length === 0) {
      this.view.refresh();
      return;
    }
    this.atBottom(() => {
      for (const item of fresh) {
        const node = this.view.pendingNode(item);
        this.pendingByCmid.set(item.cmid, node);
        this.view.list.append(node);
      }
    }, { forceScroll: true });
  }

  /** The server refused the item for good: its bubble goes. */
  drop(cmid) {
    this.pendingByCmid.get(cmid)?.remove();
    this.pendingByCmid.delete(cmid);
    this.view.refresh();
  }

  _track(m) {
    this.lastSeq = Math.max(this.lastSeq, m.seq);
    this.oldestSeq = this.oldestSeq === null ? m.seq : Math.min(this.oldestSeq, m.seq);
    if (m.client_msg_id) this.shownCmids.add(m.client_msg_id);
    if (m.sender_id === this.me.id) this.onMine(m.seq);
  }

  /** A pending bubble whose item left the outbox in another tab is normally confirmed by its
   * message.created event soon after; if none comes (that tab's send was refused), it goes. */
  _forgetOrphans(inOutbox) {
    for (const [cmid, node] of this.pendingByCmid) {
      if (inOutbox.has(cmid) || node.dataset.orphan) continue;
      node.dataset.orphan = "1";
      this.setTimer(() => {
        if (this.pendingByCmid.get(cmid) !== node || this.stillQueued(cmid)) return;
        this.pendingByCmid.delete(cmid);
        node.remove();
        this.view.refresh();
      }, ORPHAN_GRACE_MS);
    }
  }
}
