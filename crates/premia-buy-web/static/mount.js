// The buying module's entry (scripts/buy-build.sh puts it at buy/mount.js beside the site): the quote
// site (site.js) and the widget (premia-widget.js) import it only when a person chooses to buy, or to
// follow a purchase kept in this tab, so nothing of it is in what they download first.
//
//   const { buy } = await import(new URL("buy/mount.js", base));
//   buy(parent, { application, endpoint, host, lang, persistKey, returnUrl });
//
// `parent` gets one `.premia-buy-mount` element (made on first use); a later call replaces the app in it
// (the person priced again and chose to buy again). What is typed is kept under `${persistKey}:buy`. `application` is the quote app's `premia-buy`
// detail ({quote, resident_id}), handed over in memory; without it only a purchase kept under
// `persistKey` is followed. The app's events (premia-submitted, premia-refused, premia-paid,
// premia-issued, premia-cancelled) are dispatched on `host`. The app follows the quote app's language.
import init, { mount } from "./premia_buy.js";

let ready;
const apps = new WeakMap();

export async function buy(parent, options) {
  ready ??= init({ module_or_path: new URL("premia_buy_bg.wasm", import.meta.url) });
  await ready;
  // A child of `parent` (a shadow root has no `:scope`).
  let box = [...parent.children].find((child) => child.classList.contains("premia-buy-mount"));
  if (!box) {
    box = document.createElement("div");
    box.className = "premia-buy-mount";
    parent.append(box);
  }
  // Its stylesheet, once per page or shadow root (a file: the site's CSP allows no inline style).
  if (![...parent.children].some((child) => child.classList?.contains("premia-buy-style"))) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.className = "premia-buy-style";
    link.href = new URL("buy.css", import.meta.url).href;
    parent.append(link);
  }
  apps.get(box)?.destroy();
  const application = typeof options.application === "string" || options.application == null
    ? options.application : JSON.stringify(options.application);
  // Kept beside the quote app's own key, never over it.
  const persistKey = options.persistKey ? `${options.persistKey}:buy` : undefined;
  // The quote app's language (its element's `lang`), at first and whenever its switch changes it.
  const quoteLang = () =>
    [...parent.querySelectorAll(".premia")].find((element) => !element.classList.contains("premia-buy"))?.lang;
  let lang = quoteLang() ?? options.lang;
  const app = mount(box, { ...options, application, persistKey, lang });
  apps.get(parent)?.disconnect();
  const following = new MutationObserver(() => {
    const now = quoteLang();
    if (now && now !== lang) app.setLang((lang = now));
  });
  following.observe(parent, { attributes: true, subtree: true, attributeFilter: ["lang"] });
  apps.set(parent, following);
  apps.set(box, app);
  box.scrollIntoView?.({ block: "start" });
  box.querySelector("h2")?.focus();
  return app;
}
