// Parley's service worker, served at /sw.js (scope "/"): shows Web Push notifications and
// opens the conversation when one is clicked. It caches nothing: the app needs the network.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (err) {
    data = {};
  }
  const title = String(data.title || "Parley");
  const options = { body: String(data.body || ""), tag: data.tag || "parley", data: { url: data.url || "/messages/" },
    icon: "/static/parley/icons/icon-192.png" };
  event.waitUntil((async () => {
    // A visible Parley tab already rang for it: no second alert.
    const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    if (tabs.some((tab) => tab.visibilityState === "visible")) return;
    await self.registration.showNotification(title, options);
  })());
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || "/messages/", self.location.origin);
  if (url.origin !== self.location.origin) return;
  event.waitUntil((async () => {
    const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const tab of tabs) {
      if (new URL(tab.url).pathname === url.pathname && "focus" in tab) return tab.focus();
    }
    return self.clients.openWindow(url.href);
  })());
});
