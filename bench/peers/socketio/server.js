// The Socket.IO 4 + PostgreSQL chat server Parley is measured beside (bench/peers, issue 18).
//
// What a typical marketplace runs instead of Parley, written the way its documentation leads:
// authenticate the socket once at the handshake (the Django session cookie, looked up in
// django_session), join the user's room, and for each "send": one INSERT (the access check is
// part of that statement), then emit to the recipient's room and ack the sender.
//
//   PORT=8123 DATABASE_URL=postgres://... SESSION_COOKIE=sessionid node server.js
"use strict";

const http = require("node:http");
const zlib = require("node:zlib");
const { Server } = require("socket.io");
const { Pool } = require("pg");

const port = Number(process.env.PORT || 8123);
const cookieName = process.env.SESSION_COOKIE || "sessionid";
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.PG_POOL || 10) });

// One statement per message: the sender must be a participant; the recipient is the other one.
const INSERT = `
  INSERT INTO peer_socketio_message (conversation_id, sender_id, recipient_id, body, client_msg_id)
  SELECT c.id, $2::bigint, CASE WHEN c.buyer_id = $2::bigint THEN c.seller_id ELSE c.buyer_id END, $3, $4
    FROM parley_conversations_conversation c WHERE c.id = $1::bigint AND $2::bigint IN (c.buyer_id, c.seller_id)
  ON CONFLICT (sender_id, client_msg_id) DO UPDATE SET body = EXCLUDED.body
  RETURNING id, recipient_id, created_at`;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS peer_socketio_message (
    id bigserial PRIMARY KEY,
    conversation_id bigint NOT NULL,
    sender_id bigint NOT NULL,
    recipient_id bigint NOT NULL,
    body text NOT NULL,
    client_msg_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (sender_id, client_msg_id))`;

function cookie(header, name) {
  for (const part of (header || "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return null;
}

// Django's session_data: signing.dumps() = "<urlsafe b64 JSON, '.'-prefixed if zlib'd>:<ts>:<sig>".
// The row is found by its secret key, so the key is the credential (as Django itself trusts it).
function sessionUserId(data) {
  let b64 = data.split(":")[0];
  let raw = b64.startsWith(".") ? zlib.inflateSync(Buffer.from(b64.slice(1), "base64url"))
                                : Buffer.from(b64, "base64url");
  const id = JSON.parse(raw.toString("utf8"))._auth_user_id;
  return id ? Number(id) : null;
}

let failures = 0;

async function main() {
  await pool.query(SCHEMA);
  const server = http.createServer((req, res) => {
    if (req.url === "/healthz") { res.writeHead(200, { "content-type": "text/plain" }); res.end("ok"); return; }
    res.writeHead(404); res.end();
  });
  const io = new Server(server, { transports: ["websocket"], serveClient: false, perMessageDeflate: false });

  io.use(async (socket, next) => {
    try {
      const key = cookie(socket.handshake.headers.cookie, cookieName);
      if (!key) return next(new Error("unauthenticated"));
      const r = await pool.query(
        "SELECT session_data FROM django_session WHERE session_key = $1 AND expire_date > now()", [key]);
      const uid = r.rowCount ? sessionUserId(r.rows[0].session_data) : null;
      if (!uid) return next(new Error("unauthenticated"));
      socket.data.uid = uid;
      next();
    } catch (err) {
      next(new Error("unavailable"));
    }
  });

  io.on("connection", (socket) => {
    const uid = socket.data.uid;
    socket.join(`user:${uid}`);
    socket.on("send", async (msg, ack) => {
      if (typeof ack !== "function") return;
      const body = typeof msg?.body === "string" ? msg.body.trim() : "";
      if (!body || body.length > 5000 || typeof msg.client_msg_id !== "string") {
        return ack({ error: "invalid", client_msg_id: msg?.client_msg_id });
      }
      try {
        const r = await pool.query(INSERT, [msg.conversation_id, uid, body, msg.client_msg_id]);
        if (!r.rowCount) return ack({ error: "not_found", client_msg_id: msg.client_msg_id });
        const row = r.rows[0];
        const out = { id: Number(row.id), conversation_id: msg.conversation_id, sender_id: uid, body,
                      client_msg_id: msg.client_msg_id, created_at: row.created_at };
        io.to(`user:${row.recipient_id}`).emit("message", out);
        socket.to(`user:${uid}`).emit("message", out); // the sender's other tabs
        ack({ client_msg_id: msg.client_msg_id, id: out.id });
      } catch (err) {
        if (failures++ < 5) console.error("send failed:", err.message);
        ack({ error: "unavailable", client_msg_id: msg.client_msg_id });
      }
    });
  });

  server.listen(port, "127.0.0.1");
  const stop = () => { io.close(); pool.end().finally(() => process.exit(0)); };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err) => { console.error(err); process.exit(1); });
