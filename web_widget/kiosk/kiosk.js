/*
 * The in-store kiosk shell (/kiosk): a full-screen <concierge-chat channel="kiosk">, the store's
 * name and hours, a "Call a store associate" button and an idle wipe, so the next shopper never
 * sees the previous one's conversation.
 *
 * Configuration comes from GET /kiosk/config ({store_id, store_name, store_hours, idle_timeout_s,
 * server?}); `?idle=SECONDS` overrides the idle timeout. Documentation: docs/widget.md ("Kiosk").
 */

const CALL_REASON = "kiosk: call a store associate";
const DEFAULT_IDLE_S = 120;
const MAX_COUNTDOWN_S = 10;
const WAIT_FOR_REPLY_MAX_S = 180;       // an unanswered question keeps the screen up to this long
const CONFIG_RETRY_MS = [1000, 2000, 4000, 8000];
const ACTIVITY_EVENTS = ["pointerdown", "touchstart", "keydown", "wheel", "input"];
const ACTIVE_HANDOFF = new Set(["requested", "queued", "accepted"]);

const $ = (id) => document.getElementById(id);

const ui = {
  area: $("chat-area"), loading: $("loading"), storeName: $("store-name"), hours: $("store-hours"),
  call: $("call-associate"), callLabel: $("call-label"), startOver: $("start-over"),
  idle: $("idle"), idleCount: $("idle-count"), idleSeconds: $("idle-seconds"),
  idleStay: $("idle-stay"), idleClear: $("idle-clear"), live: $("kiosk-live"),
};

let chat = null;
let idleMs = DEFAULT_IDLE_S * 1000;
let countdownS = MAX_COUNTDOWN_S;
let idleTimer = 0;
let tickTimer = 0;
let countdownLeft = 0;
let lastActivity = Date.now();
let dirty = false;              // something happened since the last wipe: there is something to clear
let awaitingReply = false;      // the shopper's last message has no answer yet
let handoff = null;

function announce(text) {
  ui.live.textContent = "";
  setTimeout(() => { ui.live.textContent = text; }, 50);
}

function idleOverride() {
  const raw = new URLSearchParams(location.search).get("idle");
  if (raw == null || raw === "") return null;
  const n = Number(raw);
  return Number.isFinite(n) && n > 0 ? n : null;
}

function formatHours(hours) {
  if (hours == null || hours === "") return "";
  if (typeof hours === "string") return hours;
  if (Array.isArray(hours)) return hours.map(formatHours).filter(Boolean).join(" · ");
  if (typeof hours === "object") {
    return Object.entries(hours).map(([day, h]) => `${day} ${formatHours(h)}`).join(" · ");
  }
  return String(hours);
}

async function loadConfig() {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch("/kiosk/config", { headers: { Accept: "application/json" }, cache: "no-store" });
      if (res.ok) return await res.json();
      throw new Error(`HTTP ${res.status}`);
    } catch (err) {
      if (attempt >= CONFIG_RETRY_MS.length) {
        console.warn("[kiosk] no configuration, using defaults:", err);
        return {};
      }
      ui.loading.textContent = "Connecting to the store…";
      await new Promise((r) => setTimeout(r, CONFIG_RETRY_MS[attempt]));
    }
  }
}

// ------------------------------------------------------------------ idle wipe

function armIdle(delay = idleMs) {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(onIdle, delay);
}

function activity(e) {
  if (e && e.target instanceof Node && ui.idleClear.contains(e.target)) return;   // "Clear now" wipes
  lastActivity = Date.now();
  dirty = true;
  if (!ui.idle.hidden) hidePrompt();
  armIdle();
}

function onIdle() {
  if (!dirty) { armIdle(); return; }                     // nothing on screen to clear
  // Someone asked a question and the answer (or an associate) is still on its way: wait a while.
  const waiting = awaitingReply || (handoff && ACTIVE_HANDOFF.has(handoff) && handoff !== "accepted");
  if (waiting && Date.now() - lastActivity < idleMs + WAIT_FOR_REPLY_MAX_S * 1000) { armIdle(); return; }
  showPrompt();
}

function showPrompt() {
  countdownLeft = countdownS;
  renderCount();
  ui.idle.hidden = false;
  ui.idleStay.focus();
  clearInterval(tickTimer);
  tickTimer = setInterval(() => {
    countdownLeft -= 1;
    if (countdownLeft <= 0) wipe();
    else renderCount();
  }, 1000);
}

function renderCount() {
  ui.idleCount.textContent = String(countdownLeft);
  ui.idleSeconds.textContent = `${countdownLeft} ${countdownLeft === 1 ? "second" : "seconds"}`;
}

function hidePrompt() {
  clearInterval(tickTimer);
  ui.idle.hidden = true;
}

// Clear the screen for the next shopper: the widget forgets the conversation (screen and
// sessionStorage) and the next message opens a new one.
function wipe() {
  hidePrompt();
  clearTimeout(idleTimer);
  if (chat) chat.reset();
  // Belt and braces: nothing the widget may have stored survives (the new, empty conversation's
  // own entry is written again when its session starts).
  for (const store of [sessionStorage, localStorage]) {
    try {
      for (const key of Object.keys(store)) if (key.startsWith("concierge-chat:")) store.removeItem(key);
    } catch (_) { /* storage unavailable */ }
  }
  dirty = false;
  awaitingReply = false;
  setHandoff(null);
  window.scrollTo(0, 0);
  if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
  announce("The screen was cleared for the next customer.");
  armIdle();
}

// ------------------------------------------------------------------ associate button

function setHandoff(status) {
  handoff = status;
  const active = ACTIVE_HANDOFF.has(status);
  ui.call.disabled = !chat || active;
  ui.call.dataset.state = status || "";
  ui.callLabel.textContent = status === "accepted" ? "A store associate is with you"
    : active ? "A store associate is on the way" : "Call a store associate";
}

function callAssociate() {
  if (!chat) return;
  activity();
  if (chat.requestHuman(CALL_REASON)) {
    setHandoff("requested");
    announce("We're calling a store associate.");
  }
}

// ------------------------------------------------------------------ start

async function start() {
  for (const type of ACTIVITY_EVENTS) document.addEventListener(type, activity, { capture: true, passive: true });
  // The idle dialog: any touch dismisses it (the activity handler), except "Clear now".
  ui.idleClear.addEventListener("click", () => wipe());
  ui.idleStay.addEventListener("click", () => { hidePrompt(); armIdle(); });
  ui.call.addEventListener("click", callAssociate);
  ui.startOver.addEventListener("click", () => wipe());

  const config = await loadConfig();
  const override = idleOverride();
  const idleS = override ?? (Number(config.idle_timeout_s) > 0 ? Number(config.idle_timeout_s) : DEFAULT_IDLE_S);
  idleMs = idleS * 1000;
  countdownS = Math.max(1, Math.min(MAX_COUNTDOWN_S, Math.round(idleS)));

  const storeName = config.store_name ? String(config.store_name) : "";
  if (storeName) {
    ui.storeName.textContent = storeName;
    document.title = `${storeName} · Store assistant`;
  }
  const hours = formatHours(config.store_hours);
  if (hours) { ui.hours.textContent = `Open ${hours}`; ui.hours.hidden = false; }

  await customElements.whenDefined("concierge-chat");
  chat = document.createElement("concierge-chat");
  chat.setAttribute("inline", "");
  chat.setAttribute("channel", "kiosk");
  if (config.store_id) chat.setAttribute("store-id", String(config.store_id));
  if (config.server) chat.setAttribute("server", String(config.server));
  chat.setAttribute("title", "Store assistant");
  chat.setAttribute("handoff-reason", CALL_REASON);
  chat.setAttribute("placeholder", "Ask about a product, an order or a return…");
  chat.setAttribute("suggestions", "Where can I find an item?|Is this product in stock?|Where is my order?|I'd like to return an item");
  chat.addEventListener("concierge:message", (e) => {
    const m = e.detail || {};
    if (m.replayed) return;
    dirty = true;
    if (m.role === "shopper") awaitingReply = true;
    else if (m.role === "assistant" || m.role === "staff") awaitingReply = false;
    lastActivity = Date.now();                         // an incoming message counts as activity
    if (!ui.idle.hidden) hidePrompt();
    armIdle();
  });
  chat.addEventListener("concierge:handoff", (e) => {
    const status = (e.detail && e.detail.status) || null;
    dirty = true;
    setHandoff(status);
    if (status === "accepted") awaitingReply = false;
  });
  ui.loading.remove();
  ui.area.append(chat);
  setHandoff(null);
  armIdle();
}

start();
