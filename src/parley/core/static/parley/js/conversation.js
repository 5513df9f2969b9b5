// One conversation page: wires the messages shown (message-list.js), older pages on scroll up
// (older-pages.js), sends through the tab's outbox (kept in storage, retried with the same
// client_msg_id), the read mark (read-marks.js), live events, replies and "Mark as unread".
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
import { MessageList } from "./message-list.js";
import { OlderPages } from "./older-pages.js";
import { ReadMarks } from "./read-marks.js";

const page = readJSON("page-data");
const me = page.me;
const info = page.conversation;
const convId = info.id;

const root = document.getElementById("chat");
const list = document.getElementById("msg-list");

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
    reads.resume(); // writing is an interaction: reading marks it read again
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

const messages = new MessageList({
  conversationId: convId, me, view,
  atBottom: (change, options) => atBottom(change, options),
  stillQueued: (cmid) => outbox.items(convId).some((i) => i.cmid === cmid),
  onMine: (seq) => reads.readUpTo(seq), // sending marks everything before it read
});
const reads = new ReadMarks({
  conn, conversationId: convId, readSeq: info.last_read_seq || 0,
  newestSeq: () => messages.lastSeq,
  canSee: () => document.visibilityState === "visible" && conn.connected,
});
const markRead = () => reads.mark();

// ---------- scrolling and history ----------

const chatScroll = new ChatScroll({
  scroller: document.getElementById("chat-scroll"), content: list, pill: document.getElementById("new-pill"),
  onBottom: markRead, onTop: () => older.load(),
});
const older = new OlderPages({
  apiUrl: root.dataset.apiUrl, messages, view, chatScroll, topNote: document.getElementById("chat-top-note"),
  hasMore: page.has_more,
});

/** Run a DOM change at the bottom: stay pinned if we were, else offer the pill. */
function atBottom(change, { forceScroll = false } = {}) {
  chatScroll.atBottom(() => {
    change();
    view.refresh();
  }, forceScroll);
}

// ---------- errors from the outbox ----------

function errorText(err) {
  const details = err.details || {};
  if (err.code === "rate_limited") return t("rate_limited", { seconds: Math.max(1, Math.ceil(Number(details.retry_after) || 1)) });
  if (err.code === "timeout") return t("timeout");
  if (err.code === "invalid" && err.message) return err.message;
  return err.message && err.code !== "server_error" ? err.message : t("error_generic");
}

outbox.on("change", (items) => messages.showOutbox(items));
outbox.on("sent", (item, message) => {
  messages.confirm(message);
  if (!outbox.items(convId).some((i) => i.state === "failed")) composer.showError("");
});
outbox.on("failed", (item, err) => {
  if (item.conversation_id === convId) composer.showError(errorText(err));
});
outbox.on("rejected", (item, err) => {
  if (item.conversation_id !== convId) return;
  messages.drop(item.cmid);
  composer.giveBack(item.body); // the text itself cannot be sent: back to the writer to fix
  tray?.giveBack(item.attachments); // and its files, not to be chosen again
  if (err.code === "blocked") blockMenu.refused(); // its note says why
  else composer.showError(errorText(err));
});

// ---------- read marks ----------

// Any sign that the reader is here is a chance to move the read mark (a tab can be opened in
// the background, and the first chance may come before the link is live).
document.addEventListener("visibilitychange", markRead);
window.addEventListener("focus", markRead);
window.addEventListener("pageshow", markRead);

// ---------- live events ----------

conn.on("message.created", (data) => {
  const m = data.message;
  if (m.conversation_id !== convId) return;
  messages.confirm(m);
  if (m.sender_id !== me.id) markRead();
});

conn.on("message.edited", (data) => {
  if (data.conversation_id !== convId) return;
  const node = messages.node(data.message.id);
  if (node) view.applyEdit(node, data.message);
});

conn.on("message.deleted", (data) => {
  if (data.conversation_id !== convId) return;
  const node = messages.node(data.message_id);
  if (node) view.markRemoved(node, "sender");
});

conn.on("message.hidden", (data) => {
  if (data.conversation_id !== convId) return;
  const node = messages.node(data.message_id);
  if (node) view.markRemoved(node, "moderation");
});

conn.on("conversation.read", (data) => {
  if (data.conversation_id !== convId) return;
  if (data.user_id === me.id) {
    reads.readUpTo(data.seq);
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
  const node = await older.find(quote);
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
  // The mark stays back while the reader looks, as Gmail, until they interact.
  reads.markUnread().then(
    // Messenger's way: the conversation leaves the screen, the inbox shows it unread.
    () => window.location.assign(document.querySelector(".chat-header .back").href),
    () => composer.showError(t("unread_failed")),
  );
});

conn.on("conversation.unread", (data) => {
  if (data.conversation_id !== convId) return;
  reads.setBack(data.last_read_seq);
});

// ---------- start ----------

for (const node of document.querySelectorAll("[data-avatar-name]")) {
  fillAvatar(node, { id: node.dataset.avatarId, name: node.dataset.avatarName });
}
for (const m of page.messages) messages.add(m);
view.otherReadSeq = info.other_read_seq || 0;
view.receipts = info.read_receipts !== false;
messages.showOutbox(outbox.items());
view.refresh();
older.showNote();
chatScroll.toBottom();
older.fill();
composer.focus();
openSearchHit(showOriginal, (id) => messages.node(id));
