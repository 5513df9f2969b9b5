// parley.deals' pure helpers (no DOM): money as the issue writes it, the system lines' texts,
// and where a deal item goes among the messages. node --test covers them (tests/js).

/** "350 EUR", "299.50 EUR": the amount as the server sent it (a decimal string), without ".00". */
export function plainMoney(amount, currency) {
  if (amount === null || amount === undefined || amount === "") return "";
  return `${String(amount).replace(/\.0+$/, "")} ${currency}`;
}

/** A client string with {name} parameters filled in; an unknown key shows itself. */
export function fill(strings, key, params = {}) {
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** The system line of a listing change ("Alice marked this item as reserved", "Price dropped …"). */
export function changeText(change, tr) {
  if (change.kind === "status") return tr(`line_status_${change.new}`, { name: change.actor_name });
  const down = Number(change.new) < Number(change.old);
  return tr(down ? "line_price_down" : "line_price_up", {
    old: plainMoney(change.old, change.currency), new: plainMoney(change.new, change.currency),
  });
}

/** Where an item of time `at` (ms) goes among `messages` ({seq, time} in display order; a
 * pending one has no seq): the index of the message to insert it before, or -1 for the end. */
export function placeBefore(messages, at) {
  return messages.findIndex((m) => !m.seq || m.time > at);
}

/** Whether an item of time `at` can show yet: not while it is older than every loaded message
 * and older pages are still to load (it waits for its neighbours). */
export function canShow(at, oldestLoaded, startReached) {
  return startReached || at >= oldestLoaded;
}
