// Every logged-in page: ring for new messages (notifier.js), with the choices the page gives
// (#notify-prefs: Sound, Browser notifications, muted conversations, kept current by the
// conversation.muted / conversation.unmuted events, which also switch the conversation menu's
// mute entries, mute-menu.js); tell the server whether
// this tab is visible (push waits while one is); register the service worker (/sw.js) that
// shows Web Push notifications and makes Parley installable. The tab title's unread count is
// app.js's setUnreadTotal.
import { client } from "./client.js";
import { MuteMenu } from "./mute-menu.js";
import { Notifier, VisibilityReporter } from "./notifier.js";
import { readJSON } from "./util.js";

const prefs = readJSON("notify-prefs");
if (prefs) {
  const conn = client();
  window.parleyNotifier = new Notifier({ conn, prefs, me: Number(document.body.dataset.userId) });
  window.parleyVisibility = new VisibilityReporter({ conn, doc: document });
  const muteRoot = document.getElementById("menu-mute");
  if (muteRoot) {
    window.parleyMuteMenu = new MuteMenu({
      conn, root: muteRoot, conversationId: Number(muteRoot.dataset.conversationId), lang: document.documentElement.lang,
    });
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  }
}
