// Concierge Demo Store: product tiles and the DEMO-ONLY sign-in picker.
//
// The picker stands in for a retailer's own login: it asks the server (demo mode only) for an
// identity JWT for a sample customer and hands it to the widget through its `identity`
// attribute. A real store issues that JWT from its own backend for the signed-in shopper.

const STORE_KEY = "concierge-demo:signin";        // {customer_id, name, token}
const chat = document.querySelector("concierge-chat");

// ---------------------------------------------------------------- sign-in (demo only)

function loadSignin() {
  try { return JSON.parse(sessionStorage.getItem(STORE_KEY) || "null"); } catch { return null; }
}

function tokenExpiresAt(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part.padEnd(Math.ceil(part.length / 4) * 4, "="))).exp * 1000;
  } catch { return 0; }
}

// Synchronously, before the widget script runs (this module comes first in the page): a reload
// keeps the shopper signed in, so the widget resumes the same conversation.
let signin = loadSignin();
if (signin && signin.token && tokenExpiresAt(signin.token) > Date.now() + 60_000) {
  chat.setAttribute("identity", signin.token);
} else if (signin) {
  // Expired: fetch a fresh token for the same customer (same `sub`, so the conversation continues).
  requestToken(signin.customer_id).then((token) => {
    signin = { ...signin, token };
    sessionStorage.setItem(STORE_KEY, JSON.stringify(signin));
    chat.setAttribute("identity", token);
  }).catch(() => signOut());
}

const $ = (id) => document.getElementById(id);
const form = $("demo-signin");
const select = $("demo-customer");
const status = $("demo-status");

// Successes are announced (live region) but not shown; problems are shown too.
function say(text, isError = false) {
  status.textContent = text;
  status.classList.toggle("is-error", isError);
}

async function requestToken(customerId) {
  const res = await fetch("/demo/identity", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ customer_id: customerId }),
  });
  if (!res.ok) throw new Error(`identity: HTTP ${res.status}`);
  const body = await res.json();
  if (!body.token) throw new Error("identity: no token");
  return body.token;
}

function render() {
  const signedIn = !!(signin && signin.token);
  form.hidden = signedIn;
  $("demo-signed").hidden = !signedIn;
  $("demo-name").textContent = signedIn ? signin.name : "";
  $("account").textContent = signedIn ? `Hi, ${signin.name.split(" ")[0]}` : "Guest";
  if (signedIn) select.value = signin.customer_id;
}

async function loadCustomers() {
  try {
    const res = await fetch("/demo/customers");
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const customers = await res.json();
    select.replaceChildren(new Option("Choose a sample customer", ""));
    for (const c of customers) select.append(new Option(`${c.name} (${c.customer_id})`, c.customer_id));
    select.disabled = false;
  } catch (err) {
    select.replaceChildren(new Option("Demo customers unavailable", ""));
    select.disabled = true;
    say("The demo sign-in needs the server's demo mode.", true);
    console.warn("demo customers:", err);
  }
  render();
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const id = select.value;
  if (!id) { select.focus(); return; }
  const name = select.selectedOptions[0].textContent.replace(/\s*\(.*\)$/, "");
  say("Signing in…");
  try {
    const token = await requestToken(id);
    signin = { customer_id: id, name, token };
    sessionStorage.setItem(STORE_KEY, JSON.stringify(signin));
    chat.setAttribute("identity", token);          // the widget starts a signed-in conversation
    say(`Signed in as ${name}. The chat now knows who you are.`);
    render();
    $("demo-signout").focus();
  } catch (err) {
    say("Sign-in failed. Is the server in demo mode?", true);
    console.warn(err);
  }
});

function signOut() {
  signin = null;
  sessionStorage.removeItem(STORE_KEY);
  chat.removeAttribute("identity");               // back to an anonymous conversation
  say("Signed out. The chat starts over as a guest.");
  render();
}

$("demo-signout").addEventListener("click", () => { signOut(); select.focus(); });
form.hidden = false;
render();
loadCustomers();

// ---------------------------------------------------------------- product tiles

// From the τ²-bench retail catalog (tools/data/tau2_retail/db.json): prices span the variants.
const PRODUCTS = [
  { name: "Mechanical Keyboard", id: "1656367028", variants: 20, inStock: 13, from: 226.11, to: 272.33,
    note: "Clicky, linear or tactile switches", tint: "#e9eef6", art: "keyboard" },
  { name: "Espresso Machine", id: "4354588079", variants: 17, inStock: 12, from: 2709.83, to: 3289.46,
    note: "Automatic, capsule or manual", tint: "#f3ece4", art: "espresso" },
  { name: "Hiking Boots", id: "7363354090", variants: 19, inStock: 9, from: 231.43, to: 260.56,
    note: "Leather or synthetic, waterproof options", tint: "#ecefe6", art: "boots" },
  { name: "Wireless Earbuds", id: "9924732112", variants: 12, inStock: 7, from: 226.49, to: 267.9,
    note: "Up to 8 hours of battery, IPX7", tint: "#eeeaf4", art: "earbuds" },
  { name: "Backpack", id: "2524789262", variants: 14, inStock: 10, from: 186.78, to: 219.43,
    note: "Nylon, leather or polyester; laptop sleeve", tint: "#f5ebe8", art: "backpack" },
  { name: "Electric Kettle", id: "1075968781", variants: 16, inStock: 11, from: 137.17, to: 164.46,
    note: "Glass, plastic or stainless steel", tint: "#e6f0ef", art: "kettle" },
];

const ART = {
  keyboard: `<rect x="10" y="30" width="100" height="38" rx="7" fill="#2f3b52"/>
    <rect x="14" y="34" width="92" height="30" rx="4" fill="#3d4a63"/>
    ${[0, 1, 2].map((r) => Array.from({ length: 10 - (r === 2 ? 2 : 0) }, (_, i) =>
      `<rect x="${17 + i * 9 + (r === 2 ? 9 : 0)}" y="${37 + r * 8.5}" width="7" height="6.5" rx="1.5" fill="${(r + i) % 7 === 3 ? "#f2b84b" : "#e8ecf3"}"/>`).join("")).join("")}
    <rect x="35" y="62" width="50" height="0" rx="1.5" fill="#e8ecf3"/>`,
  espresso: `<rect x="30" y="12" width="60" height="16" rx="4" fill="#3b3a3f"/>
    <rect x="34" y="28" width="52" height="44" rx="3" fill="#c9ccd2"/>
    <rect x="52" y="32" width="16" height="9" rx="2" fill="#3b3a3f"/>
    <rect x="44" y="41" width="32" height="5" rx="2.5" fill="#3b3a3f"/>
    <path d="M52 56h16v8a5 5 0 0 1-5 5h-6a5 5 0 0 1-5-5z" fill="#fff"/>
    <path d="M68 58h3a3 3 0 0 1 0 6h-3" fill="none" stroke="#fff" stroke-width="2"/>
    <rect x="26" y="72" width="68" height="6" rx="3" fill="#3b3a3f"/>
    <circle cx="80" cy="20" r="3" fill="#d9822b"/>`,
  boots: `<path d="M33 12h22v30c0 3 2 5 6 6l18 5c7 2 10 6 10 11v4H33z" fill="#8a5a35"/>
    <path d="M33 68h56v6a3 3 0 0 1-3 3H36a3 3 0 0 1-3-3z" fill="#3b2b20"/>
    <path d="M55 20h-8M55 27h-8M55 34h-8M57 41h-8" stroke="#f2d9a8" stroke-width="2.5" stroke-linecap="round"/>
    <rect x="31" y="9" width="26" height="6" rx="3" fill="#6e4528"/>`,
  earbuds: `<rect x="30" y="36" width="60" height="38" rx="19" fill="#f7f7fa" stroke="#c9c6d6" stroke-width="2"/>
    <path d="M30 52h60" stroke="#c9c6d6" stroke-width="2"/>
    <circle cx="60" cy="62" r="2" fill="#7c6bb0"/>
    <g fill="#2f2a44"><circle cx="44" cy="26" r="9"/><rect x="41" y="26" width="6" height="20" rx="3"/>
    <circle cx="76" cy="26" r="9"/><rect x="73" y="26" width="6" height="20" rx="3"/></g>
    <circle cx="44" cy="26" r="3.5" fill="#7c6bb0"/><circle cx="76" cy="26" r="3.5" fill="#7c6bb0"/>`,
  backpack: `<path d="M48 14a12 12 0 0 1 24 0v4h-5v-4a7 7 0 0 0-14 0v4h-5z" fill="#7d3b2e"/>
    <rect x="36" y="18" width="48" height="60" rx="14" fill="#b85a44"/>
    <rect x="44" y="48" width="32" height="22" rx="6" fill="#9c4a37"/>
    <path d="M44 56h32" stroke="#7d3b2e" stroke-width="2"/>
    <rect x="57" y="52" width="6" height="3" rx="1.5" fill="#f2d9a8"/>
    <path d="M46 26h28" stroke="#9c4a37" stroke-width="3" stroke-linecap="round"/>`,
  kettle: `<path d="M40 28h40l5 42H35z" fill="#d7e4e2" stroke="#2f5d59" stroke-width="2.5" stroke-linejoin="round"/>
    <path d="M45 40h30l3 26H42z" fill="#9cc7c1" opacity=".7"/>
    <path d="M80 34c10 0 14 6 14 14s-4 14-11 16" fill="none" stroke="#2f5d59" stroke-width="5" stroke-linecap="round"/>
    <path d="M40 34l-12-8" stroke="#2f5d59" stroke-width="5" stroke-linecap="round"/>
    <rect x="50" y="20" width="20" height="8" rx="3" fill="#2f5d59"/>
    <rect x="30" y="70" width="60" height="8" rx="4" fill="#2f5d59"/>`,
};

const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const grid = document.getElementById("grid");
for (const p of PRODUCTS) {
  const li = document.createElement("li");
  li.className = "tile";
  li.innerHTML = `
    <div class="tile-art" style="--tint:${p.tint}">
      <svg viewBox="0 0 120 90" role="img" aria-label="${p.name}">${ART[p.art]}</svg>
      <span class="tile-stock">${p.inStock} of ${p.variants} options in stock</span>
    </div>
    <div class="tile-body">
      <h3>${p.name}</h3>
      <p class="tile-note">${p.note}</p>
      <p class="tile-price"><span class="from">from</span> ${money.format(p.from)}</p>
    </div>
    <div class="tile-actions">
      <button type="button" class="btn btn-small btn-dark">Add to cart</button>
      <button type="button" class="btn btn-small btn-outline ask">Ask about this</button>
    </div>`;
  li.querySelector(".ask").addEventListener("click", () => {
    chat.open();
    chat.send(`Which ${p.name} options are in stock?`);
  });
  li.querySelector(".btn-dark").addEventListener("click", (e) => {
    e.currentTarget.textContent = "Demo store: no checkout";
  });
  grid.append(li);
}

document.getElementById("hero-ask").addEventListener("click", () => chat.open());
