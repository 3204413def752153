/*
 * Concierge staff console: /console/login (sign-in) and /console (live queue, claimed
 * conversations, replies, CRM tools). Plain ES module, no build step, no dependencies.
 *
 * Speaks docs/protocol.md: "Staff sign-in" and "WebSocket /ws/console".
 * Documentation: docs/widget.md ("Staff console").
 */

const AUTH_KEY = "concierge.staff";                 // {token, name, store_id, expires_at}
const MINE_KEY = "concierge.console.mine";          // conversation ids this tab had open
const LOGIN_PATH = "/console/login";
const CONSOLE_PATH = "/console";
const MAX_TEXT = 4000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 15000;
const PING_EVERY_MS = 25000;
const PONG_TIMEOUT_MS = 10000;
const TYPING_IDLE_MS = 3000;
const SHOPPER_TYPING_FAILSAFE_MS = 30000;

// The CRM tools (tools/crm.py) and get_offers (tools/offers.py), with argument templates.
// Placeholders in {curly braces} are filled from the claimed conversation.
const TOOLS = [
  { name: "get_user_details", args: { user_id: "{user_id}" } },
  { name: "get_order_details", args: { order_id: "{order_id}" } },
  { name: "get_product_details", args: { product_id: "" } },
  { name: "get_item_details", args: { item_id: "" } },
  { name: "list_all_product_types", args: {} },
  { name: "find_user_id_by_email", args: { email: "" } },
  { name: "find_user_id_by_name_zip", args: { first_name: "", last_name: "", zip: "" } },
  { name: "calculate", args: { expression: "" } },
  { name: "get_offers", args: {} },
  { name: "cancel_pending_order", write: true, args: { order_id: "{order_id}", reason: "no longer needed" } },
  { name: "modify_pending_order_address", write: true, args: { order_id: "{order_id}", address1: "", address2: "", city: "", state: "", country: "USA", zip: "" } },
  { name: "modify_pending_order_items", write: true, args: { order_id: "{order_id}", item_ids: [], new_item_ids: [], payment_method_id: "{payment_method_id}" } },
  { name: "modify_pending_order_payment", write: true, args: { order_id: "{order_id}", payment_method_id: "{payment_method_id}" } },
  { name: "modify_user_address", write: true, args: { user_id: "{user_id}", address1: "", address2: "", city: "", state: "", country: "USA", zip: "" } },
  { name: "return_delivered_order_items", write: true, args: { order_id: "{order_id}", item_ids: [], payment_method_id: "{payment_method_id}" } },
  { name: "exchange_delivered_order_items", write: true, args: { order_id: "{order_id}", item_ids: [], new_item_ids: [], payment_method_id: "{payment_method_id}" } },
  { name: "transfer_to_human_agents", args: { summary: "" } },
];

const ERROR_TEXT = {
  unauthorized: "Your sign-in is no longer valid. Please sign in again.",
  already_claimed: "Someone else has already taken this conversation.",
  busy: "The assistant is still answering this shopper. Try claiming again in a moment.",
  not_owner: "This conversation is no longer yours, so that was not sent.",
  unknown_conversation: "That conversation no longer exists.",
  too_large: "That was too long to send (4,000 characters at most).",
  unavailable: "That is briefly unavailable. Please try again in a moment.",
  bad_json: "The server could not read what the console sent.",
  bad_frame: "The server rejected what the console sent.",
  unknown_type: "The server does not support that action.",
};

// ------------------------------------------------------------------ helpers

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
  }
  for (const c of children) if (c != null && c !== false) node.append(c);
  return node;
}

const $ = (id) => document.getElementById(id);

function humanize(s) {
  s = String(s ?? "").replace(/[_-]+/g, " ").trim();
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : "";
}

function duration(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

function clock(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? "" : d.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
}

function money(v) {
  const n = Number(v);
  if (v == null || v === "" || isNaN(n)) return v == null ? "" : String(v);
  return new Intl.NumberFormat(undefined, { style: "currency", currency: "USD" }).format(n);
}

function plain(value) {
  if (value == null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") {
    for (const k of ["text", "label", "name", "intent", "tool", "summary", "description"]) {
      if (typeof value[k] === "string" && value[k]) {
        const extra = value.confidence != null ? ` (${Math.round(Number(value.confidence) * 100)}%)` : "";
        return value[k] + extra;
      }
    }
    return JSON.stringify(value);
  }
  return String(value);
}

function expiresAtMs(expires) {
  if (expires == null || expires === "") return null;
  if (typeof expires === "number" || /^\d+(\.\d+)?$/.test(String(expires))) {
    const n = Number(expires);
    return n < 1e12 ? n * 1000 : n;                 // epoch seconds or milliseconds
  }
  const t = Date.parse(String(expires));
  return isNaN(t) ? null : t;
}

function jwtExpMs(token) {
  try {
    const part = String(token).split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(atob(part.padEnd(Math.ceil(part.length / 4) * 4, "=")));
    return typeof claims.exp === "number" ? claims.exp * 1000 : null;
  } catch (_) {
    return null;
  }
}

function readAuth() {
  try {
    const a = JSON.parse(sessionStorage.getItem(AUTH_KEY) || "null");
    if (!a || typeof a.token !== "string" || !a.token) return null;
    const exp = expiresAtMs(a.expires_at) ?? jwtExpMs(a.token);
    if (exp != null && exp <= Date.now()) return null;
    return a;
  } catch (_) {
    return null;
  }
}

function clearAuth() {
  try {
    sessionStorage.removeItem(AUTH_KEY);
    sessionStorage.removeItem(MINE_KEY);
  } catch (_) { /* storage unavailable */ }
}

function goToLogin(reason) {
  clearAuth();
  const url = new URL(LOGIN_PATH, location.href);
  if (reason) url.searchParams.set("reason", reason);
  location.replace(url.pathname + url.search);
}

// ================================================================== login page

function initLogin() {
  const form = $("login-form");
  const name = $("login-name");
  const password = $("login-password");
  const submit = $("login-submit");
  const error = $("login-error");

  const showError = (text) => {
    error.textContent = text;
    error.hidden = false;
  };
  const reason = new URLSearchParams(location.search).get("reason");
  if (reason === "expired") showError("Your session has ended. Please sign in again.");
  else if (reason === "signed-out") {
    error.hidden = true;
    $("login-name").insertAdjacentElement("beforebegin", el("span", { class: "sr-only", role: "status", text: "You have signed out." }));
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.hidden = true;
    const body = { name: name.value.trim(), password: password.value };
    if (!body.name || !body.password) {
      showError(!body.name ? "Enter your name." : "Enter your password.");
      (!body.name ? name : password).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = "Signing in…";
    try {
      const res = await fetch("/api/staff/login", {
        method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body), cache: "no-store",
      });
      if (res.status === 401) {
        showError("Wrong name or password");
        password.value = "";
        password.focus();
        return;
      }
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const data = await res.json();
      if (!data || typeof data.token !== "string") throw new Error("no token in the answer");
      sessionStorage.setItem(AUTH_KEY, JSON.stringify({
        token: data.token, name: data.name ?? body.name, store_id: data.store_id ?? null, expires_at: data.expires_at ?? null,
      }));
      location.replace(CONSOLE_PATH);
    } catch (err) {
      console.error("[console] sign-in failed", err);
      showError("Sign-in is not available right now. Please try again in a moment.");
    } finally {
      submit.disabled = false;
      submit.textContent = "Sign in";
    }
  });
}

// ================================================================== console page

class Console {
  constructor(auth) {
    this.auth = auth;
    this.ws = null;
    this.gen = 0;
    this.attempt = 0;
    this.timers = {};
    this.signedIn = false;          // welcome received on the current socket
    this.everWelcomed = false;
    this.queue = [];                // latest queue entries
    this.queueAt = 0;               // when that queue frame arrived (waiting times tick from it)
    this.queueNodes = new Map();    // conversation_id -> <li>
    this.knownQueued = null;        // ids seen queued (new ones are announced)
    this.claiming = new Set();
    this.convs = new Map();         // conversation_id -> conversation state (mine)
    this.active = null;
    this.ui = {
      conn: $("conn"), connText: $("conn-text"), me: $("me"), online: $("staff-online"),
      signOut: $("sign-out"), notices: $("notices"), live: $("live"), reconnect: $("reconnect-banner"),
      queueList: $("queue-list"), queueEmpty: $("queue-empty"), queueCount: $("queue-count"),
      tabs: $("tabs"), panels: $("panels"), mineEmpty: $("mine-empty"), mineCount: $("mine-count"),
    };
  }

  start() {
    this.ui.me.textContent = this.auth.name || "";
    this.ui.signOut.addEventListener("click", () => this.signOut());
    this.ui.tabs.addEventListener("keydown", (e) => this.onTabKey(e));
    this.timers.tick = setInterval(() => this.tickWaiting(), 1000);
    window.addEventListener("online", () => this.wake());
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") this.wake(); });
    // Token expiry: back to the sign-in page when it runs out.
    const exp = expiresAtMs(this.auth.expires_at) ?? jwtExpMs(this.auth.token);
    if (exp != null) {
      const ms = exp - Date.now();
      if (ms < 2 ** 31 - 1) this.timers.expiry = setTimeout(() => goToLogin("expired"), Math.max(0, ms));
    }
    this.setConn("connecting");
    this.connect();
  }

  signOut() {
    for (const c of this.convs.values()) if (c.typingSent) this.send({ type: "typing", conversation_id: c.id, state: false });
    this.gen++;
    if (this.ws) { try { this.ws.close(1000, "signed out"); } catch (_) { /* closed */ } }
    this.ws = null;
    goToLogin("signed-out");
  }

  // ---------------------------------------------------------------- socket

  url() {
    return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws/console`;
  }

  connect() {
    if (this.ws) return;
    clearTimeout(this.timers.reconnect);
    const gen = ++this.gen;
    let ws;
    try { ws = new WebSocket(this.url()); } catch (err) {
      console.error("[console] bad WebSocket URL", err);
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    this.signedIn = false;
    ws.onopen = () => {
      if (gen !== this.gen) return;
      ws.send(JSON.stringify({ type: "hello", token: this.auth.token }));
      this.startHeartbeat();
    };
    ws.onmessage = (ev) => { if (gen === this.gen) this.onRaw(ev.data); };
    ws.onclose = (ev) => {
      if (gen !== this.gen) return;
      this.ws = null;
      this.signedIn = false;
      this.stopHeartbeat();
      if (ev.code === 4401) { goToLogin("expired"); return; }
      for (const c of this.convs.values()) this.showShopperTyping(c, false);
      this.scheduleReconnect();
    };
    ws.onerror = () => { /* a close event follows */ };
  }

  scheduleReconnect() {
    clearTimeout(this.timers.reconnect);
    const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    const delay = exp / 2 + Math.random() * exp / 2;
    this.attempt = Math.min(this.attempt + 1, 16);
    this.setConn(navigator.onLine === false ? "offline" : "reconnecting");
    this.timers.reconnect = setTimeout(() => this.connect(), delay);
  }

  wake() {
    if (!this.ws && navigator.onLine !== false) {
      clearTimeout(this.timers.reconnect);
      this.connect();
    }
  }

  startHeartbeat() {
    this.stopHeartbeat();
    this.timers.ping = setInterval(() => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
      this.send({ type: "ping" });
      clearTimeout(this.timers.pong);
      const ws = this.ws;
      this.timers.pong = setTimeout(() => { if (ws === this.ws) ws.close(4001, "no pong"); }, PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  stopHeartbeat() {
    clearInterval(this.timers.ping);
    clearTimeout(this.timers.pong);
  }

  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || (!this.signedIn && frame.type !== "hello")) return false;
    try { this.ws.send(JSON.stringify(frame)); return true; } catch (_) { return false; }
  }

  // An action the staff member asked for: say so when it can't go out now.
  act(frame) {
    if (this.send(frame)) return true;
    this.notice("Not connected. The console is reconnecting; try again in a moment.", { kind: "warn" });
    return false;
  }

  setConn(state) {
    this.connState = state;
    document.body.dataset.conn = state;
    this.ui.conn.dataset.state = state;
    this.ui.connText.textContent = {
      connecting: "Connecting…", online: "Online", reconnecting: "Reconnecting…",
      offline: "Offline · waiting for the network",
    }[state] || state;
    this.ui.reconnect.hidden = !(state === "reconnecting" || state === "offline");
  }

  // ---------------------------------------------------------------- frames in

  onRaw(data) {
    let f;
    try { f = JSON.parse(data); } catch (_) { console.warn("[console] non-JSON frame ignored"); return; }
    if (!f || typeof f !== "object") return;
    clearTimeout(this.timers.pong);
    switch (f.type) {
      case "welcome": this.onWelcome(f); break;
      case "queue": this.onQueue(f); break;
      case "claimed": this.onClaimed(f); break;
      case "message": this.onMessage(f); break;
      case "ack": this.onAck(f); break;
      case "typing": this.onTyping(f); break;
      case "handoff": this.onHandoff(f); break;
      case "tool_result": this.onToolResult(f); break;
      case "suggestions": this.onSuggestions(f); break;
      case "error": this.onError(f); break;
      case "pong": break;
      default: break;                              // forward compatible
    }
  }

  onWelcome(f) {
    this.signedIn = true;
    this.attempt = 0;
    const staff = f.staff || {};
    this.staffName = staff.name || this.auth.name || "";
    this.ui.me.textContent = this.staffName + (staff.store_id ? ` · store ${staff.store_id}` : "");
    this.setConn("online");
    if (this.everWelcomed) this.announce("Reconnected.");
    this.everWelcomed = true;
    // The server keeps ownership across a reconnect (or a reload) and sends `claimed` again for
    // every conversation this person owns; what was never acked is re-sent with its client_id at
    // once (never what was acked). Conversations that get no `claimed` soon are reconciled with
    // the queue (see reconcileMine).
    this.reclaim = new Set([...this.convs.keys(), ...this.storedMine()]);
    clearTimeout(this.timers.reconcile);
    this.timers.reconcile = null;
    for (const c of this.convs.values()) this.flushOutbox(c);
  }

  // A few seconds after a (re)connect: conversations this tab had that the server did not send
  // again. If the queue shows one as still mine, claim it (an owner's claim is answered with
  // `claimed`, bringing the transcript up to date; messages are de-duplicated by seq). Ones now
  // owned by someone else, or queued again, are dropped; ones the queue does not list are kept
  // as they are (the server answers not_owner if they are no longer mine).
  reconcileMine() {
    const ids = this.reclaim || new Set();
    this.reclaim = null;
    this.timers.reconcile = null;
    for (const id of ids) {
      const entry = this.queue.find((q) => q.conversation_id === id);
      const c = this.convs.get(id);
      if (entry && entry.status === "human" && entry.assigned_staff === this.myName()) {
        this.claiming.add(id);
        this.send({ type: "claim", conversation_id: id });
      } else if (entry && c) {
        this.removeConversation(id, null);
        this.notice(`The conversation with ${c.title} left your hands while the console was offline.`, { kind: "info" });
      }
    }
    this.saveMine();
  }

  storedMine() {
    try {
      const list = JSON.parse(sessionStorage.getItem(MINE_KEY) || "[]");
      return Array.isArray(list) ? list.filter((x) => typeof x === "string") : [];
    } catch (_) { return []; }
  }

  saveMine() {
    // Until the first queue frame after a reload, keep the stored ids not yet reconciled.
    const ids = new Set([...this.convs.keys(), ...(this.reclaim ? [...this.reclaim].filter((id) => !this.convs.has(id) && this.storedMine().includes(id)) : [])]);
    try { sessionStorage.setItem(MINE_KEY, JSON.stringify([...ids])); } catch (_) { /* unavailable */ }
  }

  // ---------------------------------------------------------------- queue

  onQueue(f) {
    const list = Array.isArray(f.conversations) ? f.conversations.filter((c) => c && c.conversation_id) : [];
    this.queue = list;
    this.queueAt = Date.now();
    const online = Number(f.staff_online);
    this.ui.online.textContent = isNaN(online) ? "–" : String(online);
    const queued = list.filter((c) => c.status !== "human");
    this.ui.queueCount.textContent = String(queued.length);

    // Announce conversations that just joined the queue.
    const ids = new Set(queued.map((c) => c.conversation_id));
    if (this.knownQueued) {
      const fresh = queued.filter((c) => !this.knownQueued.has(c.conversation_id));
      if (fresh.length === 1) {
        const c = fresh[0];
        this.announce(`New in the queue: ${c.customer_name || "Anonymous"}, ${channelText(c)}${c.reason ? ", " + plain(c.reason) : ""}.`);
      } else if (fresh.length > 1) this.announce(`${fresh.length} new conversations in the queue.`);
    } else if (queued.length) {
      this.announce(`${queued.length} ${queued.length === 1 ? "conversation is" : "conversations are"} waiting.`);
    }
    this.knownQueued = ids;

    this.renderQueue();
    if (this.reclaim && !this.timers.reconcile) {
      this.timers.reconcile = setTimeout(() => { if (this.signedIn) this.reconcileMine(); }, 4000);
    }
  }

  renderQueue() {
    const list = this.ui.queueList;
    const keep = new Set();
    let prev = null;
    for (const entry of this.queue) {
      const id = entry.conversation_id;
      keep.add(id);
      let li = this.queueNodes.get(id);
      if (!li) {
        li = this.buildQueueItem(id);
        this.queueNodes.set(id, li);
      }
      this.updateQueueItem(li, entry);
      const want = prev ? prev.nextSibling : list.firstChild;
      if (want !== li) list.insertBefore(li, want);   // move only when out of place (keeps focus)
      prev = li;
    }
    for (const [id, li] of this.queueNodes) {
      if (!keep.has(id)) { li.remove(); this.queueNodes.delete(id); }
    }
    this.ui.queueEmpty.hidden = this.queue.length > 0;
  }

  buildQueueItem(id) {
    const li = el("li", { class: "q-item", "data-conversation-id": id });
    li.$name = el("h3", { class: "q-name" });
    li.$pills = el("div", { class: "q-pills" });
    li.$reason = el("p", { class: "q-reason" });
    li.$last = el("p", { class: "q-last" });
    li.$wait = el("span", { class: "q-wait" });
    li.$btn = el("button", { type: "button", class: "btn btn-primary btn-small q-claim", onclick: () => this.claim(id) });
    li.append(el("div", { class: "q-top" }, li.$name, li.$wait), li.$pills, li.$reason, li.$last,
      el("div", { class: "q-foot" }, li.$btn));
    return li;
  }

  updateQueueItem(li, c) {
    const who = c.customer_name || "Anonymous";
    li.$name.textContent = who;
    li.dataset.status = c.status || "queued";
    li.$pills.replaceChildren(
      el("span", { class: "pill", "data-tone": priorityTone(c.priority), text: priorityText(c.priority) }),
      el("span", { class: "pill", "data-tone": c.channel === "kiosk" ? "info" : "", text: channelText(c) }),
      c.status === "human"
        ? el("span", { class: "pill", "data-tone": "ok", text: c.assigned_staff ? `With ${c.assigned_staff}` : "With staff" })
        : el("span", { class: "pill", "data-tone": "warn", text: "Waiting" }));
    const reason = [plain(c.reason), c.trigger ? `trigger: ${humanize(c.trigger)}` : ""].filter(Boolean).join(" · ");
    li.$reason.replaceChildren(el("span", { class: "label", text: "Reason " }), reason || "Not given");
    const last = lastMessageText(c.last_message);
    li.$last.textContent = last ? `“${last}”` : "No messages yet";
    li.$last.title = last;
    li.dataset.waiting = String(Number(c.waiting_s) || 0);
    this.renderWait(li);
    const mine = this.convs.has(c.conversation_id) || (c.status === "human" && c.assigned_staff && c.assigned_staff === this.myName());
    const taken = c.status === "human" && !mine;
    const claiming = this.claiming.has(c.conversation_id) && !this.convs.has(c.conversation_id);
    li.$btn.textContent = mine ? "Open" : claiming ? "Claiming…" : taken ? "Claimed" : "Claim";
    li.$btn.disabled = taken || claiming;
    li.$btn.setAttribute("aria-label", `${mine ? "Open" : "Claim"} the conversation with ${who} (${channelText(c)})`);
  }

  renderWait(li) {
    const base = Number(li.dataset.waiting) || 0;
    const s = base + (Date.now() - this.queueAt) / 1000;
    li.$wait.textContent = `Waiting ${duration(s)}`;
    li.$wait.dataset.long = s >= 300 ? "true" : "false";
  }

  tickWaiting() {
    for (const li of this.queueNodes.values()) this.renderWait(li);
  }

  myName() {
    return this.staffName || this.auth.name || "";
  }

  claim(id) {
    if (this.convs.has(id)) { this.activate(id, { focus: true }); return; }
    if (!this.act({ type: "claim", conversation_id: id })) return;
    this.claiming.add(id);
    this.userClaimed = id;
    const li = this.queueNodes.get(id);
    if (li) { li.$btn.textContent = "Claiming…"; li.$btn.disabled = true; }
  }

  // ---------------------------------------------------------------- claimed conversations

  onClaimed(f) {
    const id = f.conversation_id;
    if (!id) return;
    this.claiming.delete(id);
    if (this.reclaim) this.reclaim.delete(id);
    let c = this.convs.get(id);
    const fresh = !c;
    if (!c) {
      c = this.buildConversation(id);
      this.convs.set(id, c);
      this.saveMine();
    }
    c.customer = f.customer || null;
    c.orders = Array.isArray(f.orders) ? f.orders : [];
    const entry = this.queue.find((q) => q.conversation_id === id);
    c.queueEntry = entry || c.queueEntry || null;
    c.channel = f.channel || (c.queueEntry && c.queueEntry.channel) || c.channel || null;
    c.storeId = f.store_id ?? (c.queueEntry && c.queueEntry.store_id) ?? c.storeId ?? null;
    this.renderHeader(c);
    this.renderSummary(c, f.summary);
    this.renderCustomer(c);
    this.renderOrders(c);
    if (fresh) this.fillToolTemplate(c);              // a re-sent claimed keeps the staff's edits
    for (const m of Array.isArray(f.transcript) ? f.transcript : []) this.addMessage(c, m, { announce: false });
    this.renderSuggestions(c, f.suggestions);
    this.flushOutbox(c);
    this.updateMineCount();
    this.renderQueue();
    const byUser = this.userClaimed === id;
    if (byUser) this.userClaimed = null;
    if (fresh || byUser) {
      this.activate(id, { focus: byUser });
      if (byUser) this.announce(`You have the conversation with ${c.title}.`);
    }
  }

  buildConversation(id) {
    const c = {
      id, title: "Anonymous", seqs: new Set(), outbox: new Map(), unread: 0, typingSent: false,
      customer: null, orders: [], queueEntry: null, toolRuns: new Map(),
    };
    const tabId = `tab-${id}`;
    const panelId = `panel-${id}`;
    c.$tabName = el("span", { class: "tab-name", text: "Anonymous" });
    c.$tabBadge = el("span", { class: "tab-badge", hidden: true });
    c.$tab = el("button", {
      type: "button", role: "tab", id: tabId, class: "tab", "aria-controls": panelId, "aria-selected": "false",
      tabindex: "-1", "data-conversation-id": id, onclick: () => this.activate(id, { focus: false }),
    }, c.$tabName, c.$tabBadge);

    // header
    c.$title = el("h2", { class: "conv-title", id: `title-${id}` });
    c.$meta = el("p", { class: "conv-meta" });
    c.$release = el("button", { type: "button", class: "btn btn-secondary", onclick: () => this.release(c) }, "Hand back to bot");
    c.$close = el("button", { type: "button", class: "btn btn-danger", onclick: () => this.closeConversation(c) }, "Close");
    const head = el("header", { class: "conv-head" },
      el("div", { class: "conv-heading" }, c.$title, c.$meta),
      el("div", { class: "conv-actions", role: "group", "aria-label": "Conversation actions" }, c.$release, c.$close));

    // transcript
    c.$log = el("div", { class: "transcript", role: "log", "aria-live": "off", tabindex: "0", "aria-label": "Transcript" });
    c.$outbox = el("ul", { class: "outbox", "aria-label": "Replies being sent" });
    c.$typing = el("p", { class: "typing", hidden: true, role: "status" }, el("span", { class: "dots", "aria-hidden": "true" },
      el("i"), el("i"), el("i")), el("span", { text: "Shopper is typing…" }));

    // suggestions
    c.$sugList = el("ul", { class: "sug-list" });
    c.$sugEmpty = el("p", { class: "muted small", text: "No suggestions yet." });
    c.$sugRefresh = el("button", { type: "button", class: "btn btn-small btn-ghost", onclick: () => this.refreshSuggestions(c) }, "Refresh suggestions");
    const sug = el("section", { class: "suggestions", "aria-labelledby": `sug-${id}` },
      el("div", { class: "section-head" }, el("h3", { id: `sug-${id}`, text: "Suggested replies" }), c.$sugRefresh),
      c.$sugEmpty, c.$sugList);

    // composer
    const inputId = `reply-${id}`;
    c.$input = el("textarea", { id: inputId, class: "reply", rows: "3", maxlength: String(MAX_TEXT), "aria-describedby": `reply-hint-${id}`,
      placeholder: "Write a reply…" });
    c.$send = el("button", { type: "submit", class: "btn btn-primary" }, "Send");
    c.$form = el("form", { class: "composer", onsubmit: (e) => { e.preventDefault(); this.submitReply(c); } },
      el("label", { for: inputId, text: "Reply to the shopper" }),
      el("div", { class: "composer-row" }, c.$input, c.$send),
      el("p", { class: "hint", id: `reply-hint-${id}`, text: "Enter sends · Shift+Enter adds a line" }));
    c.$input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        this.submitReply(c);
      }
    });
    c.$input.addEventListener("input", () => this.onComposerInput(c));
    c.$input.addEventListener("blur", () => this.setStaffTyping(c, false));

    // side: summary, customer, orders, tools
    c.$summary = el("div", { class: "summary-body" });
    c.$customer = el("div", { class: "customer-body" });
    c.$orders = el("div", { class: "orders-body" });
    const toolSelectId = `tool-name-${id}`;
    const toolArgsId = `tool-args-${id}`;
    c.$toolSelect = el("select", { id: toolSelectId, onchange: () => this.fillToolTemplate(c) });
    const read = el("optgroup", { label: "Look up" });
    const write = el("optgroup", { label: "Change (runs at once)" });
    for (const t of TOOLS) (t.write ? write : read).append(el("option", { value: t.name, text: t.name }));
    c.$toolSelect.append(read, write);
    c.$toolArgs = el("textarea", { id: toolArgsId, class: "mono", rows: "5", spellcheck: "false", "aria-describedby": `tool-help-${id}` });
    c.$toolError = el("p", { class: "field-error", role: "alert", hidden: true });
    c.$toolRun = el("button", { type: "submit", class: "btn btn-secondary" }, "Run tool");
    c.$toolResults = el("ol", { class: "tool-results", "aria-live": "polite", "aria-label": "Tool results" });
    const toolForm = el("form", { class: "tool-form", onsubmit: (e) => { e.preventDefault(); this.runTool(c); } },
      el("label", { for: toolSelectId, text: "Tool" }), c.$toolSelect,
      el("label", { for: toolArgsId, text: "Arguments (JSON)" }), c.$toolArgs,
      el("p", { class: "hint", id: `tool-help-${id}`, text: "Runs as this customer under your name (audit log: staff). Changes happen at once." }),
      c.$toolError, c.$toolRun);

    const side = el("aside", { class: "conv-side", "aria-label": "Conversation details" },
      el("section", { class: "card", "aria-labelledby": `sum-${id}` }, el("h3", { id: `sum-${id}`, text: "Summary" }), c.$summary),
      el("section", { class: "card", "aria-labelledby": `cus-${id}` }, el("h3", { id: `cus-${id}`, text: "Customer" }), c.$customer),
      el("section", { class: "card", "aria-labelledby": `ord-${id}` }, el("h3", { id: `ord-${id}`, text: "Orders" }), c.$orders),
      el("section", { class: "card tools", "aria-labelledby": `tools-${id}` }, el("h3", { id: `tools-${id}`, text: "Tools" }), toolForm, c.$toolResults));

    const main = el("div", { class: "conv-main" }, c.$log, c.$outbox, c.$typing, sug, c.$form);
    c.$panel = el("section", { class: "conv", role: "tabpanel", id: panelId, "aria-labelledby": tabId, hidden: true, "data-conversation-id": id },
      head, el("div", { class: "conv-body" }, main, side));

    this.ui.tabs.append(c.$tab);
    this.ui.panels.append(c.$panel);
    this.ui.mineEmpty.hidden = true;
    return c;
  }

  activate(id, { focus = false } = {}) {
    const c = this.convs.get(id);
    if (!c) return;
    this.active = id;
    for (const other of this.convs.values()) {
      const on = other === c;
      other.$tab.setAttribute("aria-selected", String(on));
      other.$tab.tabIndex = on ? 0 : -1;
      other.$panel.hidden = !on;
    }
    c.unread = 0;
    this.renderBadge(c);
    c.$log.scrollTop = c.$log.scrollHeight;
    if (focus) c.$input.focus();
  }

  onTabKey(e) {
    const tabs = [...this.ui.tabs.querySelectorAll('[role="tab"]')];
    const i = tabs.indexOf(document.activeElement);
    if (i < 0) return;
    let j = null;
    if (e.key === "ArrowRight" || e.key === "ArrowDown") j = (i + 1) % tabs.length;
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") j = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = tabs.length - 1;
    if (j == null) return;
    e.preventDefault();
    tabs[j].focus();
    this.activate(tabs[j].dataset.conversationId);
  }

  renderBadge(c) {
    c.$tabBadge.hidden = !c.unread;
    c.$tabBadge.textContent = c.unread > 9 ? "9+" : String(c.unread);
    c.$tab.setAttribute("aria-label", `${c.title}${c.unread ? `, ${c.unread} new` : ""}`);
  }

  updateMineCount() {
    this.ui.mineCount.textContent = String(this.convs.size);
    this.ui.mineEmpty.hidden = this.convs.size > 0;
  }

  removeConversation(id, why) {
    const c = this.convs.get(id);
    if (!c) return;
    clearTimeout(c.typingTimer);
    clearTimeout(c.shopperTypingTimer);
    const wasActive = this.active === id;
    const hadFocus = c.$panel.contains(document.activeElement) || c.$tab === document.activeElement;
    c.$tab.remove();
    c.$panel.remove();
    this.convs.delete(id);
    this.claiming.delete(id);
    this.saveMine();
    this.updateMineCount();
    this.renderQueue();
    if (why) this.announce(why);
    if (wasActive) {
      this.active = null;
      const next = this.convs.keys().next().value;
      if (next) this.activate(next, { focus: false });
      if (hadFocus) {
        const target = next ? this.convs.get(next).$tab : $("queue-title");
        target.focus();
      }
    }
  }

  renderHeader(c) {
    const p = c.customer;
    const name = p && p.name ? `${p.name.first_name || ""} ${p.name.last_name || ""}`.trim() : "";
    c.title = name || (c.queueEntry && c.queueEntry.customer_name) || "Anonymous";
    c.$title.textContent = c.title;
    c.$tabName.textContent = c.title;
    const meta = [];
    if (c.channel) meta.push(channelText({ channel: c.channel, store_id: c.storeId }));
    meta.push(`Conversation ${c.id}`);
    c.$meta.textContent = meta.join(" · ");
    this.renderBadge(c);
  }

  renderSummary(c, s) {
    const box = c.$summary;
    box.replaceChildren();
    if (!s || typeof s !== "object") { box.append(el("p", { class: "muted", text: "No summary." })); return; }
    if (s.text) box.append(el("p", { class: "summary-text", text: String(s.text) }));
    const dl = el("dl", { class: "facts" });
    const row = (term, ...value) => dl.append(el("dt", { text: term }), el("dd", null, ...value));
    if (s.handoff_reason) row("Why handed off", plain(s.handoff_reason));
    if (s.trigger) row("Trigger", humanize(s.trigger));
    const sent = s.sentiment;
    if (sent && typeof sent === "object") {
      const parts = [humanize(sent.label || "unknown")];
      if (sent.score != null && !isNaN(Number(sent.score))) parts.push(Number(sent.score).toFixed(2));
      if (sent.trend) parts.push(`trend: ${humanize(sent.trend)}`);
      row("Sentiment", el("span", { class: "pill", "data-tone": sentimentTone(sent.label), text: parts.join(" · ") }));
    } else if (sent) row("Sentiment", plain(sent));
    if (s.waited_s != null) row("Waited", duration(s.waited_s));
    const intents = Array.isArray(s.intents) ? s.intents.map(plain).filter(Boolean) : [];
    if (intents.length) row("Intents", el("span", { class: "chips" }, ...intents.map((t) => el("span", { class: "chip", text: humanize(t) }))));
    if (dl.childElementCount) box.append(dl);
    const actions = Array.isArray(s.bot_actions) ? s.bot_actions : [];
    box.append(el("h4", { text: "What the assistant did" }));
    if (actions.length) box.append(el("ul", { class: "bot-actions" }, ...actions.map((a) => el("li", { text: actionText(a) }))));
    else box.append(el("p", { class: "muted small", text: "Nothing yet." }));
  }

  renderCustomer(c) {
    const box = c.$customer;
    box.replaceChildren();
    const p = c.customer;
    if (!p) { box.append(el("p", { class: "muted", text: "Anonymous shopper (not signed in)." })); return; }
    const dl = el("dl", { class: "facts" });
    const row = (term, value) => { if (value) dl.append(el("dt", { text: term }), el("dd", { text: value })); };
    const name = p.name ? `${p.name.first_name || ""} ${p.name.last_name || ""}`.trim() : "";
    row("Name", name);
    row("Customer id", p.user_id || p.customer_id || "");
    row("Email", p.email || "");
    if (p.address) row("Address", [p.address.address1, p.address.address2, p.address.city, p.address.state, p.address.zip, p.address.country].filter(Boolean).join(", "));
    row("Segment", p.segment ? humanize(p.segment) : "");
    if (p.marketing_consent != null) row("Marketing consent", p.marketing_consent ? "Yes" : "No");
    if (p.hardship) row("Hardship", typeof p.hardship === "string" ? humanize(p.hardship) : "Yes");
    const pms = p.payment_methods && typeof p.payment_methods === "object" ? Object.values(p.payment_methods) : [];
    if (pms.length) {
      row("Payment methods", pms.map((pm) => {
        if (pm.source === "credit_card") return `${pm.brand || "card"} ···${pm.last_four || ""} (${pm.id})`;
        if (pm.source === "gift_card") return `gift card ${money(pm.balance)} (${pm.id})`;
        return `${humanize(pm.source)} (${pm.id})`;
      }).join("; "));
    }
    box.append(dl);
  }

  renderOrders(c) {
    const box = c.$orders;
    box.replaceChildren();
    if (!c.orders.length) { box.append(el("p", { class: "muted", text: "No orders." })); return; }
    const ul = el("ul", { class: "orders" });
    for (const o of c.orders) {
      if (!o || typeof o !== "object") continue;
      const items = Array.isArray(o.items) ? o.items : [];
      const total = items.reduce((sum, it) => sum + (Number(it.price) || 0), 0);
      const tracking = (Array.isArray(o.fulfillments) ? o.fulfillments : [])
        .flatMap((f) => (Array.isArray(f.tracking_id) ? f.tracking_id : [f.tracking_id])).filter(Boolean);
      ul.append(el("li", { class: "order" },
        el("div", { class: "order-head" },
          el("strong", { text: o.order_id || "Order" }),
          el("span", { class: "pill", "data-tone": orderTone(o.status), text: humanize(o.status || "") }),
          el("button", { type: "button", class: "btn btn-link", "aria-label": `Look up order ${o.order_id} with a tool`,
            onclick: () => this.prepareTool(c, "get_order_details", { order_id: o.order_id }) }, "Look up")),
        el("ul", { class: "order-items" }, ...items.map((it) => el("li", null,
          el("span", { text: it.name || it.item_id || "Item" }),
          it.options && typeof it.options === "object" ? el("span", { class: "muted", text: ` · ${Object.values(it.options).join(" · ")}` }) : null,
          el("span", { class: "price", text: money(it.price) })))),
        el("p", { class: "order-foot muted small", text: `${items.length} ${items.length === 1 ? "item" : "items"} · ${money(total)}${tracking.length ? ` · tracking ${tracking.join(", ")}` : ""}` })));
    }
    box.append(ul);
  }

  // ---------------------------------------------------------------- transcript

  onMessage(f) {
    const c = this.convs.get(f.conversation_id);
    if (!c) return;
    this.addMessage(c, f, { announce: true });
  }

  addMessage(c, m, { announce }) {
    const seq = m.seq == null ? NaN : Number(m.seq);
    if (!isNaN(seq)) {
      if (c.seqs.has(seq)) return;                  // de-duplicate by seq
      c.seqs.add(seq);
    }
    if (m.client_id && c.outbox.has(m.client_id)) this.dropOutbox(c, m.client_id);
    const role = ["shopper", "assistant", "staff", "system"].includes(m.role) ? m.role : "system";
    if (role === "shopper") this.showShopperTyping(c, false);
    const label = role === "shopper" ? "Shopper" : role === "assistant" ? "Assistant (AI)"
      : role === "staff" ? (m.author ? `${m.author} (staff)` : "Staff") : "System";
    const node = el("div", { class: "m", "data-role": role, "data-seq": isNaN(seq) ? null : String(seq) },
      el("div", { class: "m-who" }, el("span", { text: label }),
        m.created_at ? el("time", { datetime: m.created_at, text: clock(m.created_at) }) : null),
      el("div", { class: "m-text", text: String(m.text ?? "") }));
    const cards = cardsText(m.cards);
    if (cards) node.append(el("div", { class: "m-cards", text: cards }));
    node.dataset.order = String(isNaN(seq) ? Number.MAX_SAFE_INTEGER : seq);
    // Insert in seq order.
    const kids = c.$log.children;
    let before = null;
    for (let i = kids.length - 1; i >= 0; i--) {
      if (Number(kids[i].dataset.order) > Number(node.dataset.order)) before = kids[i]; else break;
    }
    const stick = c.$log.scrollHeight - c.$log.scrollTop - c.$log.clientHeight < 80;
    c.$log.insertBefore(node, before);
    if (stick || !announce) c.$log.scrollTop = c.$log.scrollHeight;
    if (announce && role === "shopper") {
      this.announce(`${c.title}: ${m.text ?? ""}`);
      if (this.active !== c.id) { c.unread++; this.renderBadge(c); }
    } else if (announce && role === "system") {
      this.announce(`${c.title}, notice: ${m.text ?? ""}`);
    }
  }

  onAck(f) {
    const c = this.convs.get(f.conversation_id);
    if (!c) return;
    const p = c.outbox.get(f.client_id);
    if (!p) return;
    this.dropOutbox(c, f.client_id);
    // The message appears once persisted; its echo (same seq) is then ignored.
    this.addMessage(c, { seq: f.seq, role: "staff", text: p.text, created_at: new Date().toISOString(), author: this.myName() }, { announce: false });
  }

  dropOutbox(c, clientId) {
    const p = c.outbox.get(clientId);
    if (!p) return;
    p.node.remove();
    c.outbox.delete(clientId);
  }

  submitReply(c) {
    const text = c.$input.value.trim();
    if (!text) return;
    if (text.length > MAX_TEXT) { this.notice(ERROR_TEXT.too_large, { conversation: c.id }); return; }
    const clientId = uuid();
    const node = el("li", { class: "pending", "data-client-id": clientId },
      el("span", { class: "pending-text", text }), el("span", { class: "pending-state", text: "Sending…" }));
    c.outbox.set(clientId, { text, node });
    c.$outbox.append(node);
    c.$input.value = "";
    this.setStaffTyping(c, false);
    if (!this.send({ type: "message", conversation_id: c.id, text, client_id: clientId })) {
      node.querySelector(".pending-state").textContent = "Waiting for connection…";
    }
    c.$input.focus();
  }

  // Re-send what was never acknowledged, with the same client_id (never what was acked).
  flushOutbox(c) {
    for (const [clientId, p] of c.outbox) {
      if (this.send({ type: "message", conversation_id: c.id, text: p.text, client_id: clientId })) {
        p.node.querySelector(".pending-state").textContent = "Sending…";
      }
    }
  }

  onComposerInput(c) {
    const has = !!c.$input.value.trim();
    this.setStaffTyping(c, has);
    clearTimeout(c.typingTimer);
    if (has) c.typingTimer = setTimeout(() => this.setStaffTyping(c, false), TYPING_IDLE_MS);
  }

  setStaffTyping(c, state) {
    if (!state) clearTimeout(c.typingTimer);
    if (c.typingSent === state) return;
    if (this.send({ type: "typing", conversation_id: c.id, state })) c.typingSent = state;
  }

  onTyping(f) {
    const c = this.convs.get(f.conversation_id);
    if (!c || (f.role && f.role !== "shopper")) return;
    this.showShopperTyping(c, !!f.state);
  }

  showShopperTyping(c, state) {
    clearTimeout(c.shopperTypingTimer);
    c.$typing.hidden = !state;
    if (state) c.shopperTypingTimer = setTimeout(() => { c.$typing.hidden = true; }, SHOPPER_TYPING_FAILSAFE_MS);
  }

  // ---------------------------------------------------------------- suggestions

  refreshSuggestions(c) {
    if (!this.act({ type: "suggest", conversation_id: c.id })) return;
    c.$sugRefresh.disabled = true;
    c.$sugRefresh.textContent = "Refreshing…";
    clearTimeout(c.sugTimer);
    c.sugTimer = setTimeout(() => this.resetSugButton(c), 30000);
  }

  resetSugButton(c) {
    clearTimeout(c.sugTimer);
    c.$sugRefresh.disabled = false;
    c.$sugRefresh.textContent = "Refresh suggestions";
  }

  onSuggestions(f) {
    const c = this.convs.get(f.conversation_id);
    if (!c) return;
    this.resetSugButton(c);
    this.renderSuggestions(c, f.suggestions);
  }

  renderSuggestions(c, list) {
    list = Array.isArray(list) ? list.filter((s) => s && (typeof s === "string" || s.text)) : [];
    c.$sugList.replaceChildren(...list.map((s) => {
      const text = typeof s === "string" ? s : String(s.text);
      const src = s.source && typeof s.source === "object"
        ? [s.source.collection, s.source.title || s.source.id].filter(Boolean).join(": ") : "";
      return el("li", null, el("button", {
        type: "button", class: "sug", title: "Put this text in the reply box",
        onclick: () => {
          c.$input.value = text;
          c.$input.focus();
          c.$input.setSelectionRange(text.length, text.length);
          this.onComposerInput(c);
        },
      }, el("span", { class: "sug-text", text }), src ? el("span", { class: "sug-src", text: `Source: ${src}` }) : null));
    }));
    c.$sugEmpty.hidden = list.length > 0;
  }

  // ---------------------------------------------------------------- tools

  toolContext(c) {
    const p = c.customer || {};
    const order = c.orders.find((o) => o && o.status === "pending") || c.orders[0] || {};
    const pms = p.payment_methods && typeof p.payment_methods === "object" ? Object.keys(p.payment_methods) : [];
    const paid = Array.isArray(order.payment_history) && order.payment_history[0] ? order.payment_history[0].payment_method_id : "";
    return { user_id: p.user_id || "", order_id: order.order_id || "", payment_method_id: paid || pms[0] || "" };
  }

  fillToolTemplate(c) {
    const tool = TOOLS.find((t) => t.name === c.$toolSelect.value) || TOOLS[0];
    const ctx = this.toolContext(c);
    const args = JSON.parse(JSON.stringify(tool.args), (k, v) => (typeof v === "string" ? v.replace(/\{(\w+)\}/g, (_, key) => ctx[key] || "") : v));
    c.$toolArgs.value = JSON.stringify(args, null, 2);
    c.$toolRun.textContent = tool.write ? "Run tool (makes a change)" : "Run tool";
    c.$toolRun.dataset.write = tool.write ? "true" : "false";
    c.$toolError.hidden = true;
  }

  prepareTool(c, name, args) {
    c.$toolSelect.value = name;
    this.fillToolTemplate(c);
    c.$toolArgs.value = JSON.stringify(args, null, 2);
    c.$toolSelect.focus();
  }

  runTool(c) {
    const name = c.$toolSelect.value;
    let args;
    try {
      args = JSON.parse(c.$toolArgs.value.trim() || "{}");
      if (!args || typeof args !== "object" || Array.isArray(args)) throw new Error("The arguments must be a JSON object.");
    } catch (err) {
      c.$toolError.textContent = `Not valid JSON: ${err.message}`;
      c.$toolError.hidden = false;
      c.$toolArgs.focus();
      return;
    }
    c.$toolError.hidden = true;
    const requestId = uuid();
    if (!this.act({ type: "tool", conversation_id: c.id, name, arguments: args, request_id: requestId })) return;
    const status = el("span", { class: "pill", "data-tone": "info", text: "Running…" });
    const body = el("pre", { class: "mono tool-out", tabindex: "0", text: JSON.stringify(args) });
    const item = el("li", { class: "tool-run", "data-request-id": requestId, "aria-busy": "true" },
      el("div", { class: "tool-run-head" }, el("strong", { text: name }), status), body);
    c.toolRuns.set(requestId, { item, status, body, name });
    c.$toolResults.prepend(item);
  }

  onToolResult(f) {
    const c = this.convs.get(f.conversation_id);
    if (!c) return;
    let run = f.request_id ? c.toolRuns.get(f.request_id) : null;
    if (!run) {                                    // no request_id echoed: the oldest run of that tool
      for (const r of c.toolRuns.values()) if (r.name === f.name && r.item.getAttribute("aria-busy") === "true") { run = r; break; }
    }
    if (!run) {
      const status = el("span", { class: "pill" });
      const body = el("pre", { class: "mono tool-out", tabindex: "0" });
      const item = el("li", { class: "tool-run" }, el("div", { class: "tool-run-head" }, el("strong", { text: f.name || "tool" }), status), body);
      c.$toolResults.prepend(item);
      run = { item, status, body, name: f.name };
    }
    run.item.removeAttribute("aria-busy");
    run.item.dataset.ok = f.ok ? "true" : "false";
    run.status.dataset.tone = f.ok ? "ok" : "bad";
    run.status.textContent = f.ok ? "OK" : `Failed${f.code ? ` · ${humanize(f.code)}` : ""}`;
    const out = f.ok ? f.result : (f.error ?? f.result);
    run.body.textContent = typeof out === "string" ? out : JSON.stringify(out, null, 2);
    if (f.request_id) c.toolRuns.delete(f.request_id);
  }

  // ---------------------------------------------------------------- release / close / handoff

  release(c) {
    this.setStaffTyping(c, false);
    if (this.act({ type: "release", conversation_id: c.id })) {
      c.$release.disabled = true;
      c.$release.textContent = "Handing back…";
    }
  }

  closeConversation(c) {
    this.setStaffTyping(c, false);
    if (this.act({ type: "close", conversation_id: c.id })) {
      c.$close.disabled = true;
      c.$close.textContent = "Closing…";
    }
  }

  onHandoff(f) {
    const id = f.conversation_id;
    const status = String(f.status || "");
    const c = this.convs.get(id);
    if (!c) { this.claiming.delete(id); this.renderQueue(); return; }
    if (!["released", "closed", "cancelled"].includes(status)) return;
    const who = c.title;
    const by = f.by ? ` by ${f.by}` : "";
    const text = status === "released" ? `The conversation with ${who} went back to the assistant${by}.`
      : status === "closed" ? `The conversation with ${who} was closed${by}.`
        : `${who} went back to the assistant before anyone joined.`;
    this.removeConversation(id, text);
    this.notice(text, { kind: "info" });
  }

  // ---------------------------------------------------------------- errors and notices

  onError(f) {
    const code = String(f.code || "");
    if (code === "unauthorized") { goToLogin("expired"); return; }
    const id = f.conversation_id;
    if (id) this.claiming.delete(id);
    if (code === "already_claimed" && id) {
      const c = this.convs.get(id);
      const entry = this.queue.find((q) => q.conversation_id === id);
      // A re-claim after a reconnect of a conversation the server still gives to me: fine.
      if (c && entry && entry.assigned_staff === this.myName()) return;
      if (c) this.removeConversation(id, null);
    }
    if (code === "not_owner" && id && this.convs.has(id)) {
      const c = this.convs.get(id);
      for (const p of c.outbox.values()) p.node.querySelector(".pending-state").textContent = "Not sent";
      c.outbox.clear();
    }
    if ((code === "unknown_conversation") && id && this.convs.has(id)) this.removeConversation(id, null);
    for (const c of this.convs.values()) {
      if (id && c.id !== id) continue;
      c.$release.disabled = false; c.$release.textContent = "Hand back to bot";
      c.$close.disabled = false; c.$close.textContent = "Close";
      this.resetSugButton(c);
    }
    this.renderQueue();
    const c = id ? this.convs.get(id) : null;
    const where = c ? ` (${c.title})` : "";
    const base = ERROR_TEXT[code] || "Something went wrong.";
    const detail = f.message && String(f.message) !== base ? ` ${f.message}` : "";
    this.notice(`${base}${where}${detail}`, { kind: "error", code });
  }

  notice(text, { kind = "error", code = "" } = {}) {
    const msg = el("span", { class: "notice-text", text });
    const n = el("div", { class: "notice", "data-kind": kind, "data-code": code || null, role: kind === "error" ? "alert" : "status" }, msg);
    const dismiss = el("button", { type: "button", class: "notice-close", "aria-label": "Dismiss notice", onclick: () => {
      const next = n.nextElementSibling || n.previousElementSibling;
      n.remove();
      const btn = next && next.querySelector(".notice-close");
      if (btn) btn.focus();
    } }, "×");
    n.append(dismiss);
    this.ui.notices.append(n);
    while (this.ui.notices.childElementCount > 5) this.ui.notices.firstElementChild.remove();
    if (kind !== "error") setTimeout(() => n.remove(), 15000);
  }

  announce(text) {
    const live = this.ui.live;
    live.append(el("p", { text }));
    while (live.childElementCount > 5) live.firstElementChild.remove();
  }
}

// ------------------------------------------------------------------ formatting helpers

function channelText(c) {
  const ch = c.channel === "kiosk" ? "Kiosk" : c.channel === "web" ? "Web" : humanize(c.channel || "web");
  return c.store_id ? `${ch} · store ${c.store_id}` : ch;
}

// Priority (server/handoff_queue.py): trigger weight + customer value + a point per minute waited.
function priorityText(p) {
  if (p == null || p === "") return "Priority –";
  const n = Number(p);
  return isNaN(n) ? `${humanize(p)} priority` : `Priority ${Math.round(n)}`;
}

function priorityTone(p) {
  const n = Number(p);
  if (isNaN(n)) return /urgent|high/i.test(String(p)) ? "bad" : "";
  return n >= 40 ? "bad" : n >= 20 ? "warn" : "";
}

function sentimentTone(label) {
  const s = String(label || "").toLowerCase();
  return s.includes("neg") || s.includes("angry") ? "bad" : s.includes("pos") ? "ok" : "";
}

function orderTone(status) {
  const s = String(status || "").toLowerCase();
  return s === "delivered" ? "ok" : s === "pending" ? "warn" : s === "cancelled" ? "" : "info";
}

function lastMessageText(m) {
  if (m == null) return "";
  if (typeof m === "string") return m;
  if (typeof m === "object") return String(m.text ?? "");
  return String(m);
}

function actionText(a) {
  if (a == null) return "";
  if (typeof a === "string") return a;
  if (typeof a === "object") {
    const name = a.tool || a.name || a.action || "";
    const ok = a.ok === false ? " (failed)" : "";
    const args = a.arguments && typeof a.arguments === "object" ? ` ${JSON.stringify(a.arguments)}` : "";
    return name ? `${name}${args}${ok}` : JSON.stringify(a);
  }
  return String(a);
}

function cardsText(cards) {
  if (!Array.isArray(cards) || !cards.length) return "";
  return cards.map((c) => {
    if (!c || typeof c !== "object") return "";
    if (c.kind === "product") return `Product card: ${c.name || ""} ${money(c.price)}${c.available === false ? " (out of stock)" : ""}`;
    if (c.kind === "order") return `Order card: ${c.order_id || ""} ${c.status || ""}`;
    if (c.kind === "offer") return `Offer card: ${c.name || ""}${c.discount_percent ? ` ${c.discount_percent}% off` : ""}`;
    return "";
  }).filter(Boolean).join(" · ");
}

// ------------------------------------------------------------------ boot

function initConsole() {
  const auth = readAuth();
  if (!auth) { goToLogin(sessionStorage.getItem(AUTH_KEY) ? "expired" : ""); return; }
  const app = new Console(auth);
  window.conciergeConsole = app;                   // for debugging from the devtools console
  app.start();
}

if (document.body.dataset.page === "login") initLogin();
else initConsole();
