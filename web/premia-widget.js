// <premia-quote>: the Premia quote widget for agents' CRMs.
//
//   <script type="module" src="https://quotes.example.com/premia-widget.js"></script>
//   <premia-quote lang="zh-CN" channel="agent" agent-code="A123" products="CI,MED"></premia-quote>
//
// Attributes (read when the element is connected; `lang` also live):
//   lang         "zh-CN" (default) or "en"
//   channel      "direct" (default) or "agent"
//   agent-code   the agent's code (with channel="agent"), 2-16 upper-case letters and digits
//   products     comma-separated product codes to offer, e.g. "CI,MED" (default: every product)
//   quote-date   the quote date, YYYY-MM-DD (default: today in the insurer's zone, whatever the browser's)
//   utc-offset   the insurer's UTC offset that "today" is read in (default +08:00)
//   endpoint     URL "submit" POSTs the application to, {quote, resident_id} (default: none; the payload is shown)
//   buy          offer "buy online": the buying module (buy/mount.js, loaded only then) below the quote
//   persist-key  keep the form in this tab's sessionStorage under this key, so a reload or Back restores it
//                (e.g. the CRM's id for the customer; never the resident ID number); absent: nothing is kept
// Methods and properties:
//   el.prefill({ insured: {...}, coverages: [...] })   fill in what the CRM knows (request spelling); throws a
//                                                      PremiaError naming what it cannot take (e.g. a product
//                                                      this widget does not offer)
//   el.customer = { birth_date, sex, smoker, occupation_class, social_insurance, region }
//   el.agentToken = "pat_…"                            the agent's token, sent as Authorization with the
//                                                      submission (by script only: never an attribute)
//   el.current                                         { quote, errors } as last shown
//   el.ready                                           a Promise that settles once the app is mounted
// Events (bubble, composed):
//   premia-quote-change  detail: { quote: Quote | null, errors: [{code, field, message:{zh,en}}] }
//   premia-submit        detail: { quote, resident_id }, the application, when the person submits (a quote
//                        priced without the resident ID number asks for it first and emits nothing)
//   premia-submitted     detail: the server's 201 answer { application, status, token, ... }
//   premia-refused       detail: { status, errors: [{code, field, message:{zh,en}}] }, the server's refusal
//   premia-requote       detail: the server's 409 answer { errors, requote: { reason, fresh, stamp } }
//   premia-error         detail: { message }, when the widget cannot start (bad attribute, no network)
//   premia-buy           detail: { quote, resident_id }, "buy online" (with `buy`); then, from the buying
//                        module: premia-submitted / premia-refused, premia-paid, premia-issued,
//                        premia-cancelled (detail: the purchase status JSON); see web/README.md
// Theming: CSS custom properties --premia-primary, --premia-accent, --premia-font, --premia-radius, ...
// (see premia.css). The app renders in a shadow root: the page's CSS cannot reach it, nor it the page.
//
// The WebAssembly module and the stylesheet load once per page, however many widgets it has. Nothing
// here needs special headers (no SharedArrayBuffer, no COOP/COEP); served from another origin, the
// files need CORS (Access-Control-Allow-Origin), as any cross-origin module script does.

const base = new URL("./", import.meta.url);

// The three downloads (module, its glue, the stylesheet) start together as soon as this script runs,
// once per page however many widgets it has. (A static import of the glue would hold the module's
// download back until the glue had arrived.)
const wasm = fetch(new URL("pkg/premia_bg.wasm", base));
const ready = Promise.all([
  import(new URL("pkg/premia.js", base).href).then(async (api) => {
    await api.default({ module_or_path: wasm });
    return api;
  }),
  fetch(new URL("premia.css", base)).then(async (response) => {
    if (!response.ok) throw new Error(`premia.css: HTTP ${response.status}`);
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(await response.text());
    return sheet;
  }),
]);
// A failure is reported by each widget (premia-error); keep it from also being "unhandled".
ready.catch(() => {});

class PremiaQuote extends HTMLElement {
  static observedAttributes = ["lang"];

  #app = null;
  #pending = [];
  #agentToken = null;
  #ready;
  #settle;

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this.#ready = new Promise((resolve, reject) => (this.#settle = { resolve, reject }));
    // Rejections are reported through the `premia-error` event; `ready` is for those who await it.
    this.#ready.catch(() => {});
  }

  get ready() {
    return this.#ready;
  }

  connectedCallback() {
    // A `customer` set before this element was upgraded is an own property hiding the setter: replay it.
    for (const name of ["customer", "agentToken"]) {
      if (Object.hasOwn(this, name)) {
        const value = this[name];
        delete this[name];
        this[name] = value;
      }
    }
    if (this.#app) return;
    const root = document.createElement("div");
    root.className = "premia-mount";
    this.shadowRoot.replaceChildren(root);
    ready
      .then(([api, sheet]) => {
        if (!this.isConnected || this.#app) return;
        this.shadowRoot.adoptedStyleSheets = [sheet];
        this.#app = api.mount(root, this.#options());
        this.#app.setAgentToken(this.#agentToken);
        // A prefill given before the widget started and refused is reported; the widget still starts.
        for (const data of this.#pending.splice(0)) {
          try {
            this.#app.prefill(data);
          } catch (error) {
            this.#report(error);
          }
        }
        if (this.hasAttribute("buy")) {
          this.addEventListener("premia-buy", (e) => this.#buy(e.detail));
          // A purchase submitted before a reload (or the provider's cashier) is followed again.
          if (sessionStorage.getItem(`${this.#options().persistKey}:buy`)?.includes('"token"')) this.#buy();
        }
        this.#settle.resolve(this);
      })
      .catch((error) => this.#fail(error));
  }

  disconnectedCallback() {
    this.#app?.destroy();
    this.#app = null;
  }

  attributeChangedCallback(name, _old, value) {
    if (name === "lang" && this.#app && value) this.#app.setLang(value);
  }

  /** Fill in what is already known, in the quote request's spelling. */
  prefill(data) {
    if (this.#app) this.#app.prefill(data);
    else this.#pending.push(data);
  }

  set customer(insured) {
    this.prefill({ insured });
  }

  /**
   * The agent's bearer token (`premia-server agent issue`). Set it from the CRM's script; it is kept in
   * this element's private state, sent only as `Authorization` with a submission, and never reflected to
   * an attribute (markup travels: into the DOM, copies of the page, error reports). Reading it back gives
   * whether one is set, not the token.
   */
  set agentToken(token) {
    this.#agentToken = typeof token === "string" && token.trim() ? token.trim() : null;
    this.#app?.setAgentToken(this.#agentToken);
  }

  get agentToken() {
    return this.#agentToken !== null;
  }

  get current() {
    return this.#app ? this.#app.current() : { quote: null, errors: [] };
  }

  #options() {
    const attr = (name) => this.getAttribute(name) ?? undefined;
    return {
      host: this,
      lang: attr("lang"),
      channel: attr("channel"),
      agentCode: attr("agent-code"),
      products: attr("products"),
      quoteDate: attr("quote-date"),
      utcOffset: attr("utc-offset"),
      endpoint: attr("endpoint"),
      buy: this.hasAttribute("buy"),
      persistKey: this.hasAttribute("persist-key") ? `premia-quote:${this.getAttribute("persist-key")}` : undefined,
    };
  }

  #buy(application) {
    import(new URL("buy/mount.js", base).href).then((m) => m.buy(this.shadowRoot, { ...this.#options(), application }));
  }

  #report(error) {
    const message = error?.errors?.map((e) => `${e.field}: ${e.message.en} / ${e.message.zh}`).join("\n") ?? String(error);
    this.dispatchEvent(new CustomEvent("premia-error", { detail: { message }, bubbles: true, composed: true }));
    return message;
  }

  #fail(error) {
    const message = this.#report(error);
    const box = document.createElement("p");
    box.setAttribute("role", "alert");
    box.style.cssText = "font: 14px/1.5 system-ui, sans-serif; color: #b42318; padding: 12px; border: 1px solid #b42318;";
    box.textContent = `报价组件无法启动 / The quote widget could not start: ${message}`;
    this.shadowRoot.replaceChildren(box);
    this.#settle.reject(error);
  }
}

if (!customElements.get("premia-quote")) customElements.define("premia-quote", PremiaQuote);

export { PremiaQuote };
