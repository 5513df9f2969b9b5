// The listing page (parley.deals installed): its status badge and price follow the seller's
// changes live, for anyone whose stream carries them (the seller and the buyers who enquired).
import { client } from "./client.js";
import { formatMoney } from "./util.js";

const badge = document.getElementById("listing-status");
const price = document.getElementById("listing-price");
const listingId = Number(badge?.dataset.listingId);

client().on("listing.changed", (event) => {
  if (!badge || event.listing.id !== listingId) return;
  badge.className = `badge status-badge status-${event.listing.status} mb-3`;
  badge.textContent = badge.dataset[event.listing.status] || event.listing.status_label; // in this page's language
  if (price && event.listing.price) price.textContent = formatMoney(event.listing.price, event.listing.currency);
});
