/*
 * <concierge-chat> — the Concierge website chat widget.
 *
 * One file, no build step, no dependencies. Load it with either
 *   <script src="https://shop.example/static/concierge-chat.js" type="module"></script>
 * or a classic <script src="…"></script>, then place <concierge-chat></concierge-chat> anywhere.
 *
 * Speaks the frame protocol of docs/protocol.md, "WebSocket /ws/chat".
 * Documentation: docs/widget.md. License: Apache-2.0.
 */
(() => {
  "use strict";

  const TAG = "concierge-chat";
  if (typeof window === "undefined" || !window.customElements || customElements.get(TAG)) return;

  // Where this script was loaded from: the default server is that origin's /ws/chat.
  // (document.currentScript is null in modules, hence the querySelector fallback.)
  const SCRIPT_URL = (document.currentScript && document.currentScript.src)
    || (document.querySelector('script[src*="concierge-chat"]') || {}).src
    || location.href;

  const MAX_TEXT = 4000;                 // protocol: at most 4,000 characters of message text
  const PING_EVERY_MS = 25000;           // heartbeat; a missing pong means a dead socket
  const PONG_TIMEOUT_MS = 10000;
  const SESSION_TIMEOUT_MS = 15000;      // hello without a session frame: reconnect
  const BACKOFF_BASE_MS = 500;
  const BACKOFF_MAX_MS = 30000;
  const TYPING_IDLE_MS = 2500;
  const STORAGE_PREFIX = "concierge-chat:v1:";
  const DEFAULT_SUGGESTIONS = "Where is my order?|I'd like to return an item|Help me choose a product";
  const ACTIVE_HANDOFF = new Set(["requested", "queued", "accepted"]);

  const ERROR_TEXT = {
    bad_json: "Sorry, that didn't go through. Please try again.",
    bad_frame: "Sorry, that didn't go through. Please try again.",
    unknown_type: "Sorry, that didn't go through. Please try again.",
    too_large: "That message is too long. Please shorten it (4,000 characters at most).",
    rate_limited: "You're sending messages a little fast. Please wait a moment, then try again.",
    bad_identity: "We couldn't confirm your sign-in, so you're chatting as a guest for now.",
    unknown_conversation: "Your earlier conversation has ended, so we've started a new one.",
    unavailable: "The assistant is briefly unavailable. Please try again in a moment.",
    internal: "Sorry, something went wrong on our side. Please try again.",
    too_many_connections: "This device has too many chats open. Close another tab and we'll reconnect.",
  };

  const HANDOFF_TEXT = {
    requested: "Asking for a member of our team…",
    queued: "You're in the queue. A member of our team will join shortly.",
    accepted: "A member of our team has joined the conversation.",
    released: "You're back with the Concierge assistant.",
    closed: "The conversation with our team has ended.",
    cancelled: "The request for a team member was cancelled.",
  };

  const ORDER_TONE = {
    pending: "warn", processed: "info", delivered: "ok", cancelled: "muted",
    "return requested": "warn", "exchange requested": "warn",
  };

  // ---------------------------------------------------------------- helpers

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();          // secure contexts only
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function fnv1a(s) {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); }
    return (h >>> 0).toString(36);
  }

  // Who the identity JWT speaks for, hashed (never stored in clear): a refreshed token for the
  // same shopper keeps the conversation; another shopper (or signing out) starts a new one.
  // The JWT is NOT verified here (the server does that); this only keys local state.
  function identityKey(token) {
    if (!token) return "anon";
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const claims = JSON.parse(atob(part.padEnd(Math.ceil(part.length / 4) * 4, "=")));
      if (claims && claims.sub != null) return "sub:" + fnv1a(String(claims.sub));
    } catch (_) { /* not a JWT we can read: key on the token itself */ }
    return "tok:" + fnv1a(token);
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

  // Plain text with line breaks (CSS pre-wrap), links and **bold**. Never innerHTML.
  function richText(text) {
    const frag = document.createDocumentFragment();
    const re = /(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]])|\*\*([^*\n]+)\*\*/g;
    let last = 0;
    let m;
    while ((m = re.exec(text))) {
      if (m.index > last) frag.append(text.slice(last, m.index));
      if (m[1]) frag.append(el("a", { href: m[1], target: "_blank", rel: "noopener noreferrer", text: m[1] }));
      else frag.append(el("strong", { text: m[2] }));
      last = re.lastIndex;
    }
    if (last < text.length) frag.append(text.slice(last));
    return frag;
  }

  function titleCase(s) {
    s = String(s);
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  const ICON = {
    chat: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6c-.5.4-1.3.1-1.3-.6V16h0a2.5 2.5 0 0 1-.5-1.5z" fill="currentColor"/></svg>',
    close: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2" stroke-linecap="round" fill="none"/></svg>',
    send: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4.4 19.6 21 12 4.4 4.4l-.1 6 10.2 1.6-10.2 1.6z" fill="currentColor"/></svg>',
    person: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="12" cy="8" r="4" fill="none" stroke="currentColor" stroke-width="2"/><path d="M4 20c1.2-3.6 4.3-5.5 8-5.5s6.8 1.9 8 5.5" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>',
    spark: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M12 2.5l1.9 5.6 5.6 1.9-5.6 1.9L12 17.5l-1.9-5.6L4.5 10l5.6-1.9zM18.5 15l.9 2.6 2.6.9-2.6.9-.9 2.6-.9-2.6-2.6-.9 2.6-.9z" fill="currentColor"/></svg>',
    check: '<svg viewBox="0 0 16 16" aria-hidden="true" focusable="false"><path d="M3 8.5l3 3 7-7" stroke="currentColor" stroke-width="2" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>',
    clock: '<svg viewBox="0 0 16 16" aria-hidden="true" focusable="false"><circle cx="8" cy="8" r="6" stroke="currentColor" stroke-width="1.6" fill="none"/><path d="M8 4.5V8l2.2 1.6" stroke="currentColor" stroke-width="1.6" fill="none" stroke-linecap="round"/></svg>',
    alert: '<svg viewBox="0 0 16 16" aria-hidden="true" focusable="false"><circle cx="8" cy="8" r="6.5" fill="currentColor"/><path d="M8 4.5v4.2M8 11.2v.1" stroke="#fff" stroke-width="1.8" stroke-linecap="round"/></svg>',
  };

  function icon(name, cls) {
    const span = el("span", { class: "icon" + (cls ? " " + cls : "") });
    span.innerHTML = ICON[name];                    // static, trusted markup only
    return span;
  }

  // ---------------------------------------------------------------- styles

  const STYLES = `
:host {
  --_accent: var(--concierge-accent, #0f5f5c);
  --_accent-hover: var(--concierge-accent-hover, color-mix(in srgb, var(--_accent) 85%, black));
  --_on-accent: var(--concierge-accent-contrast, #ffffff);
  --_bg: var(--concierge-bg, #ffffff);
  --_surface: var(--concierge-surface, #f4f5f7);
  --_text: var(--concierge-text, #16181d);
  --_muted: var(--concierge-muted, #5b616e);
  --_border: var(--concierge-border, #e3e5e9);
  --_focus: var(--concierge-focus, #1a56db);
  --_radius: var(--concierge-radius, 16px);
  --_shopper-bg: var(--concierge-shopper-bubble, var(--_accent));
  --_shopper-text: var(--concierge-shopper-text, var(--_on-accent));
  --_assistant-bg: var(--concierge-assistant-bubble, var(--_surface));
  --_staff-bg: var(--concierge-staff-bubble, #fff6e0);
  --_width: var(--concierge-width, 384px);
  --_height: var(--concierge-height, 620px);
  --_offset: var(--concierge-offset, 20px);
  --_z: var(--concierge-z-index, 2147483000);
  --_font: var(--concierge-font, -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, system-ui, sans-serif);
  display: block;
  font-family: var(--_font);
  font-size: 15px;
  line-height: 1.45;
  color: var(--_text);
  -webkit-font-smoothing: antialiased;
}
:host([hidden]) { display: none; }
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
button { font: inherit; color: inherit; cursor: pointer; }
button:disabled, button[aria-disabled="true"] { cursor: default; }
:focus { outline: none; }
:focus-visible { outline: 3px solid var(--_focus); outline-offset: 2px; }
.sr-only {
  position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
.icon { display: inline-flex; width: 20px; height: 20px; flex: none; }
.icon svg { width: 100%; height: 100%; }

/* launcher */
.launcher {
  position: fixed; right: var(--_offset); bottom: var(--_offset); z-index: var(--_z);
  display: inline-flex; align-items: center; gap: 10px;
  height: 56px; padding: 0 22px 0 18px; border: 0; border-radius: 28px;
  background: var(--_accent); color: var(--_on-accent);
  font-weight: 600; font-size: 15px; letter-spacing: .01em;
  box-shadow: 0 8px 24px rgba(16, 24, 40, .18), 0 2px 6px rgba(16, 24, 40, .12);
  transition: transform .15s ease, background-color .15s ease, box-shadow .15s ease;
}
.launcher:hover { background: var(--_accent-hover); transform: translateY(-1px); }
.launcher .icon { width: 22px; height: 22px; }
.launcher .i-close { display: none; }
:host([data-open]) .launcher { width: 56px; padding: 0; justify-content: center; }
:host([data-open]) .launcher .i-chat, :host([data-open]) .launcher-label { display: none; }
:host([data-open]) .launcher .i-close { display: inline-flex; }
.badge-count {
  position: absolute; top: -4px; right: -4px; min-width: 22px; height: 22px; padding: 0 6px;
  border-radius: 11px; background: #c81e1e; color: #fff; border: 2px solid #fff;
  font-size: 12px; font-weight: 700; line-height: 18px; text-align: center;
}

/* panel */
.panel {
  position: fixed; right: var(--_offset); bottom: calc(var(--_offset) + 68px); z-index: var(--_z);
  width: var(--_width); height: min(var(--_height), calc(100vh - 120px));
  height: min(var(--_height), calc(100dvh - 120px));
  display: flex; flex-direction: column; overflow: hidden;
  background: var(--_bg); border: 1px solid var(--_border); border-radius: var(--_radius);
  box-shadow: 0 24px 60px rgba(16, 24, 40, .22), 0 4px 12px rgba(16, 24, 40, .08);
  animation: pop .18s ease-out;
}
@keyframes pop { from { opacity: 0; transform: translateY(12px) scale(.98); } to { opacity: 1; transform: none; } }
:host([inline]) .panel {
  position: relative; right: auto; bottom: auto; z-index: auto; width: 100%; height: 100%;
  min-height: 420px; animation: none; box-shadow: none;
}
:host([inline]) { height: 100%; }

.header {
  display: flex; align-items: center; gap: 12px; padding: 14px 14px 14px 16px;
  border-bottom: 1px solid var(--_border); background: var(--_bg);
}
.avatar {
  width: 38px; height: 38px; border-radius: 50%; flex: none;
  display: grid; place-items: center; background: var(--_accent); color: var(--_on-accent);
}
.avatar .icon { width: 20px; height: 20px; }
.heading { flex: 1; min-width: 0; }
.heading h2 { margin: 0; font-size: 16px; font-weight: 700; line-height: 1.25; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.status { margin: 2px 0 0; font-size: 12.5px; color: var(--_muted); display: flex; align-items: center; gap: 6px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.dot { width: 8px; height: 8px; border-radius: 50%; background: #9aa1ad; flex: none; }
.status[data-state="online"] .dot { background: #12a150; }
.status[data-state="connecting"] .dot, .status[data-state="reconnecting"] .dot { background: #d98a00; }
.status[data-state="offline"] .dot { background: #c81e1e; }
.human {
  display: inline-flex; align-items: center; gap: 6px; height: 34px; padding: 0 12px;
  border: 1px solid var(--_border); border-radius: 17px; background: var(--_bg);
  font-size: 13px; font-weight: 600; white-space: nowrap; color: var(--_text);
}
.human .icon { width: 16px; height: 16px; }
.human:hover:not([aria-disabled="true"]) { background: var(--_surface); }
.human[aria-disabled="true"] { color: var(--_muted); }
.icon-btn {
  width: 34px; height: 34px; display: grid; place-items: center; border: 0; border-radius: 50%;
  background: transparent; color: var(--_muted); flex: none;
}
.icon-btn:hover { background: var(--_surface); color: var(--_text); }
:host([inline]) .close { display: none; }

.banner {
  display: flex; gap: 10px; align-items: flex-start; padding: 10px 16px;
  font-size: 13.5px; background: #fff6e0; color: #5c3b00; border-bottom: 1px solid #f3e2b3;
}
.banner[data-tone="accepted"] { background: #e8f5ee; color: #0c4a2a; border-color: #c6e6d3; }
.banner[data-tone="ended"] { background: var(--_surface); color: var(--_text); border-color: var(--_border); }
.banner .icon { width: 18px; height: 18px; margin-top: 1px; }
.banner-body { flex: 1; min-width: 0; display: flex; flex-direction: column; gap: 6px; align-items: flex-start; }
.banner-cancel {
  min-height: 32px; padding: 4px 12px; border-radius: 16px; border: 1px solid currentColor;
  background: transparent; color: inherit; font-size: 13px; font-weight: 600;
}
.banner-cancel:hover { background: rgba(0, 0, 0, .06); }
:host([channel="kiosk"]) .banner-cancel { min-height: 48px; padding: 8px 18px; font-size: 15px; border-radius: 24px; }

.log { flex: 1; overflow-y: auto; padding: 16px 16px 8px; scroll-behavior: smooth; overscroll-behavior: contain; }
.log:focus-visible { outline-offset: -3px; }

.welcome { text-align: left; padding: 6px 2px 12px; }
.welcome h3 { margin: 0 0 4px; font-size: 20px; line-height: 1.25; font-weight: 700; letter-spacing: -.01em; }
.welcome p { margin: 0 0 14px; color: var(--_muted); font-size: 14px; }

.msgs { display: flex; flex-direction: column; gap: 2px; }
.msg { display: flex; flex-direction: column; max-width: 86%; margin-top: 8px; }
.msg[data-role="shopper"] { align-self: flex-end; align-items: flex-end; }
.msg[data-role="assistant"], .msg[data-role="staff"] { align-self: flex-start; align-items: flex-start; }
.msg[data-role="system"] { align-self: stretch; max-width: 100%; align-items: center; }
.msg.cont { margin-top: 2px; }
.who { font-size: 12px; font-weight: 600; color: var(--_muted); margin: 0 4px 3px; display: flex; align-items: center; gap: 6px; }
.ai-tag { font-size: 10.5px; font-weight: 700; letter-spacing: .04em; padding: 1px 5px; border-radius: 4px; background: var(--_surface); border: 1px solid var(--_border); color: var(--_muted); }
.bubble {
  padding: 9px 13px; border-radius: 18px; white-space: pre-wrap; overflow-wrap: anywhere;
  background: var(--_assistant-bg); color: var(--_text);
}
.bubble a { color: inherit; text-decoration: underline; text-underline-offset: 2px; }
.bubble:empty { display: none; }
.msg[data-role="assistant"] .bubble, .msg[data-role="staff"] .bubble { border-bottom-left-radius: 6px; }
.msg[data-role="staff"] .bubble { background: var(--_staff-bg); }
.msg[data-role="shopper"] .bubble { background: var(--_shopper-bg); color: var(--_shopper-text); border-bottom-right-radius: 6px; }
.msg[data-role="shopper"][data-state="failed"] .bubble { opacity: .75; }
.msg[data-role="system"] .bubble {
  background: transparent; color: var(--_muted); font-size: 13px; text-align: center; padding: 4px 8px;
}
.msg[data-streaming] .bubble::after {
  content: ""; display: inline-block; width: 7px; height: 15px; margin-left: 2px; vertical-align: -2px;
  background: currentColor; opacity: .5; animation: blink 1s steps(2) infinite;
}
@keyframes blink { 50% { opacity: 0; } }
.info { font-size: 11.5px; color: var(--_muted); margin: 3px 6px 0; display: inline-flex; align-items: center; gap: 4px; }
.info .icon { width: 13px; height: 13px; }
.msg[data-state="acked"] .info .icon { color: #12a150; }
.msg[data-state="failed"] .info { color: #b42318; }
.retry {
  border: 0; background: none; padding: 0 2px; color: #b42318; font-weight: 600; font-size: 11.5px;
  text-decoration: underline; text-underline-offset: 2px;
}

/* cards */
.cards { display: flex; flex-direction: column; gap: 8px; margin-top: 6px; width: 100%; min-width: 240px; }
.card {
  border: 1px solid var(--_border); border-radius: 14px; background: var(--_bg); padding: 12px 13px;
  box-shadow: 0 1px 2px rgba(16, 24, 40, .05);
}
.card-head { display: flex; align-items: flex-start; justify-content: space-between; gap: 10px; }
.card h4 { margin: 0; font-size: 14.5px; font-weight: 700; line-height: 1.3; }
.kicker { font-size: 11px; font-weight: 700; letter-spacing: .06em; text-transform: uppercase; color: var(--_muted); margin-bottom: 2px; }
.pill {
  flex: none; font-size: 11.5px; font-weight: 700; padding: 3px 8px; border-radius: 999px; white-space: nowrap;
  background: #eef0f3; color: #3b414c;
}
.pill[data-tone="ok"] { background: #e3f4e9; color: #12602f; }
.pill[data-tone="warn"] { background: #fdf0d5; color: #7a4a00; }
.pill[data-tone="info"] { background: #e4edfb; color: #1d4690; }
.pill[data-tone="bad"] { background: #fde7e7; color: #9b1c1c; }
.pill[data-tone="accent"] { background: var(--_accent); color: var(--_on-accent); }
.opts { display: flex; flex-wrap: wrap; gap: 4px 6px; margin: 8px 0 0; padding: 0; list-style: none; }
.opts li { font-size: 12px; padding: 2px 8px; border-radius: 6px; background: var(--_surface); color: var(--_text); }
.opts li span { color: var(--_muted); }
.card-foot { display: flex; align-items: baseline; justify-content: space-between; gap: 8px; margin-top: 10px; }
.price { font-size: 16px; font-weight: 700; }
.sku { font-size: 11.5px; color: var(--_muted); }
.items { list-style: none; margin: 8px 0 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.items li { display: flex; justify-content: space-between; gap: 10px; font-size: 13px; }
.items .item-name { font-weight: 600; }
.items .item-opts { display: block; color: var(--_muted); font-size: 12px; font-weight: 400; }
.items .item-price { white-space: nowrap; font-variant-numeric: tabular-nums; }
.more-items summary {
  margin-top: 8px; font-size: 12.5px; font-weight: 600; color: var(--_accent); cursor: pointer;
  list-style-position: inside; border-radius: 4px;
}
.more-items[open] summary { margin-bottom: 2px; }
.tracking { margin-top: 10px; padding-top: 8px; border-top: 1px dashed var(--_border); font-size: 12.5px; color: var(--_muted); overflow-wrap: anywhere; }
.tracking strong { color: var(--_text); font-weight: 600; font-variant-numeric: tabular-nums; }
.offer { border-color: color-mix(in srgb, var(--_accent) 35%, var(--_border)); background: color-mix(in srgb, var(--_accent) 5%, var(--_bg)); }
.offer p { margin: 6px 0 0; font-size: 13.5px; }
.offer .reason { color: var(--_muted); font-size: 12.5px; }

/* quick replies / suggestions */
.chips { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0 4px; }
.chip {
  border: 1px solid color-mix(in srgb, var(--_accent) 55%, var(--_border)); background: var(--_bg);
  color: var(--_accent); border-radius: 999px; padding: 6px 13px; font-size: 13.5px; font-weight: 600;
  text-align: left; line-height: 1.3;
}
.chip:hover { background: color-mix(in srgb, var(--_accent) 8%, var(--_bg)); }

/* typing */
.typing { display: inline-flex; align-items: center; gap: 8px; margin: 10px 0 4px; color: var(--_muted); font-size: 12.5px; }
.dots { display: inline-flex; gap: 4px; padding: 11px 13px; border-radius: 18px; border-bottom-left-radius: 6px; background: var(--_assistant-bg); }
.dots i { width: 7px; height: 7px; border-radius: 50%; background: #8a909c; animation: bounce 1.2s infinite ease-in-out; }
.dots i:nth-child(2) { animation-delay: .15s; }
.dots i:nth-child(3) { animation-delay: .3s; }
@keyframes bounce { 0%, 60%, 100% { transform: none; opacity: .5; } 30% { transform: translateY(-4px); opacity: 1; } }

/* notices (errors) */
.notice {
  display: flex; align-items: flex-start; gap: 8px; margin: 0 12px 8px; padding: 9px 10px 9px 12px;
  border-radius: 10px; background: #fdf0ef; color: #7a1d14; font-size: 13px; border: 1px solid #f6d3cf;
}
.notice .icon { width: 16px; height: 16px; margin-top: 1px; color: #c0392b; }
.notice span.text { flex: 1; }
.notice .icon-btn { width: 24px; height: 24px; color: #7a1d14; margin: -2px -4px 0 0; }
.notice .icon-btn .icon { width: 16px; height: 16px; color: inherit; margin: 0; }

/* composer */
.composer {
  display: flex; align-items: flex-end; gap: 8px; margin: 0 12px; padding: 6px 6px 6px 14px;
  border: 1px solid var(--_border); border-radius: 22px; background: var(--_bg);
  transition: border-color .15s ease, box-shadow .15s ease;
}
.composer:focus-within { border-color: var(--_accent); box-shadow: 0 0 0 3px color-mix(in srgb, var(--_accent) 18%, transparent); }
textarea {
  flex: 1; resize: none; border: 0; background: transparent; color: var(--_text);
  font: inherit; line-height: 1.4; padding: 7px 0; max-height: 132px; min-height: 22px; outline: none;
}
textarea::placeholder { color: #6b7280; }
.send {
  width: 36px; height: 36px; border-radius: 50%; border: 0; display: grid; place-items: center; flex: none;
  background: var(--_accent); color: var(--_on-accent); transition: background-color .15s ease, opacity .15s ease;
}
.send .icon { width: 18px; height: 18px; }
.send:hover { background: var(--_accent-hover); }
.send[aria-disabled="true"] { opacity: .4; }
.composer textarea:focus-visible { outline: none; }
.foot { margin: 0; padding: 7px 16px 10px; font-size: 11.5px; color: var(--_muted); text-align: center; }
.counter { font-size: 11.5px; color: var(--_muted); text-align: right; margin: 4px 20px 0; }
.counter[data-over] { color: #b42318; font-weight: 600; }

@media (max-width: 480px) {
  .panel:not(.inline) {
    right: 0; bottom: 0; left: 0; top: 0; width: 100%; height: 100%; max-height: none;
    border-radius: 0; border: 0;
    padding-bottom: env(safe-area-inset-bottom);
  }
  :host(:not([inline])[data-open]) .launcher { display: none; }
  .launcher { height: 52px; padding: 0 18px 0 15px; }
  .msg { max-width: 90%; }
  textarea { font-size: 16px; } /* no zoom-on-focus in iOS Safari */
}
@media (pointer: coarse) { .kbd-hint { display: none; } }

/* kiosk: touch targets of at least 48 px, larger type */
:host([channel="kiosk"]) { font-size: 18px; }
:host([channel="kiosk"]) .human { height: 48px; padding: 0 18px; border-radius: 24px; font-size: 15px; }
:host([channel="kiosk"]) .send { width: 52px; height: 52px; }
:host([channel="kiosk"]) .send .icon { width: 24px; height: 24px; }
:host([channel="kiosk"]) .composer { border-radius: 30px; padding: 6px 6px 6px 20px; }
:host([channel="kiosk"]) textarea { font-size: 18px; min-height: 40px; padding: 11px 0; }
:host([channel="kiosk"]) .chip { min-height: 48px; padding: 10px 18px; font-size: 16px; }
:host([channel="kiosk"]) .icon-btn { width: 48px; height: 48px; }
:host([channel="kiosk"]) .notice .icon-btn { width: 48px; height: 48px; margin: -12px -10px -12px 0; }
:host([channel="kiosk"]) .retry { min-height: 48px; padding: 0 10px; }
:host([channel="kiosk"]) .welcome h3 { font-size: 26px; }
:host([channel="kiosk"]) .welcome p { font-size: 17px; }
:host([channel="kiosk"]) .kbd-hint { display: none; }
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { animation: none !important; transition: none !important; scroll-behavior: auto !important; }
}
@media (forced-colors: active) {
  .bubble, .card, .chip, .launcher, .send, .composer { border: 1px solid CanvasText; }
}
`;

  // ---------------------------------------------------------------- element

  class ConciergeChat extends HTMLElement {
    static get observedAttributes() {
      return ["server", "identity", "channel", "title", "inline", "open", "store-id", "placeholder",
        "suggestions", "currency"];
    }

    constructor() {
      super();
      this._root = this.attachShadow({ mode: "open" });
      this._ws = null;
      this._gen = 0;                  // socket generation: stale sockets' events are ignored
      this._ready = false;            // a session frame arrived on the current socket
      this._status = "idle";
      this._attempt = 0;
      this._timers = {};
      this._conv = null;
      this._lastSeq = 0;              // highest message seq received in this page
      this._replayUpTo = 0;           // session.last_seq: messages up to it are history
      this._seqs = new Set();         // seqs rendered (message frames and acks): de-duplication
      this._emitted = new Set();      // seqs for which concierge:message fired
      this._pending = new Map();      // client_id -> {text, state, node, seq}
      this._outbox = [];              // client_ids not yet acked, in send order
      this._control = [];             // control frames waiting for a session (handoff_request)
      this._streams = new Map();      // reply_to -> streaming bubble
      this._handoff = null;
      this._staffName = "";         // display name of the person who accepted the handoff
      this._queueText = "";         // the last queue line announced
      this._ended = false;          // the conversation was closed: the next message starts another
      this._customer = null;
      this._unread = 0;
      this._seen = 0;
      this._shopperTyping = false;
      this._built = false;
      this._who = identityKey(this.getAttribute("identity"));
      this._boundOnline = () => this._wake();
      this._boundVisible = () => { if (document.visibilityState === "visible") this._wake(); };
    }

    // ------------------------------------------------------------ lifecycle

    connectedCallback() {
      if (!this._built) this._build();
      window.addEventListener("online", this._boundOnline);
      document.addEventListener("visibilitychange", this._boundVisible);
      this._restore();
      // Defer the first connection one task, so a host page that sets `identity` right after
      // inserting the element is honoured; a little longer when the stored conversation belongs
      // to a signed-in shopper and the page has not set `identity` yet (it may be on its way).
      clearTimeout(this._timers.boot);
      this._timers.boot = setTimeout(() => {
        if (this._parked) { this._parked = null; this._save(); }
        if (this.inline || this._isOpen() || this._conv || this._outbox.length) this._connect();
      }, this._parked ? 2500 : 0);
    }

    disconnectedCallback() {
      window.removeEventListener("online", this._boundOnline);
      document.removeEventListener("visibilitychange", this._boundVisible);
      this._disconnect();
      for (const t of Object.values(this._timers)) { clearTimeout(t); clearInterval(t); }
    }

    attributeChangedCallback(name, oldValue, value) {
      if (oldValue === value || this._reflecting) return;
      if (!this._built) {
        if (name === "identity") this._who = identityKey(value);
        return;
      }
      switch (name) {
        case "identity": {
          const who = identityKey(value);
          if (who === this._who) return;           // same shopper, refreshed token: keep going
          this._who = who;
          const parked = this._parked;
          this._parked = null;
          if (parked && parked.who === who && !this._ws) {
            // The identity the stored conversation belongs to arrived: resume it.
            clearTimeout(this._timers.boot);
            this._adopt(parked);
            this._connect();
            return;
          }
          const wasLive = !!this._ws || this._isOpen() || this.inline;
          this._forget();
          if (wasLive) this._connect();
          break;
        }
        case "server":
          if (this._ws) { this._disconnect(); this._connect(); }
          break;
        case "title":
          this._applyTitle();
          break;
        case "placeholder":
          this.$input.placeholder = value || "Type your message…";
          break;
        case "suggestions":
          this._renderWelcome();
          break;
        case "open":
          if (value !== null) this.open(); else this.close({ restoreFocus: false });
          break;
        case "inline":
          this._syncOpen();
          if (this.inline) this._connect();
          break;
        default:
          break;
      }
    }

    // ------------------------------------------------------------ public API

    /** Send a shopper message; returns its client_id (or null if empty/too long). */
    send(text) {
      text = String(text ?? "").trim();
      if (!text) return null;
      if (text.length > MAX_TEXT) { this._notice(ERROR_TEXT.too_large); return null; }
      this._restartIfEnded();
      const clientId = uuid();
      this._clearChips();
      this._hideWelcome();
      this._setShopperTyping(false);
      const node = this._renderShopper(text, clientId);
      this._pending.set(clientId, { text, state: "queued", node, seq: null, at: Date.now() });
      this._outbox.push(clientId);
      this._save();
      this._scrollToEnd(true);
      if (this._ready) this._transmit(clientId); else { this._setBubbleState(clientId, "queued"); this._connect(); }
      return clientId;
    }

    /**
     * Forget the conversation: the transcript leaves the screen and nothing of it stays in
     * sessionStorage; a new conversation starts on the next connection (a `hello` without
     * `conversation_id`). The server is told first (an `end` frame), so a queued request for a
     * person is withdrawn and a team member who has the conversation sees the shopper left.
     */
    reset() {
      // The server closes the conversation, so a queue or a team member is not left waiting on
      // someone who has gone (the kiosk's idle wipe, "start over").
      if (this._ready) this._frame({ type: "end" });
      const wasLive = !!this._ws || this._isOpen() || this.inline;
      if (this.$input) { this.$input.value = ""; this._onInput(); }   // an unsent draft goes too
      this._forget();
      if (wasLive) this._connect();
    }

    /**
     * Ask for a person (what the "Talk to a person" button does). `reason` defaults to the
     * `handoff-reason` attribute, or none (the server fills in its default). Returns false when a
     * request is already under way or a person already has the conversation.
     */
    requestHuman(reason) {
      return this._requestHuman(reason);
    }

    /** Leave the queue and go back to the assistant (only while `queued`). Returns whether it was sent. */
    cancelHandoff() {
      if (this._handoff !== "queued") return false;
      const frame = { type: "handoff_cancel" };
      this.$cancelHandoff.setAttribute("aria-disabled", "true");
      this.$cancelHandoff.textContent = "Going back to the assistant…";
      if (this._ready) this._frame(frame); else { this._control.push(frame); this._connect(); }
      return true;
    }

    /** The latest handoff status (`requested`, `queued`, `accepted`, `released`, `closed`, `cancelled`) or null. */
    get handoffStatus() { return this._handoff; }

    open() {
      if (this.inline) return;
      if (!this._isOpen()) {
        this._openState = true;
        this._syncOpen();
        this._save();
      }
      this._markSeen();
      this._connect();
      requestAnimationFrame(() => { this.$input.focus(); this._scrollToEnd(true); });
    }

    close({ restoreFocus = true } = {}) {
      if (this.inline || !this._isOpen()) return;
      this._openState = false;
      this._syncOpen();
      this._save();
      if (restoreFocus) this.$launcher.focus();
    }

    toggle() { if (this._isOpen()) this.close(); else this.open(); }

    get conversationId() { return this._conv; }
    get connectionState() { return this._status; }
    get inline() { return this.hasAttribute("inline"); }
    get channel() { return this.getAttribute("channel") === "kiosk" ? "kiosk" : "web"; }

    // ------------------------------------------------------------ DOM

    _build() {
      this._built = true;
      const r = this._root;
      r.append(el("style", { text: STYLES }));

      this.$launcher = el("button", {
        class: "launcher", type: "button", part: "launcher", title: "",
        "aria-expanded": "false", "aria-controls": "panel",
        onclick: () => this.toggle(),
      }, icon("chat", "i-chat"), icon("close", "i-close"), el("span", { class: "launcher-label", text: "Chat with us" }));
      this.$badge = el("span", { class: "badge-count", hidden: true, "aria-hidden": "true" });
      this.$launcher.append(this.$badge);

      this.$title = el("h2", { id: "title" });
      this.$statusText = el("span", { class: "status-text" });
      this.$status = el("p", { class: "status", id: "status", "data-state": "idle" },
        el("span", { class: "dot", "aria-hidden": "true" }), this.$statusText);
      this.$human = el("button", {
        class: "human", type: "button", onclick: () => this._requestHuman(),
      }, icon("person"), el("span", { class: "label-long", text: "Talk to a person" }));
      this.$close = el("button", {
        class: "icon-btn close", type: "button", "aria-label": "Close chat", onclick: () => this.close(),
      }, icon("close"));
      const avatar = el("div", { class: "avatar", "aria-hidden": "true" }, icon("spark"));

      this.$bannerText = el("span", { class: "banner-text" });
      this.$cancelHandoff = el("button", {
        class: "banner-cancel", type: "button", hidden: true, onclick: () => this.cancelHandoff(),
      }, "Back to the assistant");
      this.$banner = el("div", { class: "banner", hidden: true }, icon("person"),
        el("div", { class: "banner-body" }, this.$bannerText, this.$cancelHandoff));
      this.$welcome = el("div", { class: "welcome" });
      this.$msgs = el("div", { class: "msgs" });
      this.$chips = el("div", { class: "chips", role: "group", "aria-label": "Suggested replies", hidden: true });
      this.$typingText = el("span");
      this.$typing = el("div", { class: "typing", hidden: true },
        el("span", { class: "dots", "aria-hidden": "true" }, el("i"), el("i"), el("i")), this.$typingText);
      this.$log = el("div", {
        class: "log", role: "log", "aria-live": "off", "aria-label": "Conversation", tabindex: "0",
      }, this.$welcome, this.$msgs, this.$chips, this.$typing);

      this.$noticeText = el("span", { class: "text" });
      this.$notice = el("div", { class: "notice", hidden: true }, icon("alert"), this.$noticeText,
        el("button", { class: "icon-btn", type: "button", "aria-label": "Dismiss", onclick: () => this._clearNotice() },
          icon("close")));

      this.$input = el("textarea", {
        id: "input", rows: "1", maxlength: String(MAX_TEXT), enterkeyhint: "send", autocomplete: "off",
        placeholder: this.getAttribute("placeholder") || "Type your message…",
        "aria-describedby": "hint",
      });
      this.$send = el("button", { class: "send", type: "submit", "aria-label": "Send message", "aria-disabled": "true" },
        icon("send"));
      this.$form = el("form", { class: "composer", onsubmit: (e) => { e.preventDefault(); this._submit(); } },
        el("label", { class: "sr-only", for: "input", text: "Message" }), this.$input, this.$send);
      this.$counter = el("div", { class: "counter", hidden: true, "aria-live": "polite" });
      this.$hintWho = el("span", { text: "Replies by an AI assistant" });
      const hint = el("p", { class: "foot", id: "hint" }, this.$hintWho,
        el("span", { class: "kbd-hint", text: " · Shift+Enter for a new line" }));

      this.$panel = el("section", {
        class: "panel", id: "panel", part: "panel", role: "dialog", "aria-modal": "false",
        "aria-labelledby": "title", "aria-describedby": "status", title: "", hidden: true,
      }, el("header", { class: "header" }, avatar, el("div", { class: "heading" }, this.$title, this.$status),
        this.$human, this.$close),
      this.$banner, this.$log, this.$notice, this.$form, this.$counter, hint);

      // The one place assistant/staff replies and status changes are announced.
      this.$live = el("div", { class: "sr-only", role: "status", "aria-live": "polite", "aria-atomic": "true", part: "live" });

      r.append(this.$launcher, this.$panel, this.$live);

      this.$input.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
          e.preventDefault();
          this._submit();
        }
      });
      this.$input.addEventListener("input", () => this._onInput());
      this.$panel.addEventListener("keydown", (e) => {
        if (e.key === "Escape" && !this.inline) { e.preventDefault(); this.close(); }
      });
      this._applyTitle();
      this._renderWelcome();
      this._setStatus("idle");
    }

    _applyTitle() {
      const t = this.getAttribute("title") || "Concierge";
      this.$title.textContent = t;
      this.$launcher.setAttribute("aria-label", `Chat with ${t}`);
    }

    _isOpen() { return this.inline || !!this._openState; }

    _syncOpen() {
      const open = this._isOpen();
      this.$panel.hidden = !open;
      this.$launcher.hidden = this.inline;
      this.$launcher.setAttribute("aria-expanded", String(open));
      this.$close.hidden = this.inline;
      this.$panel.setAttribute("aria-modal", "false");
      if (open) this.setAttribute("data-open", ""); else this.removeAttribute("data-open");
      // keep the `open` attribute in step without re-entering attributeChangedCallback
      this._reflecting = true;
      if (open && !this.inline) this.setAttribute("open", ""); else this.removeAttribute("open");
      this._reflecting = false;
    }

    _setStatus(state) {
      this._status = state;
      this.$status.dataset.state = state;
      let text;
      if (state === "online") {
        text = this._handoff === "accepted" ? "With our team" : "AI assistant";
      } else if (state === "connecting") text = "Connecting…";
      else if (state === "reconnecting") text = navigator.onLine === false ? "Offline · waiting for a connection" : "Reconnecting…";
      else if (state === "offline") text = "Offline · waiting for a connection";
      else text = "AI assistant";
      this.$statusText.textContent = text;
      this.dispatchEvent(new CustomEvent("concierge:status", { detail: { state }, bubbles: true, composed: true }));
    }

    _renderWelcome() {
      const w = this.$welcome;
      w.replaceChildren();
      const name = this._customer && this._customer.first_name;
      w.append(el("h3", { text: name ? `Hi ${name}, how can we help?` : "Hi there, how can we help?" }),
        el("p", { text: "Ask about an order, a return or a product. Our AI assistant answers right away, and a person from our team can take over at any time." }));
      const raw = this.getAttribute("suggestions");
      const list = (raw == null ? DEFAULT_SUGGESTIONS : raw).split("|").map((s) => s.trim()).filter(Boolean);
      if (list.length) {
        const chips = el("div", { class: "chips", role: "group", "aria-label": "Suggestions" });
        for (const s of list) chips.append(el("button", { class: "chip", type: "button", text: s, onclick: () => this._chip(s) }));
        w.append(chips);
      }
      this._updateWelcome();
    }

    _updateWelcome() {
      this.$welcome.hidden = this.$msgs.childElementCount > 0;
    }

    _hideWelcome() { this.$welcome.hidden = true; }

    _chip(text) {
      const hadFocus = this._root.activeElement && this._root.activeElement.classList.contains("chip");
      this.send(text);
      if (hadFocus) this.$input.focus();
    }

    _submit() {
      const text = this.$input.value;
      if (!text.trim()) return;
      if (text.trim().length > MAX_TEXT) { this._notice(ERROR_TEXT.too_large); return; }
      this.$input.value = "";
      this._onInput();
      this.send(text);
      this.$input.focus();
    }

    _onInput() {
      const ta = this.$input;
      ta.style.height = "auto";
      ta.style.height = Math.min(ta.scrollHeight, 132) + "px";
      const len = ta.value.length;
      this.$send.setAttribute("aria-disabled", String(!ta.value.trim()));
      if (len > MAX_TEXT - 400) {
        this.$counter.hidden = false;
        this.$counter.textContent = `${len.toLocaleString()} / ${MAX_TEXT.toLocaleString()} characters`;
        if (len >= MAX_TEXT) this.$counter.setAttribute("data-over", ""); else this.$counter.removeAttribute("data-over");
      } else this.$counter.hidden = true;
      if (ta.value) this._setShopperTyping(true); else this._setShopperTyping(false);
    }

    // Position in the transcript: persisted messages by seq; a streamed reply right after the
    // message it answers; unacknowledged shopper messages last, in the order they were written.
    _insert(node, order) {
      node.dataset.order = String(order);
      const kids = this.$msgs.children;
      let before = null;
      for (let i = kids.length - 1; i >= 0; i--) {
        const o = Number(kids[i].dataset.order);
        if (o > order) before = kids[i]; else break;
      }
      this.$msgs.insertBefore(node, before);
      this._updateGrouping();
      this._updateWelcome();
    }

    _updateGrouping() {
      let prevRole = null;
      for (const m of this.$msgs.children) {
        const role = m.dataset.role;
        m.classList.toggle("cont", role === prevRole && role !== "system");
        const who = m.querySelector(":scope > .who");
        if (who) who.hidden = role === prevRole;
        prevRole = role;
      }
    }

    _renderShopper(text, clientId) {
      const bubble = el("div", { class: "bubble" }, richText(text));
      const info = el("div", { class: "info" });
      const node = el("div", { class: "msg", "data-role": "shopper", "data-client-id": clientId, "data-state": "pending" },
        el("span", { class: "sr-only", text: "You said:" }), bubble, info);
      this._insert(node, Number.MAX_SAFE_INTEGER);
      return node;
    }

    _setBubbleState(clientId, state) {
      const p = this._pending.get(clientId);
      if (!p) return;
      p.state = state;
      const node = p.node;
      node.dataset.state = state === "queued" ? "pending" : state;
      const info = node.querySelector(".info");
      info.replaceChildren();
      if (state === "acked") {
        info.append(icon("check"), el("span", { text: "Sent" }));
      } else if (state === "failed") {
        info.append(icon("alert"), el("span", { text: p.reason || "Not sent" }));
        if (p.retryable !== false) {
          info.append(el("button", { class: "retry", type: "button", text: "Retry", onclick: () => this._retry(clientId) }));
        }
      } else {
        info.append(icon("clock"), el("span", { text: state === "queued" ? "Waiting for connection…" : "Sending…" }));
      }
    }

    _retry(clientId) {
      const p = this._pending.get(clientId);
      if (!p) return;
      if (!this._outbox.includes(clientId)) this._outbox.push(clientId);
      this._save();
      if (this._ready) this._transmit(clientId); else { this._setBubbleState(clientId, "queued"); this._connect(); }
      this.$input.focus();
    }

    _renderMessage(f) {
      const role = ["shopper", "assistant", "staff", "system"].includes(f.role) ? f.role : "assistant";
      const author = role === "staff" && typeof f.author === "string" && f.author.trim() ? f.author.trim() : "";
      const label = role === "assistant" ? (this.getAttribute("title") || "Concierge")
        : role === "staff" ? (author ? `${author}, our team` : "Team member") : role === "shopper" ? "You" : "Notice";
      const node = el("div", {
        class: "msg", "data-role": role, "data-seq": f.seq != null ? String(f.seq) : null,
        "data-reply-to": f.reply_to != null ? String(f.reply_to) : null,
      });
      if (role === "assistant") {
        node.append(el("div", { class: "who", "aria-hidden": "true" }, el("span", { text: label }),
          el("span", { class: "ai-tag", text: "AI" })));
      } else if (role === "staff") {
        node.append(el("div", { class: "who", "aria-hidden": "true", text: label }));
      }
      node.append(el("span", { class: "sr-only", text: `${role === "assistant" ? label + " (AI assistant)" : label} said:` }),
        el("div", { class: "bubble" }, richText(String(f.text || ""))));
      const cards = this._renderCards(f.cards);
      if (cards) node.append(cards);
      const time = this._time(f.created_at);
      if (role === "shopper") {
        node.dataset.state = "acked";
        node.append(el("div", { class: "info" }, icon("check"), el("span", { text: time ? `Sent · ${time}` : "Sent" })));
      } else if (time && role !== "system") {
        node.append(el("div", { class: "info" }, el("time", { datetime: f.created_at, text: time })));
      }
      return node;
    }

    _time(iso) {
      if (!iso) return "";
      const d = new Date(iso);
      if (isNaN(d)) return "";
      return d.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
    }

    _money(v) {
      const n = Number(v);
      if (v == null || v === "" || isNaN(n)) return v == null ? "" : String(v);
      try {
        return new Intl.NumberFormat(undefined, { style: "currency", currency: this.getAttribute("currency") || "USD" }).format(n);
      } catch (_) { return n.toFixed(2); }
    }

    _renderCards(cards) {
      if (!Array.isArray(cards) || !cards.length) return null;
      const wrap = el("div", { class: "cards" });
      for (const c of cards) {
        if (!c || typeof c !== "object") continue;
        try {
          if (c.kind === "product") wrap.append(this._productCard(c));
          else if (c.kind === "order") wrap.append(this._orderCard(c));
          else if (c.kind === "offer") wrap.append(this._offerCard(c));
        } catch (err) { console.warn("[concierge-chat] could not render card", c, err); }
      }
      return wrap.childElementCount ? wrap : null;
    }

    _optionList(options) {
      if (!options || typeof options !== "object") return null;
      const entries = Array.isArray(options) ? options.map((v) => [null, v]) : Object.entries(options);
      if (!entries.length) return null;
      const ul = el("ul", { class: "opts", "aria-label": "Options" });
      for (const [k, v] of entries) {
        ul.append(k ? el("li", null, el("span", { text: `${titleCase(k)}: ` }), String(v)) : el("li", { text: String(v) }));
      }
      return ul;
    }

    _productCard(c) {
      const available = c.available;
      const pill = available == null ? null
        : el("span", { class: "pill", "data-tone": available ? "ok" : "bad", text: available ? "In stock" : "Out of stock" });
      return el("article", { class: "card product", "aria-label": `Product: ${c.name || "item"}` },
        el("div", { class: "card-head" }, el("div", null, el("div", { class: "kicker", text: "Product" }), el("h4", { text: c.name || "Product" })), pill),
        this._optionList(c.options),
        el("div", { class: "card-foot" },
          el("span", { class: "price", text: this._money(c.price) }),
          c.item_id ? el("span", { class: "sku", text: `Item ${c.item_id}` }) : null));
    }

    _orderCard(c) {
      const status = c.status ? String(c.status) : "";
      const card = el("article", { class: "card order", "aria-label": `Order ${c.order_id || ""}` },
        el("div", { class: "card-head" },
          el("div", null, el("div", { class: "kicker", text: "Order" }), el("h4", { text: c.order_id || "Your order" })),
          status ? el("span", { class: "pill", "data-tone": ORDER_TONE[status.toLowerCase()] || "info", text: titleCase(status) }) : null));
      const items = Array.isArray(c.items) ? c.items : [];
      const itemRow = (it) => {
        if (!it || typeof it !== "object") return el("li", null, el("span", { class: "item-name", text: String(it) }));
        const opts = it.options && typeof it.options === "object" ? Object.values(it.options).join(" · ") : "";
        return el("li", null,
          el("span", { class: "item-name" }, String(it.name || it.product_id || it.item_id || "Item"),
            opts ? el("span", { class: "item-opts", text: opts }) : null),
          it.price != null ? el("span", { class: "item-price", text: this._money(it.price) }) : null);
      };
      if (items.length) {
        const shown = items.length > 4 ? 3 : items.length;     // long orders: the rest behind "Show more"
        card.append(el("ul", { class: "items" }, ...items.slice(0, shown).map(itemRow)));
        if (items.length > shown) {
          const more = items.length - shown;
          card.append(el("details", { class: "more-items" },
            el("summary", { text: `Show ${more} more ${more === 1 ? "item" : "items"}` }),
            el("ul", { class: "items" }, ...items.slice(shown).map(itemRow))));
        }
      }
      const tracking = [];
      for (const t of Array.isArray(c.tracking) ? c.tracking : []) {
        if (t == null) continue;
        if (typeof t !== "object") tracking.push(String(t));
        else {
          const ids = t.tracking_id ?? t.tracking_ids ?? t.id ?? t.number;
          for (const id of Array.isArray(ids) ? ids : ids != null ? [ids] : []) tracking.push(String(id));
        }
      }
      if (tracking.length) {
        const div = el("div", { class: "tracking" }, tracking.length > 1 ? "Tracking numbers: " : "Tracking number: ");
        tracking.forEach((t, i) => { if (i) div.append(", "); div.append(el("strong", { text: t })); });
        card.append(div);
      }
      return card;
    }

    _offerCard(c) {
      const pct = Number(c.discount_percent);
      return el("article", { class: "card offer", "aria-label": `Offer: ${c.name || ""}` },
        el("div", { class: "card-head" },
          el("div", null, el("div", { class: "kicker", text: "Offer for you" }), el("h4", { text: c.name || "Special offer" })),
          pct > 0 ? el("span", { class: "pill", "data-tone": "accent", text: `${pct}% off` }) : null),
        c.description ? el("p", { text: String(c.description) }) : null,
        c.reason ? el("p", { class: "reason", text: `Why you're seeing this: ${c.reason}` }) : null);
    }

    _cardSummary(cards) {
      if (!Array.isArray(cards)) return "";
      const parts = [];
      for (const c of cards) {
        if (!c) continue;
        if (c.kind === "product") parts.push(`Product ${c.name || ""}, ${this._money(c.price)}${c.available == null ? "" : c.available ? ", in stock" : ", out of stock"}`);
        else if (c.kind === "order") parts.push(`Order ${c.order_id || ""}${c.status ? ", " + c.status : ""}`);
        else if (c.kind === "offer") parts.push(`Offer ${c.name || ""}${c.discount_percent ? ", " + c.discount_percent + "% off" : ""}`);
      }
      return parts.length ? " " + parts.join(". ") + "." : "";
    }

    _setChips(list) {
      this._clearChips();
      if (!Array.isArray(list) || !list.length) return;
      for (const q of list) {
        const text = String(q);
        this.$chips.append(el("button", { class: "chip", type: "button", text, onclick: () => this._chip(text) }));
      }
      this.$chips.hidden = false;
    }

    _clearChips() {
      this.$chips.replaceChildren();
      this.$chips.hidden = true;
    }

    _showTyping(role, state) {
      clearTimeout(this._timers.typing);
      if (!state) { this.$typing.hidden = true; return; }
      this.$typingText.textContent = role === "staff"
        ? (this._staffName ? `${this._staffName} is typing…` : "A team member is typing…")
        : `${this.getAttribute("title") || "Concierge"} is typing…`;
      this.$typing.hidden = false;
      this._scrollToEnd();
      this._timers.typing = setTimeout(() => { this.$typing.hidden = true; }, 30000);   // failsafe
    }

    _nearBottom() {
      const l = this.$log;
      return l.scrollHeight - l.scrollTop - l.clientHeight < 96;
    }

    _scrollToEnd(force) {
      if (!force && !this._stick) return;
      requestAnimationFrame(() => { this.$log.scrollTop = this.$log.scrollHeight; });
    }

    _announce(text) {
      // Re-set the text so a repeat of the same words is announced again.
      this.$live.textContent = "";
      clearTimeout(this._timers.live);
      this._timers.live = setTimeout(() => { this.$live.textContent = text; }, 60);
    }

    _notice(text, { sticky = false } = {}) {
      this.$noticeText.textContent = text;
      this.$notice.hidden = false;
      this._announce(text);
      clearTimeout(this._timers.notice);
      if (!sticky) this._timers.notice = setTimeout(() => this._clearNotice(), 12000);
    }

    _clearNotice() {
      clearTimeout(this._timers.notice);
      this.$notice.hidden = true;
    }

    _setBanner(status, text) {
      clearTimeout(this._timers.banner);
      this.$bannerText.textContent = text;
      // Only a queued request can be withdrawn (protocol: handoff_cancel while `queued`).
      this.$cancelHandoff.hidden = status !== "queued";
      this.$banner.dataset.tone = status === "accepted" ? "accepted" : ACTIVE_HANDOFF.has(status) ? "waiting" : "ended";
      this.$banner.hidden = false;
      if (!ACTIVE_HANDOFF.has(status)) this._timers.banner = setTimeout(() => { this.$banner.hidden = true; }, 10000);
    }

    _updateHumanButton() {
      const active = ACTIVE_HANDOFF.has(this._handoff);
      this.$human.setAttribute("aria-disabled", String(active));
      this.$human.hidden = this._handoff === "accepted";
      this.$human.querySelector(".label-long").textContent = !active ? "Talk to a person"
        : this._handoff === "queued" ? "In the queue" : "Connecting…";
    }

    _updateHint() {
      this.$hintWho.textContent = this._handoff === "accepted" ? "You're chatting with our team" : "Replies by an AI assistant";
    }

    _updateBadge() {
      this.$badge.hidden = !this._unread;
      this.$badge.textContent = this._unread > 9 ? "9+" : String(this._unread);
      const t = this.getAttribute("title") || "Concierge";
      this.$launcher.setAttribute("aria-label", this._unread
        ? `Chat with ${t}, ${this._unread} new ${this._unread === 1 ? "message" : "messages"}` : `Chat with ${t}`);
    }

    _markSeen() {
      this._unread = 0;
      this._seen = Math.max(this._seen, this._lastSeq);
      this._updateBadge();
      this._save();
    }

    // ------------------------------------------------------------ storage

    _storageKey() {
      return STORAGE_PREFIX + this._serverUrl() + "|" + this.channel + "|" + (this.getAttribute("store-id") || "");
    }

    _restore() {
      let s = null;
      try { s = JSON.parse(sessionStorage.getItem(this._storageKey()) || "null"); } catch (_) { s = null; }
      this._openState = this.hasAttribute("open") || !!(s && s.open);
      this._syncOpen();
      if (!s || this._conv || this._outbox.length) return;
      if (s.who === this._who) this._adopt(s);
      // A signed-in shopper's conversation, and no identity (yet): keep it aside for a moment.
      else if (this._who === "anon" && s.who !== "anon" && (s.conversation_id || (s.outbox || []).length)) this._parked = s;
    }

    // Take over stored state: the conversation to resume and the messages never acknowledged
    // (they survive a reload and are re-sent with the same client_id).
    _adopt(s) {
      this._conv = s.conversation_id || null;
      this._seen = Number(s.seen) || 0;
      for (const m of Array.isArray(s.outbox) ? s.outbox : []) {
        if (!m || !m.client_id || !m.text || this._pending.has(m.client_id)) continue;
        const node = this._renderShopper(m.text, m.client_id);
        this._pending.set(m.client_id, { text: m.text, state: "queued", node, seq: null, at: m.at });
        this._outbox.push(m.client_id);
        this._setBubbleState(m.client_id, "queued");
      }
    }

    _save() {
      if (this._parked) return;                   // don't overwrite a conversation kept aside
      const data = {
        who: this._who,
        conversation_id: this._conv,
        last_seq: this._lastSeq,
        seen: this._seen,
        open: !!this._openState,
        outbox: this._outbox.map((id) => {
          const p = this._pending.get(id);
          return p ? { client_id: id, text: p.text, at: p.at } : null;
        }).filter(Boolean),
      };
      try { sessionStorage.setItem(this._storageKey(), JSON.stringify(data)); } catch (_) { /* private mode */ }
    }

    // Drop the conversation: socket, transcript, storage. The open/closed state stays.
    _forget() {
      this._disconnect();
      this._conv = null;
      this._lastSeq = 0;
      this._seen = 0;
      this._unread = 0;
      this._seqs.clear();
      this._emitted.clear();
      this._pending.clear();
      this._outbox = [];
      this._control = [];
      this._streams.clear();
      this._handoff = null;
      this._staffName = "";
      this._queueText = "";
      this._ended = false;
      this._customer = null;
      this._updateHint();
      this.$msgs.replaceChildren();
      this._clearChips();
      this._clearNotice();
      this.$banner.hidden = true;
      this._showTyping(null, false);
      this._updateHumanButton();
      this._updateBadge();
      this._renderWelcome();
      this._setStatus("idle");
      // Nothing of the conversation stays in the browser; only an open panel is remembered.
      try { sessionStorage.removeItem(this._storageKey()); } catch (_) { /* private mode */ }
      if (this._openState && !this._parked) this._save();
    }

    // ------------------------------------------------------------ connection

    _serverUrl() {
      const attr = this.getAttribute("server");
      try {
        if (attr) {
          const u = new URL(attr, location.href);
          if (u.protocol === "http:") u.protocol = "ws:";
          if (u.protocol === "https:") u.protocol = "wss:";
          return u.href;
        }
        const base = new URL(SCRIPT_URL, location.href);
        return `${base.protocol === "https:" ? "wss:" : "ws:"}//${base.host}/ws/chat`;
      } catch (_) {
        return `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/ws/chat`;
      }
    }

    _connect() {
      if (!this.isConnected || this._ws) return;
      clearTimeout(this._timers.reconnect);
      const gen = ++this._gen;
      let ws;
      try {
        ws = new WebSocket(this._serverUrl());
      } catch (err) {
        console.error("[concierge-chat] bad server URL", err);
        this._setStatus("offline");
        return;
      }
      this._ws = ws;
      this._ready = false;
      this._setStatus(this._attempt ? "reconnecting" : "connecting");
      ws.onopen = () => {
        if (gen !== this._gen) return;
        this._sendHello();
        this._startHeartbeat();
        clearTimeout(this._timers.session);
        this._timers.session = setTimeout(() => { if (gen === this._gen && !this._ready) ws.close(4000, "no session"); }, SESSION_TIMEOUT_MS);
      };
      ws.onmessage = (ev) => { if (gen === this._gen) this._onRaw(ev.data); };
      ws.onclose = () => {
        if (gen !== this._gen) return;
        this._ws = null;
        this._ready = false;
        this._stopHeartbeat();
        this._dropStreams();
        this._showTyping(null, false);
        for (const id of this._outbox) {
          const p = this._pending.get(id);
          if (p && p.state === "pending") this._setBubbleState(id, "queued");
        }
        // A closed conversation: reconnect only when something is to be sent (a new conversation).
        if (this._ended && !this._outbox.length && !this._control.length) { this._setStatus("idle"); return; }
        this._scheduleReconnect();
      };
      ws.onerror = () => { /* a close event follows */ };
    }

    _disconnect() {
      this._gen++;
      this._ready = false;
      this._stopHeartbeat();
      clearTimeout(this._timers.reconnect);
      clearTimeout(this._timers.session);
      clearTimeout(this._timers.unknownConv);
      const ws = this._ws;
      this._ws = null;
      if (ws) { try { ws.close(1000, "bye"); } catch (_) { /* already closed */ } }
    }

    _scheduleReconnect(minDelay = 0) {
      clearTimeout(this._timers.reconnect);
      if (!this.isConnected) return;
      const exp = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this._attempt);
      const delay = Math.max(minDelay, exp / 2 + Math.random() * exp / 2);   // "equal jitter"
      this._attempt = Math.min(this._attempt + 1, 16);
      this._setStatus(navigator.onLine === false ? "offline" : "reconnecting");
      this._timers.reconnect = setTimeout(() => this._connect(), delay);
    }

    // Back online or back in view: don't wait for the backoff timer.
    _wake() {
      if (!this._ws && this._timers.reconnect && this._status !== "idle" && navigator.onLine !== false) {
        clearTimeout(this._timers.reconnect);
        this._connect();
      }
    }

    _startHeartbeat() {
      this._stopHeartbeat();
      this._timers.ping = setInterval(() => {
        if (!this._ws || this._ws.readyState !== WebSocket.OPEN) return;
        this._frame({ type: "ping" });
        clearTimeout(this._timers.pong);
        const ws = this._ws;
        this._timers.pong = setTimeout(() => { if (ws === this._ws) ws.close(4001, "no pong"); }, PONG_TIMEOUT_MS);
      }, PING_EVERY_MS);
    }

    _stopHeartbeat() {
      clearInterval(this._timers.ping);
      clearTimeout(this._timers.pong);
    }

    _frame(obj) {
      if (!this._ws || this._ws.readyState !== WebSocket.OPEN) return false;
      try { this._ws.send(JSON.stringify(obj)); return true; } catch (_) { return false; }
    }

    _sendHello() {
      const hello = { type: "hello", channel: this.channel };
      const identity = this.getAttribute("identity");
      if (identity) hello.identity = identity;
      const storeId = this.getAttribute("store-id");
      if (storeId) hello.store_id = storeId;
      if (this._conv) {
        hello.conversation_id = this._conv;
        // In-page reconnect: only what we have not seen. After a page load the transcript is
        // empty, so last_seq is 0 and the server replays the whole conversation.
        hello.last_seq = this._lastSeq;
      }
      this._frame(hello);
    }

    _transmit(clientId) {
      const p = this._pending.get(clientId);
      if (!p) return;
      if (this._frame({ type: "message", text: p.text, client_id: clientId })) this._setBubbleState(clientId, "pending");
      else this._setBubbleState(clientId, "queued");
    }

    _requestHuman(reason) {
      if (ACTIVE_HANDOFF.has(this._handoff)) return false;
      this._restartIfEnded();
      this._handoff = "requested";
      this._updateHumanButton();
      this._setBanner("requested", HANDOFF_TEXT.requested);
      this._hideWelcome();
      const frame = { type: "handoff_request" };
      const why = reason != null ? String(reason).trim() : (this.getAttribute("handoff-reason") || "").trim();
      if (why) frame.reason = why.slice(0, 200);
      if (this._ready) this._frame(frame); else { this._control.push(frame); this._connect(); }
      return true;
    }

    // After `closed` the socket still belongs to the finished conversation: the next message (or
    // request for a person) goes out on a new socket, whose hello carries no conversation_id.
    _restartIfEnded() {
      if (!this._ended || !this._ws) return;
      this._disconnect();
      this._setStatus("idle");
    }

    _onInputTypingIdle() {
      this._setShopperTyping(false);
    }

    // Typing frames only matter while a person owns the conversation (protocol: forwarded to
    // staff), so the widget sends them only then.
    _setShopperTyping(state) {
      clearTimeout(this._timers.shopperTyping);
      if (state) this._timers.shopperTyping = setTimeout(() => this._onInputTypingIdle(), TYPING_IDLE_MS);
      if (state === this._shopperTyping) return;
      this._shopperTyping = state;
      if (this._ready && this._handoff === "accepted") this._frame({ type: "typing", state });
    }

    // ------------------------------------------------------------ frames in

    _onRaw(data) {
      let f;
      try { f = JSON.parse(data); } catch (_) { console.warn("[concierge-chat] non-JSON frame ignored"); return; }
      if (!f || typeof f !== "object") return;
      clearTimeout(this._timers.pong);                 // any frame proves the socket alive
      this._stick = this._nearBottom();
      switch (f.type) {
        case "session": this._onSession(f); break;
        case "ack": this._onAck(f); break;
        case "message": this._onMessage(f); break;
        case "token": this._onToken(f); break;
        case "typing":   // our own typing comes back with role "shopper": not shown
          if (f.role === "staff" || (f.role === "assistant" && this._handoff !== "accepted")) this._showTyping(f.role, !!f.state);
          break;
        case "handoff": this._onHandoff(f); break;
        case "error": this._onError(f); break;
        case "pong": break;
        default: break;                                // forward compatible: ignore the unknown
      }
    }

    _onSession(f) {
      clearTimeout(this._timers.session);
      clearTimeout(this._timers.unknownConv);
      if (this._ended && !this._conv) this._archiveTranscript();
      if (this._conv && f.conversation_id !== this._conv) {
        // Not the conversation we asked for: start the transcript over, keep unsent messages.
        this._seqs.clear();
        this._emitted.clear();
        this._lastSeq = 0;
        this._seen = 0;
        for (const node of [...this.$msgs.children]) if (!this._isUnacked(node)) node.remove();
        this._clearChips();
        this._updateWelcome();
      }
      this._conv = f.conversation_id;
      this._replayUpTo = Number(f.last_seq) || 0;
      this._customer = f.customer || null;
      this._ready = true;
      this._attempt = 0;
      this._renderWelcome();
      this._setStatus("online");
      this._save();
      this._emit("concierge:session", f);
      for (const id of [...this._outbox]) {
        const p = this._pending.get(id);
        if (p && p.state !== "failed") this._transmit(id);
      }
      for (const frame of this._control.splice(0)) this._frame(frame);
    }

    _isUnacked(node) {
      const id = node.dataset.clientId;
      return !!(id && this._outbox.includes(id));
    }

    _onAck(f) {
      const p = this._pending.get(f.client_id);
      if (!p) return;
      const seq = Number(f.seq);
      this._outbox = this._outbox.filter((id) => id !== f.client_id);
      p.seq = seq;
      this._setBubbleState(f.client_id, "acked");
      if (!isNaN(seq)) {
        p.node.dataset.seq = String(seq);
        if (!this._seqs.has(seq)) {
          this._seqs.add(seq);
          this._insert(p.node, seq);
          this._emitMessage({ seq, role: "shopper", text: p.text, client_id: f.client_id }, false);
        } else {
          // A replayed copy of this message is already on screen: keep that one.
          const dup = this.$msgs.querySelector(`.msg[data-seq="${seq}"]:not([data-client-id="${CSS.escape(f.client_id)}"])`);
          if (dup) p.node.remove(); else this._insert(p.node, seq);
        }
      }
      this._save();
    }

    _onMessage(f) {
      const seq = f.seq == null ? NaN : Number(f.seq);
      const replayed = !!this._replaying(f);
      // A shopper message we sent from this page: it is the pending bubble, now persisted.
      if (f.role === "shopper" && f.client_id && this._pending.has(f.client_id)) {
        if (!isNaN(seq)) this._lastSeq = Math.max(this._lastSeq, seq);
        if (this._pending.get(f.client_id).state !== "acked") this._onAck({ client_id: f.client_id, seq: f.seq });
        this._save();
        return;
      }
      if (!isNaN(seq)) {
        if (this._seqs.has(seq)) return;              // de-duplicate by seq
        this._seqs.add(seq);
        this._lastSeq = Math.max(this._lastSeq, seq);
      }
      // Replace the streamed text of this reply.
      if (f.role === "assistant") {
        const key = f.reply_to != null ? Number(f.reply_to) : this._streams.keys().next().value;
        const s = key != null ? this._streams.get(key) : null;
        if (s) { s.remove(); this._streams.delete(key); }
      }
      if (f.role === "assistant" || f.role === "staff") this._showTyping(f.role, false);
      if (f.role === "system") {
        for (const n of this.$msgs.querySelectorAll(".msg[data-local]")) {
          if (n.querySelector(".bubble").textContent === String(f.text || "")) n.remove();
        }
      }
      const node = this._renderMessage(f);
      this._insert(node, isNaN(seq) ? Number.MAX_SAFE_INTEGER - 1 : seq);
      // Quick replies belong to the latest message only.
      if (this.$msgs.lastElementChild === node || this._isUnackedTail(node)) {
        if (f.role !== "shopper") this._setChips(f.quick_replies); else this._clearChips();
      }
      const fromOthers = f.role === "assistant" || f.role === "staff";
      if ((fromOthers || f.role === "system") && !replayed) {
        const who = f.role === "staff" ? (f.author || "Team member") : f.role === "system" ? "Notice" : (this.getAttribute("title") || "Concierge");
        this._announce(`${who}: ${f.text || ""}${this._cardSummary(f.cards)}`);
      }
      if (fromOthers && !isNaN(seq) && seq > this._seen) {
        if (this._isOpen() && document.visibilityState !== "hidden") this._seen = seq;
        else { this._unread++; this._updateBadge(); }
      }
      if (!isNaN(seq)) this._emitMessage(f, replayed);
      this._save();
      this._scrollToEnd();
    }

    _isUnackedTail(node) {
      for (let n = node.nextElementSibling; n; n = n.nextElementSibling) if (!this._isUnacked(n)) return false;
      return true;
    }

    // A replayed message: at or below the conversation's last seq as the session frame reported
    // it (history being restored, not news: it is shown but not announced).
    _replaying(f) {
      return f.seq != null && Number(f.seq) <= this._replayUpTo;
    }

    _emitMessage(f, replayed) {
      if (f.seq != null && this._emitted.has(Number(f.seq))) return;
      if (f.seq != null) this._emitted.add(Number(f.seq));
      this._emit("concierge:message", Object.assign({}, f, { replayed }));
    }

    _onToken(f) {
      if (this._handoff === "accepted") return;        // a person has the conversation: the bot stopped
      const key = f.reply_to != null ? Number(f.reply_to) : -1;
      // The final message for this reply already arrived: late tokens are ignored.
      if (key >= 0 && this.$msgs.querySelector(`.msg[data-role="assistant"][data-reply-to="${key}"]:not([data-streaming])`)) return;
      let node = this._streams.get(key);
      if (!node) {
        this._showTyping(null, false);
        this._clearChips();
        const label = this.getAttribute("title") || "Concierge";
        node = el("div", { class: "msg", "data-role": "assistant", "data-streaming": "", "aria-busy": "true" },
          el("div", { class: "who", "aria-hidden": "true" }, el("span", { text: label }), el("span", { class: "ai-tag", text: "AI" })),
          el("span", { class: "sr-only", text: `${label} (AI assistant) is replying:` }),
          el("div", { class: "bubble" }));
        this._streams.set(key, node);
        this._insert(node, key >= 0 ? key + 0.5 : Number.MAX_SAFE_INTEGER - 2);
      }
      node.querySelector(".bubble").append(String(f.text || ""));
      this._scrollToEnd();
    }

    _dropStreams() {
      for (const node of this._streams.values()) node.remove();
      this._streams.clear();
      this._updateGrouping();
    }

    // The banner shows where the conversation stands; the frame's text goes into the transcript
    // as a notice, unless the server also stored it as a system message (then that one shows).
    //
    // `queued` frames (sent again as the queue moves) update the banner and the live region
    // only; while queued, the banner offers "Back to the assistant" (handoff_cancel).
    // `accepted`: a person has the conversation and the bot stops, so half-streamed assistant
    // text is dropped. `closed`: the conversation is over; it is forgotten in storage and the
    // next message starts a new one.
    _onHandoff(f) {
      const status = String(f.status || "");
      this._handoff = status;
      if (status === "accepted") {
        this._staffName = typeof f.staff === "string" ? f.staff.trim() : "";
        this._dropStreams();
        this._showTyping(null, false);
      } else if (!ACTIVE_HANDOFF.has(status)) {
        this._staffName = "";
      }
      if (status !== "queued") this._queueText = "";
      this.$cancelHandoff.removeAttribute("aria-disabled");
      this.$cancelHandoff.textContent = "Back to the assistant";
      this._updateHumanButton();
      this._updateHint();
      const label = status === "accepted" && this._staffName
        ? `${this._staffName} from our team has joined the conversation.` : HANDOFF_TEXT[status];
      const text = f.text ? String(f.text) : "";
      if (status === "queued") {
        const queueText = text || this._queueLine(f);
        this._setBanner(status, queueText);
        if (queueText !== this._queueText) { this._queueText = queueText; this._announce(queueText); }
        if (this._ready) this._setStatus("online");
        this._emit("concierge:handoff", f);
        return;
      }
      if (label) this._setBanner(status, label);
      if (status === "closed") this._endConversation();
      if (text && !this._recentSystemText(text)) {
        const node = this._renderMessage({ role: "system", text });
        node.dataset.local = "";
        this._insert(node, this._lastSeq + 0.25);
        this._announce(text);
        this._scrollToEnd();
      } else if (!text && label) this._announce(label);
      if (this._ready) this._setStatus("online");
      this._emit("concierge:handoff", f);
    }

    // The queue line when the server sent no text of its own.
    _queueLine(f) {
      const parts = [];
      const pos = Number(f.position);
      if (f.available === false) parts.push("No one from our team is available right now.");
      if (pos === 1) parts.push("You're next in the queue.");
      else if (pos > 1) parts.push(`You're number ${pos} in the queue.`);
      else parts.push("You're in the queue.");
      const wait = Number(f.estimated_wait_s);
      if (f.estimated_wait_s != null && !isNaN(wait)) {
        const min = Math.round(wait / 60);
        parts.push(wait < 60 ? "Expected wait: under a minute." : `Expected wait: about ${min} ${min === 1 ? "minute" : "minutes"}.`);
      }
      return parts.join(" ");
    }

    // `closed`: forget the conversation in storage (a reload or the next message starts a new
    // one); the transcript stays on screen until then.
    _endConversation() {
      this._ended = true;
      this._conv = null;
      this._dropStreams();
      this._save();
    }

    // A new conversation after a closed one: the old transcript stays above a divider, out of the
    // seq bookkeeping (seqs start over in the new conversation).
    _archiveTranscript() {
      this._ended = false;
      this._seqs.clear();
      this._emitted.clear();
      this._lastSeq = 0;
      this._seen = 0;
      this._clearChips();
      const old = [...this.$msgs.children].filter((n) => !this._isUnacked(n));
      if (!old.length) return;
      for (const n of old) {
        n.dataset.order = "-1";
        n.dataset.archived = "";
        n.removeAttribute("data-seq");
        n.removeAttribute("data-reply-to");
      }
      for (const id of [...this._pending.keys()]) if (!this._outbox.includes(id)) this._pending.delete(id);
      const divider = this._renderMessage({ role: "system", text: "New conversation" });
      divider.dataset.local = "";
      divider.dataset.archived = "";
      this._insert(divider, -1);
    }

    _recentSystemText(text) {
      const kids = [...this.$msgs.children].slice(-4);
      return kids.some((n) => n.dataset.role === "system" && n.querySelector(".bubble").textContent === text);
    }

    _onError(f) {
      const code = String(f.code || "internal");
      this._emit("concierge:error", f);
      if (code === "unknown_conversation") {
        // The server no longer knows our conversation: forget it, keep unsent messages and ask
        // for a new one unless the server already opened one (its session frame comes next).
        this._conv = null;
        this._lastSeq = 0;
        this._seqs.clear();
        this._emitted.clear();
        for (const node of [...this.$msgs.children]) if (!this._isUnacked(node)) node.remove();
        this._updateWelcome();
        this._save();
        const gen = this._gen;
        clearTimeout(this._timers.unknownConv);
        this._timers.unknownConv = setTimeout(() => { if (gen === this._gen && !this._ready) this._sendHello(); }, 1000);
        return;
      }
      if (f.client_id && this._pending.has(f.client_id)) {
        const p = this._pending.get(f.client_id);
        this._outbox = this._outbox.filter((id) => id !== f.client_id);
        p.reason = code === "too_large" ? "Too long to send" : code === "rate_limited" ? "Not sent, too fast" : "Not sent";
        p.retryable = code !== "too_large";
        this._setBubbleState(f.client_id, "failed");
        this._save();
      }
      if (code === "bad_json" || code === "bad_frame" || code === "unknown_type") {
        console.warn("[concierge-chat] server rejected a frame:", f);
      }
      if (code === "too_many_connections") {
        this._attempt = Math.max(this._attempt, 5);       // back off harder; the server closes next
      }
      this._notice(ERROR_TEXT[code] || (f.message ? String(f.message) : ERROR_TEXT.internal));
    }

    _emit(name, detail) {
      this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
    }
  }

  customElements.define(TAG, ConciergeChat);
})();
