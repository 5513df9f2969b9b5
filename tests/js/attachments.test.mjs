// Attachments in the client: the inbox preview of a message without text, sizes and durations
// as people read them, and the outbox sending its files' ids with every attempt.
import assert from "node:assert/strict";
import { test } from "node:test";

import { memoryStore, Outbox } from "../../src/parley/core/static/parley/js/outbox.js";
import { goLive, harness, settle } from "./helpers.mjs";

import { attachmentsLabel as label, formatDuration, formatSize } from "../../src/parley/core/static/parley/js/attachment-text.js";

const STRINGS = { att_photo: "Photo", att_photos: "{count} photos", att_voice: "Voice message", att_files: "{count} files" };
const t = (key, params = {}) => STRINGS[key].replace(/\{(\w+)\}/g, (m, name) => String(params[name]));
const attachmentsLabel = (list) => label(list, t);

const image = { id: "a", kind: "image", name: "p.jpg" };

test("the inbox says Photo, N photos, Voice message, a PDF's name or N files", () => {
  assert.equal(attachmentsLabel([image]), "Photo");
  assert.equal(attachmentsLabel([image, { ...image, id: "b" }]), "2 photos");
  assert.equal(attachmentsLabel([{ id: "v", kind: "voice", name: "voice.webm" }]), "Voice message");
  assert.equal(attachmentsLabel([{ id: "d", kind: "pdf", name: "invoice.pdf" }]), "invoice.pdf");
  assert.equal(attachmentsLabel([image, { id: "d", kind: "pdf", name: "invoice.pdf" }]), "2 files");
  assert.equal(attachmentsLabel(undefined), "");
  assert.equal(attachmentsLabel([]), "");
});

test("sizes and durations", () => {
  assert.equal(formatSize(1234), "1 kB");
  assert.equal(formatSize(300), "1 kB");
  assert.equal(formatSize(2_345_678), "2.3 MB");
  assert.equal(formatDuration(7400), "0:07");
  assert.equal(formatDuration(118_000), "1:58");
  assert.equal(formatDuration(undefined), "0:00");
});

test("a message with files sends their ids on every attempt; one without sends none", async () => {
  const h = harness();
  let n = 0;
  const outbox = new Outbox({ protocol: h.protocol, store: memoryStore(), clock: h.clock, newId: () => `cmid-${++n}` });
  const files = [{ id: "f1", kind: "image" }, { id: "f2", kind: "pdf" }];
  const item = outbox.add({ conversation_id: 3, body: "", attachments: files });
  await goLive(h);
  const send = h.transport.last("send");
  assert.deepEqual([send.body, send.attachment_ids, send.client_msg_id], ["", ["f1", "f2"], item.cmid]);
  assert.deepEqual(outbox.items()[0].attachments, files); // the pending bubble draws them
  h.protocol.receive({ type: "ack", id: send.id, client_msg_id: send.client_msg_id, created: true,
                      message: { id: 100, client_msg_id: send.client_msg_id } });
  await settle();
  outbox.add({ conversation_id: 3, body: "plain" });
  await settle();
  assert.equal(h.transport.last("send").body, "plain");
  assert.equal("attachment_ids" in h.transport.last("send"), false);
});
