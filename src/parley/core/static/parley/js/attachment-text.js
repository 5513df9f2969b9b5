// Attachments as words, with no DOM and no imports (the inbox, the bubble and node's tests use it):
// the preview of a message without text, a file's size, a voice message's length.

/** "Photo", "3 photos", "Voice message", the PDF's name: an inbox preview of a message without text. */
export function attachmentsLabel(list, t) {
  if (!Array.isArray(list) || !list.length) return "";
  const images = list.filter((a) => a.kind === "image").length;
  if (images === list.length) return images === 1 ? t("att_photo") : t("att_photos", { count: images });
  if (list.length === 1) return list[0].kind === "voice" ? t("att_voice") : list[0].name;
  return t("att_files", { count: list.length });
}

/** "1.2 MB", "340 kB": a file's size as people read it. */
export function formatSize(bytes) {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1e3))} kB`;
}

/** "0:07", "1:58". */
export function formatDuration(ms) {
  const s = Math.round((Number(ms) || 0) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
