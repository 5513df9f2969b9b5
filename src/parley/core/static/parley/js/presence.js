// Typing and presence with no DOM and no I/O: the client-side throttle of `typing` frames and
// the "Active 5 min ago" text. Time comes in as arguments, so tests/js drives them under node.

export const TYPING_EVERY_MS = 3000; // at most one `typing` frame per conversation this often
export const TYPING_SHOW_MS = 6000; // a "typing…" goes away this long after the last signal

/** When to send `typing` frames for one conversation's composer. */
export class TypingThrottle {
  constructor({ everyMs = TYPING_EVERY_MS, showMs = TYPING_SHOW_MS } = {}) {
    this.everyMs = everyMs;
    this.showMs = showMs;
    this.lastSent = null; // when the last active signal went out
  }

  /** The box changed at `now` (ms): the frame fields to send ({active}), or null for none. */
  input(now, hasText) {
    if (!hasText) {
      // Emptied: say so, if the other side may still show "typing…".
      const showing = this.lastSent !== null && now - this.lastSent < this.showMs;
      this.lastSent = null;
      return showing ? { active: false } : null;
    }
    if (this.lastSent !== null && now - this.lastSent < this.everyMs) return null;
    this.lastSent = now;
    return { active: true };
  }

  /** The message was sent (its arrival ends "typing…" over there): the next key signals at once. */
  sent() {
    this.lastSent = null;
  }

  /** The frame failed (not sent, refused): let the next keystroke try again. */
  failed() {
    this.lastSent = null;
  }
}

function sameDay(a, b) {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/**
 * "Active just now", "Active 5 min ago", "Active 3 hr ago", "Active yesterday", "Active on 3 Dec"
 * (in `locale`, through `t` for the words around the date), or "" when never seen.
 */
export function activeText(iso, now, { locale, t }) {
  const then = iso ? Date.parse(iso) : NaN;
  if (!Number.isFinite(then)) return "";
  const seconds = Math.max(0, (now - then) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale, { style: "short", numeric: "auto" });
  if (seconds < 60) return t("active_just_now");
  if (seconds < 3600) return t("active_ago", { when: rtf.format(-Math.floor(seconds / 60), "minute") });
  const seen = new Date(then);
  const today = new Date(now);
  if (sameDay(seen, today)) return t("active_ago", { when: rtf.format(-Math.floor(seconds / 3600), "hour") });
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (sameDay(seen, yesterday)) return t("active_ago", { when: rtf.format(-1, "day") });
  const options = { day: "numeric", month: "short" };
  if (seen.getFullYear() !== today.getFullYear()) options.year = "numeric";
  return t("active_on", { date: seen.toLocaleDateString(locale, options) });
}

/** The page's language, made precise by the browser's when they agree ("en" -> "en-GB"). */
export function pageLocale(pageLang, browserLangs = []) {
  const base = String(pageLang || "en").toLowerCase().split("-")[0];
  return browserLangs.find((l) => String(l).toLowerCase().split("-")[0] === base) || pageLang || "en";
}
