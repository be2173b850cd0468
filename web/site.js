// The quote site: mounts the Premia quote app into #premia-app.
//   ?lang=en          start in English (the switch is remembered in localStorage either way)
//   ?date=YYYY-MM-DD  quote as of another date (tests, agents preparing a future quote)
// "Submit" POSTs the application ({quote, resident_id}) to /api/quotes on this origin; with no server
// there, the payload is shown.
import init, { mount } from "./pkg/premia.js";

const params = new URLSearchParams(location.search);
const target = document.getElementById("premia-app");

try {
  await init({ module_or_path: new URL("./pkg/premia_bg.wasm", import.meta.url) });
  target.replaceChildren();
  const app = mount(target, {
    rememberLang: true,
    quoteDate: params.get("date") ?? undefined,
    endpoint: new URL("/api/quotes", location.href).href,
    // What was typed survives a reload or Back in this tab (never the resident ID number).
    persistKey: "premia.quote",
  });
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
