// Every logged-in page: start the tab's client, keep the unread badge and the connection
// status up to date, keep the outbox safe (confirm before closing with a send pending) and
// forget this user's stored outbox and drafts on log-out.
import { client } from "./client.js";
import { t } from "./util.js";

const conn = client();
window.parleyConnection = conn; // for debugging and the browser tests

const baseTitle = document.title;

export function setUnreadTotal(total) {
  const n = Math.max(0, Number(total) || 0);
  document.title = n > 0 ? `(${n}) ${baseTitle}` : baseTitle;
  for (const badge of document.querySelectorAll("[data-unread-badge]")) {
    badge.textContent = n > 99 ? "99+" : String(n);
    badge.hidden = n === 0;
  }
  document.body.dataset.unreadTotal = String(n);
}

function showState(state) {
  const box = document.getElementById("conn-status");
  if (!box) return;
  box.dataset.state = state;
  const label = box.querySelector(".conn-label");
  if (label) label.textContent = t(state);
  box.title = t(state);
}

let leaving = false; // set when the page itself navigates away: log-out, signed out, reload

conn.on("state", showState);
conn.on("message.created", (data) => {
  if (data && data.unread_total !== undefined) setUnreadTotal(data.unread_total);
});
conn.on("conversation.read", (data) => {
  if (data && data.unread_total !== undefined) setUnreadTotal(data.unread_total);
});
conn.on("conversation.unread", (data) => {
  if (data && data.unread_total !== undefined) setUnreadTotal(data.unread_total);
});
// A moderator's warning: shown on whatever page is open, until the user dismisses it.
conn.on("account.warned", (data) => {
  let stack = document.getElementById("warn-stack");
  if (!stack) {
    stack = document.createElement("div");
    stack.id = "warn-stack";
    stack.className = "warn-stack";
    document.body.append(stack);
  }
  const alert = document.createElement("div");
  alert.className = "alert alert-warning alert-dismissible fade show shadow account-warning";
  alert.setAttribute("role", "alert");
  const title = document.createElement("strong");
  title.className = "d-block";
  title.textContent = t("warned_title");
  const text = document.createElement("p");
  text.className = "mb-0 account-warning-text";
  text.textContent = String((data && data.message) || "");
  const close = document.createElement("button");
  close.type = "button";
  close.className = "btn-close";
  close.dataset.bsDismiss = "alert";
  close.setAttribute("aria-label", t("close"));
  alert.append(title, text, close);
  stack.append(alert);
});
conn.on("signed_out", () => {
  leaving = true; // the outbox stays stored for this user's next log-in; no question
  const login = document.body.dataset.loginUrl;
  if (login) window.location.assign(`${login}?next=${encodeURIComponent(window.location.pathname)}`);
});
conn.on("resync", () => {
  // The stream no longer reaches back to this page's state; the outbox is safe in storage.
  leaving = true;
  window.location.reload();
});

// A message the server refused for good (its text, or a conversation gone) leaves the
// outbox; keep its words as that conversation's draft, so nothing typed is lost even then.
conn.outbox.on("rejected", (item) => {
  if (!conn.storage.draft(item.conversation_id)) conn.storage.setDraft(item.conversation_id, item.body);
});

// Closing the tab with a message not yet acknowledged: ask first. (It is kept in storage and
// sent when the user comes back, but they cannot know that.)
window.addEventListener("beforeunload", (event) => {
  if (conn.outbox.size === 0 || leaving) return;
  event.preventDefault();
  event.returnValue = "";
});

// Log-out: the navbar's POST form. Clear before the request leaves, so a shared computer
// keeps nothing of this user's.
const logoutForm = document.getElementById("logout-button")?.closest("form") || document.querySelector('form[action$="/logout/"]');
logoutForm?.addEventListener("submit", () => {
  leaving = true;
  conn.storage.clear();
});

// Page modules run before this starts: they are deferred module scripts, and all of them
// are evaluated before DOMContentLoaded, so no event can arrive before they subscribe.
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => conn.start());
} else {
  queueMicrotask(() => conn.start());
}
