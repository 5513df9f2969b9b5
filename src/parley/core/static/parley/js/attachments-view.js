// Files in a bubble (parley.attachments): photo thumbnails that open the full-screen viewer,
// PDFs as a card with name, size and a download link, voice messages with a player and a
// duration bar. Markup from <template>s of attachments/conversation.html; text by textContent.
import { formatDuration, formatSize } from "./attachment-text.js";
import { t } from "./util.js";
import { Viewer } from "./viewer.js";

let viewer = null;

function fromTemplate(id) {
  const template = document.getElementById(id);
  return template ? template.content.firstElementChild.cloneNode(true) : null;
}

/** Draw a message's files in its bubble (none: take them away, as for a removed message). */
export function showAttachments(node, list) {
  node.querySelector(".att-list")?.remove();
  const bubble = node.querySelector(".bubble");
  if (!Array.isArray(list) || !list.length) {
    bubble.classList.remove("att-caption-empty");
    return;
  }
  const box = document.createElement("div");
  box.className = "att-list";
  const images = list.filter((a) => a.kind === "image");
  if (images.length) box.append(imageGrid(images));
  for (const a of list) {
    if (a.kind === "pdf") box.append(pdfCard(a));
    if (a.kind === "voice") box.append(voicePlayer(a));
  }
  bubble.classList.toggle("att-caption-empty", !bubble.textContent.trim());
  node.querySelector(".msg-line").before(box);
}

function imageGrid(images) {
  const grid = document.createElement("div");
  grid.className = `att-grid att-n${Math.min(images.length, 4)}`;
  images.forEach((a, index) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "att-thumb";
    button.setAttribute("aria-label", t("att_open", { name: a.name }));
    const img = document.createElement("img");
    img.src = a.thumb_url;
    img.alt = "";
    img.loading = "lazy";
    if (a.width && a.height) {
      img.width = a.width;
      img.height = a.height;
    }
    button.append(img);
    button.addEventListener("click", () => {
      viewer ??= new Viewer();
      viewer.open(images, index);
    });
    grid.append(button);
  });
  return grid;
}

function pdfCard(a) {
  const card = fromTemplate("tpl-att-file");
  card.querySelector(".att-file-name").textContent = a.name;
  card.querySelector(".att-file-size").textContent = formatSize(a.size);
  const link = card.querySelector(".att-download");
  link.href = a.url;
  link.setAttribute("download", a.name);
  link.setAttribute("aria-label", t("att_download", { name: a.name }));
  return card;
}

function voicePlayer(a) {
  const box = fromTemplate("tpl-att-voice");
  const audio = box.querySelector("audio");
  const bar = box.querySelector("progress");
  const label = box.querySelector(".att-voice-time");
  const total = (Number(a.duration_ms) || 0) / 1000;
  audio.src = a.url;
  label.textContent = formatDuration(a.duration_ms);
  bar.max = Math.max(total, 0.1);
  bar.value = 0;
  // MediaRecorder's files carry no duration, so the bar runs on the length the server read.
  audio.addEventListener("timeupdate", () => {
    bar.value = Math.min(audio.currentTime, bar.max);
    label.textContent = `${formatDuration(audio.currentTime * 1000)} / ${formatDuration(a.duration_ms)}`;
  });
  audio.addEventListener("ended", () => {
    bar.value = bar.max;
    box.dataset.played = "1";
  });
  return box;
}
