// Which messages share a group: consecutive messages of one person within a few minutes, on
// the same day, show as one block with one time (as Messenger and Vinted do). Pure, so node
// tests it.

export const GROUP_GAP_MS = 5 * 60 * 1000;

/** Whether message b (after a) continues a's group. a, b: {sender, time (ms), day}. */
export function continuesGroup(a, b) {
  if (!a || !b) return false;
  if (a.sender !== b.sender || a.day !== b.day) return false;
  return Math.abs(b.time - a.time) <= GROUP_GAP_MS;
}

/** For a list in display order, each item's place: {start, end} of its group. */
export function groupPlaces(list) {
  return list.map((item, i) => ({
    start: !continuesGroup(list[i - 1], item),
    end: !continuesGroup(item, list[i + 1]),
  }));
}

// A long message is folded behind "Show more": past this many characters or lines.
export const FOLD_CHARS = 700;
export const FOLD_LINES = 12;

export function shouldFold(body) {
  const text = String(body || "");
  return text.length > FOLD_CHARS || text.split("\n").length > FOLD_LINES;
}
