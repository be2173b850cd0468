// The widget demo's host page script (a stand-in for the CRM's own): logs the widgets' events and fills
// them in. In a file, not inline: the site's Content-Security-Policy allows no inline script.
// A real CRM also sets each widget's agent token from its own script (never in the markup):
//   document.getElementById("first").agentToken = tokenFromTheCrmBackEnd;
const log = document.getElementById("log");
const write = (line) => { log.textContent = `${line}\n${log.textContent}`.slice(0, 4000); };
for (const el of document.querySelectorAll("premia-quote")) {
  el.addEventListener("premia-quote-change", (e) => {
    const q = e.detail.quote;
    write(`${el.id} premia-quote-change ${q ? `annual ${q.totals.annual_premium}` : `${e.detail.errors.length} error(s)`}`);
  });
  el.addEventListener("premia-submit", (e) => write(`${el.id} premia-submit digest ${e.detail.quote.digest.slice(0, 12)}`));
  el.addEventListener("premia-error", (e) => write(`${el.id} premia-error ${e.detail.message}`));
  for (const name of ["premia-buy", "premia-paid", "premia-issued", "premia-cancelled"]) {
    el.addEventListener(name, (e) => write(`${el.id} ${name} ${e.detail?.status ?? ""}`));
  }
}
const customer = { birth_date: "1996-05-01", sex: "female", occupation_class: 1, social_insurance: true, region: "310000" };
document.getElementById("fill-first").onclick = () => { document.getElementById("first").customer = customer; };
document.getElementById("fill-second").onclick = () => document.getElementById("second").prefill({ insured: customer });
