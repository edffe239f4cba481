// The inspector page: polls the listener for new deliveries, shows them, their details
// and a chart of outcomes, and replays one to the app on request. Every value from a
// delivery is inserted as text, never as markup.
"use strict";

const POLL_MS = 1000;
const BUCKET_MS = 10000;
const BUCKETS = 30;

const state = { after: 0, polls: 0, deliveries: new Map(), forwardTo: null, resign: false, selected: null };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
  return node;
}

function kind(d) {
  if (d.accepted) return "accepted";
  if (d.outcome === "duplicate" || d.outcome === "in_progress") return "other";
  return "failed";
}

function clock(ms) {
  return new Date(ms).toISOString().slice(11, 19);
}

// The sender's status; for forwarded deliveries it is the app's, with its latency.
function statusText(d) {
  if (d.app_status != null) return d.app_status + " from app" + (d.latency_ms != null ? " · " + d.latency_ms + " ms" : "");
  if (d.app_error) return d.status + " · app down";
  return String(d.status);
}

function row(d) {
  const outcome = el("td", { class: "outcome-cell" }, el("span", { class: "outcome " + kind(d) }, d.outcome));
  const why = [d.error, ...(d.diagnosis || [])].filter(Boolean);
  if (d.app_error) why.push("app unreachable: " + d.app_error);
  if (why.length) outcome.append(el("div", { class: "diagnosis" }, why.join(" · ")));
  // data-poll: the poll that brought the delivery (1 = the page's first load).
  const tr = el("tr", { "data-seq": d.seq, "data-outcome": d.outcome, "data-poll": d.poll, id: "delivery-" + d.seq },
    el("td", {}, String(d.seq)),
    el("td", {}, clock(d.time_ms)),
    el("td", {}, d.provider),
    el("td", { class: "event" }, d.event_type || "–"),
    el("td", { class: "id" }, d.id || "–"),
    outcome,
    el("td", { class: "status" }, statusText(d)));
  tr.addEventListener("click", () => { location.hash = "#/delivery/" + d.seq; });
  return tr;
}

function render() {
  const rows = document.getElementById("rows");
  const sorted = [...state.deliveries.values()].sort((a, b) => b.seq - a.seq);
  rows.replaceChildren(...sorted.map(row));
  document.getElementById("empty").hidden = sorted.length > 0;
  const counts = { accepted: 0, failed: 0, other: 0 };
  for (const d of sorted) counts[kind(d)] += 1;
  for (const k of Object.keys(counts)) document.getElementById("count-" + k).textContent = counts[k];
  if (state.selected != null) {
    const tr = document.getElementById("delivery-" + state.selected);
    if (tr) tr.classList.add("selected");
  }
  chart(sorted);
}

// Stacked bars: accepted (green), other (amber), failed (red) per 10 s bucket.
function chart(deliveries) {
  const svg = document.getElementById("chart");
  const ns = "http://www.w3.org/2000/svg";
  const w = 420, h = 90, base = h - 14, barW = w / BUCKETS;
  const latest = deliveries.reduce((m, d) => Math.max(m, d.time_ms), 0);
  const end = Math.max(Date.now(), latest);
  const start = end - BUCKETS * BUCKET_MS;
  const buckets = Array.from({ length: BUCKETS }, () => ({ accepted: 0, other: 0, failed: 0 }));
  for (const d of deliveries) {
    const i = Math.floor((d.time_ms - start) / BUCKET_MS);
    if (i >= 0 && i < BUCKETS) buckets[i][kind(d)] += 1;
  }
  const max = Math.max(1, ...buckets.map(b => b.accepted + b.other + b.failed));
  const shapes = [];
  const line = document.createElementNS(ns, "line");
  for (const [k, v] of Object.entries({ x1: 0, x2: w, y1: base, y2: base, stroke: "#d0d7de" })) line.setAttribute(k, v);
  shapes.push(line);
  buckets.forEach((b, i) => {
    let y = base;
    for (const [k, colour] of [["accepted", "#1a7f37"], ["other", "#9a6700"], ["failed", "#cf222e"]]) {
      if (!b[k]) continue;
      const hh = (b[k] / max) * (base - 4);
      y -= hh;
      const rect = document.createElementNS(ns, "rect");
      for (const [a, v] of Object.entries({ x: i * barW + 1, y, width: barW - 2, height: hh, fill: colour, class: "bar " + k })) rect.setAttribute(a, v);
      const title = document.createElementNS(ns, "title");
      title.textContent = b[k] + " " + k;
      rect.append(title);
      shapes.push(rect);
    }
  });
  for (const [x, text, anchor] of [[0, "-5 min", "start"], [w, "now", "end"]]) {
    const t = document.createElementNS(ns, "text");
    for (const [a, v] of Object.entries({ x, y: h - 2, "font-size": 10, fill: "#57606a", "text-anchor": anchor })) t.setAttribute(a, v);
    t.textContent = text;
    shapes.push(t);
  }
  svg.replaceChildren(...shapes);
}

async function poll() {
  try {
    const res = await fetch("/api/deliveries?after=" + state.after, { cache: "no-store" });
    if (res.ok) {
      const data = await res.json();
      state.polls += 1;
      document.body.dataset.polls = state.polls;
      document.getElementById("provider").textContent = data.provider;
      state.forwardTo = data.forward_to;
      state.resign = data.resign;
      document.getElementById("forward").textContent = data.forward_to
        ? "forwarding to " + data.forward_to + (data.resign ? " (replays re-signed)" : "")
        : "not forwarding (start listen with --forward-to to replay)";
      document.getElementById("replay").disabled = !state.forwardTo;
      for (const d of data.deliveries) {
        d.poll = state.polls;
        state.deliveries.set(d.seq, d);
        state.after = Math.max(state.after, d.seq);
      }
      // Deliveries dropped from the server's bounded history are dropped here too.
      const keep = data.kept;
      const seqs = [...state.deliveries.keys()].sort((a, b) => a - b);
      while (seqs.length > keep) state.deliveries.delete(seqs.shift());
      render();
    }
  } catch (e) {
    document.getElementById("forward").textContent = "listener unreachable";
  }
  setTimeout(poll, POLL_MS);
}

async function showDetail(seq) {
  state.selected = seq;
  const box = document.getElementById("detail");
  const res = await fetch("/api/deliveries/" + seq, { cache: "no-store" });
  if (!res.ok) { box.hidden = true; return; }
  const d = await res.json();
  const s = d.summary;
  box.hidden = false;
  document.getElementById("detail-title").replaceChildren(
    "#" + s.seq + " " + (s.event_type || "(no event type)") + " ",
    el("span", { class: "outcome " + kind(s) }, s.outcome));
  document.getElementById("detail-meta").textContent =
    s.time + " · " + d.method + " " + d.url + " · " + s.provider + " · id " + (s.id || "–") + " · " + statusText(s);
  const why = [s.error, ...(s.diagnosis || [])].filter(Boolean);
  if (s.app_error) why.push("app unreachable: " + s.app_error);
  document.getElementById("detail-diagnosis").replaceChildren(...why.map(w => el("li", {}, w)));
  document.querySelector("#detail-headers tbody").replaceChildren(
    ...d.headers.map(([n, v]) => el("tr", {}, el("td", {}, n), el("td", {}, v))));
  document.getElementById("detail-body-kind").textContent = "(" + d.body_kind + ", " + d.body_len + " bytes)";
  document.getElementById("detail-body").textContent = d.body;
  const button = document.getElementById("replay");
  button.disabled = !state.forwardTo;
  button.dataset.seq = seq;
  document.getElementById("replay-result").textContent = "";
  render();
}

async function replay() {
  const seq = document.getElementById("replay").dataset.seq;
  const out = document.getElementById("replay-result");
  out.textContent = "sending…";
  try {
    const res = await fetch("/api/deliveries/" + seq + "/replay", { method: "POST", headers: { "X-Webhook-Inspector": "1" } });
    const data = await res.json();
    out.textContent = data.error
      ? data.error
      : "app answered " + data.status + " in " + data.latency_ms + " ms" + (data.resigned ? " (re-signed)" : " (as received)");
  } catch (e) {
    out.textContent = "replay failed: " + e;
  }
}

function route() {
  const m = location.hash.match(/^#\/delivery\/(\d+)$/);
  if (m) showDetail(Number(m[1]));
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("replay").addEventListener("click", replay);
  window.addEventListener("hashchange", route);
  route();
  poll();
});
