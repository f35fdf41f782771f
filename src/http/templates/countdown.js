// Counts down to each deadline on the page, once a second; the page reads fine without it.
"use strict";
function tick() {
  const now = Date.now();
  for (const el of document.querySelectorAll(".countdown[data-due]")) {
    const due = Date.parse(el.dataset.due);
    if (Number.isNaN(due)) continue;
    let s = Math.round((due - now) / 1000);
    const past = s < 0;
    s = Math.abs(s);
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    const text = (d ? d + "d " : "") + String(h).padStart(2, "0") + ":" + String(m).padStart(2, "0") + ":" + String(sec).padStart(2, "0");
    el.textContent = past ? "passed " + text + " ago" : "in " + text;
  }
  for (const el of document.querySelectorAll("time[datetime]")) {
    const t = new Date(el.getAttribute("datetime"));
    if (!Number.isNaN(t.getTime()) && !el.dataset.local) {
      el.dataset.local = "1";
      el.title = el.textContent;
      el.textContent = t.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
    }
  }
}
document.addEventListener("DOMContentLoaded", () => { tick(); setInterval(tick, 1000); });
