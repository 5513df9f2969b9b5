// What the browser keeps for one user, so nothing typed is lost: the outbox (messages not yet
// acknowledged) and a draft per conversation, in localStorage under keys that name the user.
// Other tabs of the same user see changes through `storage` events; navigator.locks, where
// the browser has it, keeps two tabs from sending the same message at the same moment.

const PREFIX = "parley:";

function safeStorage() {
  try {
    const s = globalThis.localStorage;
    const probe = `${PREFIX}probe`;
    s.setItem(probe, "1");
    s.removeItem(probe);
    return s;
  } catch (err) {
    return null; // disabled or full: fall back to memory for this tab
  }
}

// A Storage-like map for one tab (also what the unit tests store into).
export function memoryStorage() {
  const map = new Map();
  return {
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => map.set(k, String(v)),
    removeItem: (k) => map.delete(k),
    key: (i) => [...map.keys()][i] ?? null,
    get length() { return map.size; },
  };
}

/** Run fn while holding an exclusive lock named name; resolve undefined when another tab holds it. */
async function withLock(name, fn) {
  const locks = globalThis.navigator?.locks;
  if (!locks) return fn(); // older browsers: a rare double send, which the server dedupes
  return locks.request(name, { ifAvailable: true }, (lock) => (lock ? fn() : undefined));
}

export class UserStorage {
  constructor(userId, storage = safeStorage() || memoryStorage()) {
    this.userId = String(userId || "anonymous");
    this.storage = storage;
    this.outboxKey = `${PREFIX}${this.userId}:outbox`;
    this.draftPrefix = `${PREFIX}${this.userId}:draft:`;
  }

  /** The outbox store the Outbox class expects: load, save, lock. */
  outboxStore() {
    return {
      load: () => this._readJSON(this.outboxKey, []),
      save: (items) => {
        if (items.length) this._write(this.outboxKey, JSON.stringify(items));
        else this.storage.removeItem(this.outboxKey);
      },
      lock: withLock,
    };
  }

  /** Call fn when another tab changed this user's outbox. */
  onOutboxChange(fn) {
    globalThis.addEventListener?.("storage", (e) => {
      if (e.key === this.outboxKey || e.key === null) fn();
    });
  }

  draft(conversationId) {
    return this.storage.getItem(this.draftPrefix + conversationId) || "";
  }

  setDraft(conversationId, text) {
    if (text && text.trim()) this._write(this.draftPrefix + conversationId, text);
    else this.storage.removeItem(this.draftPrefix + conversationId);
  }

  /** Forget everything kept for this user (on log-out). */
  clear() {
    const mine = `${PREFIX}${this.userId}:`;
    const keys = [];
    for (let i = 0; i < this.storage.length; i++) {
      const key = this.storage.key(i);
      if (key && key.startsWith(mine)) keys.push(key);
    }
    for (const key of keys) this.storage.removeItem(key);
  }

  _readJSON(key, fallback) {
    try {
      const value = JSON.parse(this.storage.getItem(key));
      return Array.isArray(value) ? value : fallback;
    } catch (err) {
      return fallback;
    }
  }

  _write(key, value) {
    try {
      this.storage.setItem(key, value);
    } catch (err) {
      console.warn("parley: could not keep", key, err); // full: it still lives in this tab
    }
  }
}
