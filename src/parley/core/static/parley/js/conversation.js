// One conversation: history (older pages on scroll up), live messages, optimistic sends with
// retry by the same client_msg_id, read marks and the "Seen" label. Text via textContent only.
import { connection } from "./connection.js";
import { appendLinkified, dayKey, el, formatClock, formatDay, fullDate, readJSON, t } from "./util.js";

const PAGE_SIZE = 30;
const NEAR_BOTTOM_PX = 80;
const NEAR_TOP_PX = 150;

const page = readJSON("page-data");
const me = page.me;
const info = page.conversation;
const convId = info.id;

const root = document.getElementById("chat");
const scroller = document.getElementById("chat-scroll");
const list = document.getElementById("msg-list");
const topNote = document.getElementById("chat-top-note");
const pill = document.getElementById("new-pill");
const form = document.getElementById("composer");
const input = document.getElementById("composer-input");
const errorBox = document.getElementById("composer-error");
const charCount = document.getElementById("char-count");
const apiUrl = root.dataset.apiUrl;
const maxChars = Number(root.dataset.maxChars) || 5000;

const conn = connection();

const byId = new Map(); // message id -> element
const pending = new Map(); // client_msg_id -> {cmid, body, node, state}
let oldestSeq = null;
let lastSeq = 0;
let hasMore = page.has_more;
let loadingOlder = false;
let myReadSeq = info.last_read_seq || 0;
let readSentSeq = myReadSeq;
let otherReadSeq = info.other_read_seq || 0;
let lastSubmitAt = 0;

// ---------- rendering ----------

function metaFor(node) {
  return node.querySelector(".msg-meta");
}

function setMeta(node, { time, state, retry } = {}) {
  const meta = metaFor(node);
  meta.replaceChildren();
  if (time) meta.append(el("time", { text: formatClock(time), attrs: { datetime: time, title: fullDate(time) } }));
  if (state === "sending" || state === "queued") {
    meta.append(el("span", { cls: "state", text: t(state) }));
  } else if (state === "failed") {
    meta.append(el("span", { cls: "state-failed", text: t("failed") }));
    if (retry) {
      const button = el("button", { cls: "btn btn-outline-danger retry", text: t("retry"), attrs: { type: "button" } });
      button.addEventListener("click", retry);
      meta.append(button);
    }
  }
}

function buildNode({ body, mine, time }) {
  const bubble = el("div", { cls: "bubble" });
  appendLinkified(bubble, body);
  const node = el("div", { cls: `msg ${mine ? "mine" : "theirs"}` }, [bubble, el("div", { cls: "msg-meta" })]);
  node.dataset.time = time;
  node.dataset.day = dayKey(time);
  return node;
}

function messageNode(m) {
  const node = buildNode({ body: m.body, mine: m.sender_id === me.id, time: m.created_at });
  node.dataset.id = String(m.id);
  node.dataset.seq = String(m.seq);
  node.dataset.cmid = m.client_msg_id;
  setMeta(node, { time: m.created_at });
  return node;
}

/** Put a confirmed message where its seq belongs: after lower seqs, before any pending. */
function place(node, seq) {
  for (const other of list.querySelectorAll(".msg")) {
    if (other === node) continue;
    if (!other.dataset.seq || Number(other.dataset.seq) > seq) {
      list.insertBefore(node, other);
      return;
    }
  }
  list.append(node);
}

function refreshDaySeparators() {
  for (const sep of list.querySelectorAll(".day-sep")) sep.remove();
  let previous = null;
  for (const node of [...list.children]) {
    if (node.dataset.day !== previous) {
      previous = node.dataset.day;
      list.insertBefore(el("div", { cls: "day-sep", text: formatDay(node.dataset.time), attrs: { role: "separator" } }), node);
    }
  }
}

function updateSeen() {
  for (const old of list.querySelectorAll(".msg-seen")) old.remove();
  let target = null;
  for (const node of list.querySelectorAll(".msg.mine[data-seq]")) {
    if (Number(node.dataset.seq) <= otherReadSeq) target = node;
  }
  if (target) target.append(el("div", { cls: "msg-seen", text: t("seen") }));
}

function updateTopNote() {
  if (loadingOlder) topNote.textContent = t("loading_older");
  else if (!hasMore) topNote.textContent = t("start_of_conversation");
  else topNote.textContent = "";
}

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
  if (nearBottom()) pill.hidden = true;
  if (scroller.scrollTop < NEAR_TOP_PX) loadOlder();
}, { passive: true });

/** Run a DOM change at the bottom: stay pinned if we were, else offer the pill. */
function atBottom(change, { forceScroll = false } = {}) {
  const pinned = nearBottom();
  change();
  refreshDaySeparators();
  updateSeen();
  if (pinned || forceScroll) scrollToBottom();
  else pill.hidden = false;
}

// ---------- history ----------

function addConfirmed(m) {
  if (byId.has(m.id)) return byId.get(m.id);
  const node = messageNode(m);
  byId.set(m.id, node);
  place(node, m.seq);
  lastSeq = Math.max(lastSeq, m.seq);
  oldestSeq = oldestSeq === null ? m.seq : Math.min(oldestSeq, m.seq);
  if (m.sender_id === me.id) myReadSeq = Math.max(myReadSeq, m.seq);
  return node;
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
    refreshDaySeparators();
    updateSeen();
    loadingOlder = false;
    updateTopNote();
    // Keep what the reader was looking at in place.
    scroller.scrollTop = scroller.scrollHeight - before;
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

// ---------- sending ----------

function showError(text) {
  errorBox.textContent = text;
  errorBox.hidden = !text;
}

function errorText(err) {
  if (err.code === "rate_limited") {
    const seconds = Math.max(1, Math.ceil(Number(err.details.retry_after) || 1));
    return t("rate_limited", { seconds });
  }
  if (err.code === "timeout") return t("timeout");
  if (err.code === "invalid" && err.message) return err.message;
  return err.message && err.code !== "server_error" ? err.message : t("error_generic");
}

function setPendingState(p, state) {
  p.state = state;
  p.node.classList.toggle("pending", state === "sending" || state === "queued");
  p.node.classList.toggle("failed", state === "failed");
  setMeta(p.node, { state, retry: state === "failed" ? () => attempt(p) : null });
}

function confirm(m) {
  const p = pending.get(m.client_msg_id);
  if (byId.has(m.id)) {
    if (p && p.node !== byId.get(m.id)) p.node.remove();
    pending.delete(m.client_msg_id);
    return;
  }
  if (!p) {
    atBottom(() => addConfirmed(m), { forceScroll: m.sender_id === me.id });
    return;
  }
  pending.delete(m.client_msg_id);
  const node = p.node;
  node.classList.remove("pending", "failed");
  node.dataset.id = String(m.id);
  node.dataset.seq = String(m.seq);
  node.dataset.time = m.created_at;
  node.dataset.day = dayKey(m.created_at);
  setMeta(node, { time: m.created_at });
  byId.set(m.id, node);
  lastSeq = Math.max(lastSeq, m.seq);
  myReadSeq = Math.max(myReadSeq, m.seq);
  readSentSeq = Math.max(readSentSeq, m.seq);
  oldestSeq = oldestSeq === null ? m.seq : Math.min(oldestSeq, m.seq);
  atBottom(() => place(node, m.seq));
}

async function attempt(p) {
  if (!pending.has(p.cmid)) return;
  if (!conn.connected) {
    setPendingState(p, "queued");
    return;
  }
  setPendingState(p, "sending");
  try {
    const reply = await conn.send({ type: "send", conversation_id: convId, body: p.body, client_msg_id: p.cmid });
    confirm(reply.message);
    if (![...pending.values()].some((other) => other.state === "failed")) showError("");
  } catch (err) {
    if (!pending.has(p.cmid)) return; // the message.created event confirmed it meanwhile
    if (err.code === "offline" || err.code === "disconnected") {
      setPendingState(p, "queued"); // resent with the same client_msg_id after reconnect
      return;
    }
    if (err.code === "invalid" && (!err.details.field || err.details.field === "body")) {
      // The text itself cannot be sent: give it back to the writer to fix.
      pending.delete(p.cmid);
      p.node.remove();
      refreshDaySeparators();
      if (!input.value.trim()) {
        input.value = p.body;
        autosize();
      }
      showError(errorText(err));
      input.focus();
      return;
    }
    setPendingState(p, "failed");
    showError(errorText(err));
    if (err.code === "rate_limited") {
      const wait = Math.max(1, Number(err.details.retry_after) || 1) * 1000;
      setTimeout(() => { if (pending.has(p.cmid) && p.state === "failed") attempt(p); }, wait);
    }
  }
}

function submit() {
  const body = input.value.replace(/\r\n/g, "\n").trim();
  if (!body) {
    // A second click of a double-click finds the box already emptied: not an error.
    if (Date.now() - lastSubmitAt > 1000) showError(t("empty_body"));
    input.focus();
    return;
  }
  if (body.length > maxChars) {
    showError(t("too_long", { length: body.length, limit: maxChars }));
    return;
  }
  lastSubmitAt = Date.now();
  showError("");
  input.value = "";
  autosize();
  const cmid = crypto.randomUUID();
  const node = buildNode({ body, mine: true, time: new Date().toISOString() });
  node.dataset.cmid = cmid;
  const p = { cmid, body, node, state: "sending" };
  pending.set(cmid, p);
  atBottom(() => list.append(node), { forceScroll: true });
  attempt(p);
  input.focus();
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  submit();
});

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submit();
  }
});

function autosize() {
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight + 2, 160)}px`;
}

input.addEventListener("input", () => {
  autosize();
  if (!errorBox.hidden) showError("");
  const n = input.value.trim().length;
  charCount.textContent = n > maxChars * 0.8 ? `${n} / ${maxChars}` : "";
  charCount.classList.toggle("over", n > maxChars);
});

// ---------- read marks ----------

function markRead() {
  if (document.visibilityState !== "visible" || !conn.connected) return;
  if (lastSeq <= myReadSeq || lastSeq <= readSentSeq) return;
  const seq = lastSeq;
  readSentSeq = seq;
  conn.send({ type: "read", conversation_id: convId, seq }).then(
    (reply) => { myReadSeq = Math.max(myReadSeq, Number(reply.last_read_seq) || 0); },
    () => { readSentSeq = myReadSeq; }, // try again on the next chance
  );
}

document.addEventListener("visibilitychange", markRead);

// ---------- live events ----------

conn.on("message.created", (data) => {
  const m = data.message;
  if (m.conversation_id !== convId) return;
  if (m.sender_id === me.id) {
    confirm(m);
    return;
  }
  if (byId.has(m.id)) return;
  atBottom(() => addConfirmed(m));
  markRead();
});

conn.on("conversation.read", (data) => {
  if (data.conversation_id !== convId) return;
  if (data.user_id === me.id) {
    myReadSeq = Math.max(myReadSeq, data.seq);
    readSentSeq = Math.max(readSentSeq, data.seq);
  } else if (data.seq > otherReadSeq) {
    otherReadSeq = data.seq;
    updateSeen();
  }
});

conn.on("open", () => {
  for (const p of pending.values()) if (p.state !== "failed") attempt(p);
  markRead();
});

// ---------- start ----------

for (const m of page.messages) addConfirmed(m);
refreshDaySeparators();
updateSeen();
updateTopNote();
scrollToBottom();
fillViewport();
input.focus({ preventScroll: true });
