// This page's read mark in one conversation. It moves to the newest message shown when the
// reader can see it, asked once per seq, and stays back after "Mark as unread" until the
// reader interacts with the page again (as Gmail).

export class ReadMarks {
  /** newestSeq(): the newest seq shown. canSee(): the page is visible and the link is up. */
  constructor({ conn, conversationId, readSeq = 0, newestSeq, canSee }) {
    Object.assign(this, { conn, conversationId, newestSeq, canSee });
    this.mine = readSeq; // the server's mark, as this page last heard it
    this.asked = readSeq; // the highest seq a "read" was sent for
    this.paused = false; // after "Mark as unread", until the reader interacts
  }

  /** A chance to move the mark: ask the server once for the newest message shown. */
  mark() {
    if (this.paused || !this.canSee()) return;
    const seq = this.newestSeq();
    if (seq <= this.mine || seq <= this.asked) return;
    this.asked = seq;
    this.conn.request({ type: "read", conversation_id: this.conversationId, seq }).then(
      (reply) => { this.mine = Math.max(this.mine, Number(reply.last_read_seq) || 0); },
      () => { this.asked = this.mine; }, // try again on the next chance
    );
  }

  /** Everything up to seq is read: my own message, or my mark moved in another tab. */
  readUpTo(seq) {
    this.mine = Math.max(this.mine, seq);
    this.asked = Math.max(this.asked, seq);
  }

  /** The server moved the mark back (Mark as unread, here or in another tab). */
  setBack(seq) {
    this.mine = Number(seq) || 0;
    this.asked = this.mine;
  }

  /** The reader interacted (typed, sent): reading marks it read again. */
  resume() {
    this.paused = false;
  }

  /** "Mark as unread": resolves with the server's reply; the mark stays back meanwhile. */
  async markUnread() {
    this.paused = true;
    try {
      const reply = await this.conn.request({ type: "unread", conversation_id: this.conversationId });
      this.setBack(reply.last_read_seq);
      return reply;
    } catch (err) {
      this.paused = false;
      throw err;
    }
  }
}
