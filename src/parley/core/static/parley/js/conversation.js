// One conversation page: history (older pages on scroll up), live messages, sends through
// the tab's outbox (kept in storage, retried with the same client_msg_id), read marks, "Seen".
import { ChatView } from "./chat-view.js";
import { client } from "./client.js";
import { Composer } from "./composer.js";
import { fillAvatar, readJSON, t } from "./util.js";

const PAGE_SIZE = 30;
const NEAR_BOTTOM_PX = 80;
const NEAR_TOP_PX = 150;
const ORPHAN_GRACE_MS = 15000;

const page = readJSON("page-data");
const me = page.me;
const info = page.conversation;
const convId = info.id;

const root = document.getElementById("chat");
const scroller = document.getElementById("chat-scroll");
const list = document.getElementById("msg-list");
const topNote = document.getElementById("chat-top-note");
const pill = document.getElementById("new-pill");
const apiUrl = root.dataset.apiUrl;

const conn = client();
const outbox = conn.outbox;
const view = new ChatView({ list, me, other: info.other, onRetry: (cmid) => outbox.retry(cmid) });
const composer = new Composer({
  root, storage: conn.storage, conversationId: convId, maxChars: Number(root.dataset.maxChars) || 5000, t,
  onSend: (body) => {
    outbox.add({ conversation_id: convId, body }); // its "change" draws the pending bubble
    scrollToBottom();
  },
});

const byId = new Map(); // message id -> node
const pendingByCmid = new Map(); // client_msg_id -> node not yet confirmed
let oldestSeq = null;
let lastSeq = 0;
let hasMore = page.has_more;
let loadingOlder = false;
let myReadSeq = info.last_read_seq || 0;
let readSentSeq = myReadSeq;

// ---------- scrolling ----------

function nearBottom() {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
}

function scrollToBottom() {
  scroller.scrollTop = scroller.scrollHeight;
  pill.hidden = true;
}

pill.addEventListener("click", () => {
  scroller.scrollTo({ top: scroller.scrollHeight, behavior: "smooth" });
  pill.hidden = true;
});

scroller.addEventListener("scroll", () => {
  if (nearBottom()) {
    pill.hidden = true;
    markRead();
  }
  if (scroller.scrollTop < NEAR_TOP_PX) loadOlder();
}, { passive: true });

/** Run a DOM change at the bottom: stay pinned if we were, else offer the pill. */
function atBottom(change, { forceScroll = false } = {}) {
  const pinned = nearBottom();
  change();
  view.refresh();
  if (pinned || forceScroll) scrollToBottom();
  else pill.hidden = false;
}

// ---------- messages ----------

function track(m) {
  lastSeq = Math.max(lastSeq, m.seq);
  oldestSeq = oldestSeq === null ? m.seq : Math.min(oldestSeq, m.seq);
  if (m.sender_id === me.id) {
    myReadSeq = Math.max(myReadSeq, m.seq); // sending marks everything before it read
    readSentSeq = Math.max(readSentSeq, m.seq);
  }
}

function addConfirmed(m) {
  if (byId.has(m.id)) return byId.get(m.id);
  const node = view.messageNode(m);
  byId.set(m.id, node);
  view.place(node, m.seq);
  track(m);
  return node;
}

/** A message of this conversation is stored: show it once, in its place. */
function confirm(m) {
  if (!m || m.conversation_id !== convId) return;
  const pendingNode = pendingByCmid.get(m.client_msg_id);
  pendingByCmid.delete(m.client_msg_id);
  if (byId.has(m.id)) {
    if (pendingNode && pendingNode !== byId.get(m.id)) pendingNode.remove();
    return;
  }
  if (!pendingNode) {
    atBottom(() => addConfirmed(m), { forceScroll: m.sender_id === me.id });
    return;
  }
  view.confirmNode(pendingNode, m);
  byId.set(m.id, pendingNode);
  track(m);
  atBottom(() => view.place(pendingNode, m.seq));
}

/** Draw this conversation's outbox: one pending bubble per item, whichever tab queued it. */
function showOutbox(items) {
  const mine = items.filter((i) => i.conversation_id === convId);
  const fresh = mine.filter((i) => !pendingByCmid.has(i.cmid) && !list.querySelector(`.msg[data-cmid="${CSS.escape(String(i.cmid))}"]`));
  for (const item of mine) {
    const node = pendingByCmid.get(item.cmid);
    if (node) view.setState(node, item.state);
  }
  forgetOrphans(new Set(mine.map((i) => i.cmid)));
  if (fresh.length === 0) {
    view.refresh();
    return;
  }
  atBottom(() => {
    for (const item of fresh) {
      const node = view.pendingNode(item);
      pendingByCmid.set(item.cmid, node);
      list.append(node);
    }
  }, { forceScroll: true });
}

/** A pending bubble whose item left the outbox in another tab is normally confirmed by its
 * message.created event soon after; if none comes (that tab's send was refused), drop it. */
function forgetOrphans(inOutbox) {
  for (const [cmid, node] of pendingByCmid) {
    if (inOutbox.has(cmid) || node.dataset.orphan) continue;
    node.dataset.orphan = "1";
    setTimeout(() => {
      if (pendingByCmid.get(cmid) !== node || outbox.items(convId).some((i) => i.cmid === cmid)) return;
      pendingByCmid.delete(cmid);
      node.remove();
      view.refresh();
    }, ORPHAN_GRACE_MS);
  }
}

// ---------- history ----------

function updateTopNote() {
  if (loadingOlder) topNote.textContent = t("loading_older");
  else topNote.textContent = hasMore ? "" : t("start_of_conversation");
}

async function loadOlder() {
  if (loadingOlder || !hasMore || oldestSeq === null) return;
  loadingOlder = true;
  updateTopNote();
  try {
    const response = await fetch(`${apiUrl}?before=${oldestSeq}&limit=${PAGE_SIZE}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(String(response.status));
    const data = await response.json();
    const before = scroller.scrollHeight - scroller.scrollTop;
    for (const m of data.messages) addConfirmed(m);
    hasMore = Boolean(data.has_more);
    view.refresh();
    loadingOlder = false;
    updateTopNote();
    scroller.scrollTop = scroller.scrollHeight - before; // keep what the reader looked at in place
  } catch (err) {
    loadingOlder = false;
    topNote.textContent = t("load_failed");
    return;
  }
  fillViewport();
}

function fillViewport() {
  if (hasMore && scroller.scrollHeight <= scroller.clientHeight + NEAR_TOP_PX) loadOlder();
}

// ---------- errors from the outbox ----------

function errorText(err) {
  const details = err.details || {};
  if (err.code === "rate_limited") return t("rate_limited", { seconds: Math.max(1, Math.ceil(Number(details.retry_after) || 1)) });
  if (err.code === "timeout") return t("timeout");
  if (err.code === "invalid" && err.message) return err.message;
  return err.message && err.code !== "server_error" ? err.message : t("error_generic");
}

outbox.on("change", showOutbox);
outbox.on("sent", (item, message) => {
  confirm(message);
  if (!outbox.items(convId).some((i) => i.state === "failed")) composer.showError("");
});
outbox.on("failed", (item, err) => {
  if (item.conversation_id === convId) composer.showError(errorText(err));
});
outbox.on("rejected", (item, err) => {
  if (item.conversation_id !== convId) return;
  pendingByCmid.get(item.cmid)?.remove();
  pendingByCmid.delete(item.cmid);
  view.refresh();
  composer.giveBack(item.body); // the text itself cannot be sent: back to the writer to fix
  composer.showError(errorText(err));
});

// ---------- read marks ----------

function markRead() {
  if (document.visibilityState !== "visible" || !conn.connected) return;
  if (lastSeq <= myReadSeq || lastSeq <= readSentSeq) return;
  const seq = lastSeq;
  readSentSeq = seq;
  conn.request({ type: "read", conversation_id: convId, seq }).then(
    (reply) => { myReadSeq = Math.max(myReadSeq, Number(reply.last_read_seq) || 0); },
    () => { readSentSeq = myReadSeq; }, // try again on the next chance
  );
}

// Any sign that the reader is here is a chance to move the read mark (a tab can be opened in
// the background, and the first chance may come before the link is live).
document.addEventListener("visibilitychange", markRead);
window.addEventListener("focus", markRead);
window.addEventListener("pageshow", markRead);

// ---------- live events ----------

conn.on("message.created", (data) => {
  const m = data.message;
  if (m.conversation_id !== convId) return;
  confirm(m);
  if (m.sender_id !== me.id) markRead();
});

conn.on("conversation.read", (data) => {
  if (data.conversation_id !== convId) return;
  if (data.user_id === me.id) {
    myReadSeq = Math.max(myReadSeq, data.seq);
    readSentSeq = Math.max(readSentSeq, data.seq);
  } else {
    view.setOtherRead(data.seq);
  }
});

conn.on("open", () => {
  markRead();
  setTimeout(markRead, 500); // visibility can settle just after the page's first paint
});

// ---------- start ----------

for (const node of document.querySelectorAll("[data-avatar-name]")) {
  fillAvatar(node, { id: node.dataset.avatarId, name: node.dataset.avatarName });
}
for (const m of page.messages) addConfirmed(m);
view.otherReadSeq = info.other_read_seq || 0;
showOutbox(outbox.items());
view.refresh();
updateTopNote();
scrollToBottom();
fillViewport();
composer.focus();
