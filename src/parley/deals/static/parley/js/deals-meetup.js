// A meet-up card in the conversation's history (parley.deals): when and where, its state,
// Accept / Propose another for the side that did not propose, and once accepted the .ics
// file, a plain map link (no embedded map) and, on the day, I'm here.
import { clone, fullDate } from "./util.js";

const HERE_WINDOW_MS = 12 * 3600 * 1000;

/** Build the card of `meetup`; ctx: {me, otherName, tr, act, icsUrl, mapUrl, reproposeMeetup}. */
export function renderMeetup(meetup, ctx, now = Date.now()) {
  const { tr } = ctx;
  const node = clone("tpl-meetup-card");
  node.dataset.meetupId = String(meetup.id);
  node.dataset.state = meetup.state;
  node.classList.add(`meetup-${meetup.state}`);
  node.querySelector(".meetup-when").textContent = fullDate(meetup.at);
  node.querySelector(".meetup-place").textContent = meetup.address && meetup.address !== meetup.place ? `${meetup.place}, ${meetup.address}` : meetup.place;
  const mine = meetup.proposer_id === ctx.me.id;
  const state = node.querySelector(".meetup-state");
  if (meetup.state === "proposed") state.textContent = tr("meetup_proposed_by", { name: mine ? tr("you") : ctx.otherName });
  else if (meetup.state === "accepted") state.textContent = tr("meetup_accepted");
  else state.textContent = tr("meetup_replaced");
  const iAmBuyer = ctx.role === "buyer";
  const myHere = iAmBuyer ? meetup.buyer_here_at : meetup.seller_here_at;
  const theirHere = iAmBuyer ? meetup.seller_here_at : meetup.buyer_here_at;
  const here = [];
  if (theirHere) here.push(tr("meetup_here", { name: ctx.otherName }));
  if (myHere) here.push(tr("meetup_you_here"));
  node.querySelector(".meetup-here").textContent = here.join(" · ");
  const open = meetup.state === "proposed" && !mine;
  const accepted = meetup.state === "accepted";
  const today = Math.abs(Date.parse(meetup.at) - now) <= HERE_WINDOW_MS;
  keep(node, ".meetup-accept", open, () => ctx.act({ type: "meetup_accept", meetup_id: meetup.id }));
  keep(node, ".meetup-other", open, () => ctx.reproposeMeetup());
  keep(node, ".meetup-here-btn", accepted && today && !myHere, () => ctx.act({ type: "meetup_here", meetup_id: meetup.id }));
  const ics = node.querySelector(".meetup-ics");
  const map = node.querySelector(".meetup-map");
  if (accepted) {
    ics.href = ctx.icsUrl(meetup.id);
    map.href = ctx.mapUrl + encodeURIComponent(meetup.address || meetup.place);
  } else {
    ics.remove();
    map.remove();
  }
  return node;
}

function keep(node, selector, on, onClick) {
  const button = node.querySelector(selector);
  if (!on) button.remove();
  else button.addEventListener("click", onClick);
}
