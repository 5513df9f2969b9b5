// The settings page's "Enable notifications on this device": ask the browser's permission,
// then subscribe this device to Web Push (VAPID) through the service worker and hand the
// subscription to the server. Its texts come translated in the status element's data-*.
const button = document.getElementById("notify-enable-device");
const state = document.getElementById("notify-device-state");

function say(key) {
  state.textContent = state.dataset[key] || "";
  state.dataset.state = key;
}

function csrfToken() {
  const input = document.querySelector("#settings-notifications input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function keyBytes(base64url) {
  const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

async function subscribe(key) {
  const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  await navigator.serviceWorker.ready;
  const subscription = (await registration.pushManager.getSubscription())
    || (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) }));
  const response = await fetch("/notifications/push/subscribe/", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(subscription.toJSON()),
  });
  if (!response.ok) throw new Error(String(response.status));
}

async function enable() {
  button.disabled = true;
  try {
    const permission = await Notification.requestPermission();
    if (permission !== "granted") return say(permission === "denied" ? "denied" : "ask");
    const key = button.dataset.vapidKey;
    if (!key || !("serviceWorker" in navigator) || !("PushManager" in window)) return say("tabOnly");
    say("working");
    await subscribe(key);
    say("on");
  } catch (err) {
    say("failed");
  } finally {
    button.disabled = false;
  }
}

if (button && state && "Notification" in window) {
  button.hidden = false;
  button.addEventListener("click", enable);
  if (Notification.permission === "denied") say("denied");
  else if (Notification.permission === "granted") say(button.dataset.vapidKey ? "granted" : "tabOnly");
}
