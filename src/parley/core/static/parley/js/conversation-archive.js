// Archive / Unarchive in the conversation's menu. Archive files the conversation away and goes
// back to the inbox, as Gmail does; Unarchive brings it back and stays. Another tab's archive,
// or a new message (which brings an archived conversation back), switches the menu item.
import { client } from "./client.js";

const archiveButton = document.getElementById("menu-archive");
const unarchiveButton = document.getElementById("menu-unarchive");

function show(archived) {
  archiveButton.hidden = archived;
  unarchiveButton.hidden = !archived;
}

if (archiveButton && unarchiveButton) {
  const conn = client();
  const convId = Number(archiveButton.dataset.conversationId);
  archiveButton.addEventListener("click", () => {
    conn.request({ type: "archive", conversation_id: convId }).then(() => {
      show(true);
      const back = document.querySelector(".chat-header .back");
      if (back) window.location.assign(back.href);
    }, () => {});
  });
  unarchiveButton.addEventListener("click", () => {
    conn.request({ type: "unarchive", conversation_id: convId }).then(() => show(false), () => {});
  });
  conn.on("conversation.archived", (data) => { if (data.conversation_id === convId) show(true); });
  conn.on("conversation.unarchived", (data) => { if (data.conversation_id === convId) show(false); });
  conn.on("message.created", (data) => { if (data.conversation.id === convId) show(false); });
}
