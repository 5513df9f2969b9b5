// One conversation page: history (older pages on scroll up), live messages, sends through
// the tab's outbox (kept in storage, retried with the same client_msg_id), read marks, "Seen".
import { BlockMenu } from "./block.js";
import { ChatView, quoteBody } from "./chat-view.js";
import { client } from "./client.js";
import { Composer } from "./composer.js";
import { EditDialogs } from "./edit.js";
import { QuickReplies } from "./quick-replies.js";
import { ReportDialog } from "./report.js";
import { LiveChat } from "./live-chat.js";
import { fillAvatar, readJSON, t } from "./util.js";
import { openSearchHit } from "./search-hit.js";
import { AttachTray } from "./attach.js";
import { ChatScroll } from "./chat-scroll.js";

const PAGE_SIZE = 30;
const ORPHAN_GRACE_MS = 15000;

const page = readJSON("page-data");
const me = page.me;
const info = page.conversation;
const convId = info.id;

const root = document.getElementById("chat");
const list = document.getElementById("msg-list");
const topNote = document.getElementById("chat-top-note");
const apiUrl = root.dataset.apiUrl;

const conn = client();
const outbox = conn.outbox;
const reportDialog = new ReportDialog({ conn, conversationId: convId });
const view = new ChatView({
  list, me, other: info.other, onRetry: (cmid) => outbox.retry(cmid),
  onReport: reportDialog.available ? (messageId) => reportDialog.open(messageId) : null,
  onEdit: (node) => editDialogs.edit(node),
  onDelete: (node) => editDialogs.confirmDelete(node),
  onReply: (node) => startReply(node),
  onQuote: (quote) => showOriginal(quote),
  editWindowMs: 1000 * (Number(page.edit_window_s) || 0),
});
const composer = new Composer({
  root, storage: conn.storage, conversationId: convId, maxChars: Number(root.dataset.maxChars) || 5000, t,
  onSend: (body, reply, attachments) => {
    noAutoRead = false; // writing is an interaction: reading marks it read again
    outbox.add({ conversation_id: convId, body, reply_to: reply, attachments }); // its "change" draws the pending bubble
    live.sent();
    chatScroll.toBottom();
  },
});

// The "Quick replies" button beside the composer, when parley.quickreplies is installed.
const quickMenu = document.getElementById("quick-replies-menu");
if (quickMenu) new QuickReplies({ menu: quickMenu, composer });

const editDialogs = new EditDialogs({
  conn, conversationId: convId, view, errorText: (err) => errorText(err), onError: (text) => composer.showError(text),
});
const live = new LiveChat({
  conn, conversationId: convId, other: info.other, input: document.getElementById("composer-input"),
  typingNode: document.getElementById("typing-note"), presenceNode: document.getElementById("chat-presence"),
}).start();

const tray = AttachTray.mount({ root, composer }); // photos, PDFs, voice (parley.attachments), if installed
const blockMenu = new BlockMenu({ conn, otherId: info.other.id, blocked: page.blocked || {}, composer });

const byId = new Map(); // message id -> node
const pendingByCmid = new Map(); // client_msg_id -> node not yet confirmed
let oldestSeq = null;
let lastSeq = 0;
let hasMore = page.has_more;
let loadingOlder = false;
let myReadSeq = info.last_read_seq || 0;
let readSentSeq = myReadSeq;
// After "Mark as unread" from this page's menu, the page stops marking the conversation read
// until the reader interacts with it again (scrolls up to the bottom, types, sends, clicks).
let noAutoRead = false;

// ---------- scrolling ----------

const chatScroll = new ChatScroll({
  scroller: document.getElementById("chat-scroll"), content: list, pill: document.getElementById("new-pill"),
  onBottom: () => markRead(), onTop: () => loadOlder(),
});

/** Run a DOM change at the bottom: stay pinned if we were, else offer the pill. */
function atBottom(change, { forceScroll = false } = {}) {
  chatScroll.atBottom(() => {
    change();
    view.refresh();
  }, forceScroll);
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
    chatScroll.keepPlace(() => {
      for (const m of data.messages) addConfirmed(m);
      hasMore = Boolean(data.has_more);
      view.refresh();
      loadingOlder = false;
      updateTopNote();
    });
  } catch (err) {
    loadingOlder = false;
    topNote.textContent = t("load_failed");
    return;
  }
  fillViewport();
}

function fillViewport() {
  if (hasMore && chatScroll.underfilled()) loadOlder();
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
  tray?.giveBack(item.attachments); // and its files, not to be chosen again
  if (err.code === "blocked") blockMenu.refused(); // its note says why
  else composer.showError(errorText(err));
});

// ---------- read marks ----------

function markRead() {
  if (noAutoRead) return;
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

conn.on("message.edited", (data) => {
  if (data.conversation_id !== convId) return;
  const node = byId.get(data.message.id);
  if (node) view.applyEdit(node, data.message);
});

conn.on("message.deleted", (data) => {
  if (data.conversation_id !== convId) return;
  const node = byId.get(data.message_id);
  if (node) view.markRemoved(node, "sender");
});

conn.on("message.hidden", (data) => {
  if (data.conversation_id !== convId) return;
  const node = byId.get(data.message_id);
  if (node) view.markRemoved(node, "moderation");
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

// Someone changed their privacy here: receipts now flow or not ("Seen" or "Delivered").
conn.on("signal:privacy", (data) => {
  if (data.conversation_id === convId) view.setReceipts(data.read_receipts !== false, data.other_read_seq || 0);
});

conn.on("open", () => {
  markRead();
  setTimeout(markRead, 500); // visibility can settle just after the page's first paint
});

// ---------- reply ----------

/** Quote a message in the composer (Reply in its menu). */
function startReply(node) {
  const senderId = Number(node.dataset.sender);
  const body = quoteBody(node.querySelector(".bubble").textContent.trim());
  composer.setReply({ id: Number(node.dataset.id), seq: Number(node.dataset.seq), sender_id: senderId, body },
                    view.senderName(senderId));
}

/** A click on a quote: scroll to the original, loading older pages until it is there, and flash it. */
async function showOriginal(quote) {
  let node = byId.get(quote.id);
  for (let tries = 0; !node && hasMore && oldestSeq !== null && oldestSeq > quote.seq && tries < 200; tries++) {
    if (loadingOlder) { // a page is already on its way (scrolling up): wait for it
      await new Promise((resolve) => setTimeout(resolve, 100));
    } else {
      const before = oldestSeq;
      await loadOlder();
      if (oldestSeq === before && !loadingOlder) break; // the page did not load
    }
    node = byId.get(quote.id);
  }
  if (!node) {
    composer.showError(t("original_gone"));
    return;
  }
  chatScroll.reveal(node);
  node.classList.remove("flash");
  void node.offsetWidth; // restart the flash when clicked twice
  node.classList.add("flash");
  setTimeout(() => node.classList.remove("flash"), 1600);
}

// ---------- mark as unread ----------

document.getElementById("menu-unread")?.addEventListener("click", () => {
  noAutoRead = true; // stay unread while the reader looks: as Gmail, until they interact
  conn.request({ type: "unread", conversation_id: convId }).then(
    (reply) => {
      myReadSeq = Number(reply.last_read_seq) || 0;
      readSentSeq = myReadSeq;
      // Messenger's way: the conversation leaves the screen, the inbox shows it unread.
      window.location.assign(document.querySelector(".chat-header .back").href);
    },
    () => {
      noAutoRead = false;
      composer.showError(t("unread_failed"));
    },
  );
});

conn.on("conversation.unread", (data) => {
  if (data.conversation_id !== convId) return;
  myReadSeq = data.last_read_seq;
  readSentSeq = data.last_read_seq;
});

// ---------- start ----------

for (const node of document.querySelectorAll("[data-avatar-name]")) {
  fillAvatar(node, { id: node.dataset.avatarId, name: node.dataset.avatarName });
}
for (const m of page.messages) addConfirmed(m);
view.otherReadSeq = info.other_read_seq || 0;
view.receipts = info.read_receipts !== false;
showOutbox(outbox.items());
view.refresh();
updateTopNote();
chatScroll.toBottom();
fillViewport();
composer.focus();
openSearchHit(showOriginal, (id) => byId.get(id));
