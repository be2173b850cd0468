// The quote site: mounts the Premia quote app into #premia-app.
//   ?lang=en          start in English (the switch is remembered in localStorage either way)
//   ?date=YYYY-MM-DD  quote as of another date (tests; the server re-prices any other date than its today)
// The quote date is the server's today (`/api/catalogue`: the insurer's date), never the browser's: a
// visitor abroad, or a tab left open past midnight in China, quotes on the insurer's day. Served without
// the server, the page reads today at the insurer's offset (+08:00) from the browser's clock.
// "Submit" POSTs the application ({quote, resident_id}) to /api/quotes on this origin; with no server
// there, the payload is shown. "Buy online" loads the buying module (buy/mount.js, its own wasm) only
// then, below the quote; a purchase submitted in this tab is followed again after a reload or the return
// from a provider's cashier.
import init, { mount } from "./pkg/premia.js";

const params = new URLSearchParams(location.search);
const target = document.getElementById("premia-app");

/** The server's today and zone, or nothing when no server answers (a static copy of the site). */
async function insurersDay() {
  try {
    const response = await fetch(new URL("/api/catalogue", location.href));
    if (!response.ok) return {};
    const { today, utc_offset: utcOffset } = await response.json();
    return { today, utcOffset };
  } catch {
    return {};
  }
}

try {
  const [, day] = await Promise.all([init({ module_or_path: new URL("./pkg/premia_bg.wasm", import.meta.url) }), insurersDay()]);
  target.replaceChildren();
  const app = mount(target, {
    rememberLang: true,
    quoteDate: params.get("date") ?? day.today ?? undefined,
    utcOffset: day.utcOffset ?? undefined,
    endpoint: new URL("/api/quotes", location.href).href,
    // What was typed survives a reload or Back in this tab (never the resident ID number).
    persistKey: "premia.quote",
    buy: true,
  });
  const buy = (application) =>
    import("./buy/mount.js").then(({ buy }) =>
      buy(document.getElementById("main"), { application, endpoint: new URL("/api/quotes", location.href).href, host: target, persistKey: "premia.quote" }));
  target.addEventListener("premia-buy", (e) => buy(e.detail));
  if (sessionStorage.getItem("premia.quote:buy")?.includes('"token"')) buy();
  if (params.get("lang")) app.setLang(params.get("lang"));
  target.removeAttribute("aria-busy");
  // Print with the rating worksheet open.
  addEventListener("beforeprint", () => target.querySelectorAll("details").forEach((d) => (d.open = true)));
  globalThis.premiaApp = app;
} catch (error) {
  const message = error?.errors?.map((e) => `${e.field}: ${e.message.zh} / ${e.message.en}`).join("\n") ?? String(error);
  target.textContent = `报价工具无法加载 / The quote tool could not load: ${message}`;
  target.setAttribute("role", "alert");
}
