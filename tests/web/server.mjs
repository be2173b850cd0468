// A small static file server for the web tests, the bench and `scripts/web-serve.sh`: serves a folder
// on 127.0.0.1 (ephemeral port by default) with the right content types, optional CORS (to serve the
// widget to a page of another origin), and an optional mock submission endpoint.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".ts": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
};

/**
 * Serve `root`. Options:
 *   port            default 0 (ephemeral)
 *   cors            send Access-Control-Allow-Origin: * (widget files used from another origin)
 *   extra           { "/path": "html text" } pages served from memory (test host pages)
 *   acceptQuotesAt  a path where POSTed applications ({ quote, resident_id }) are accepted (201, as the
 *                   premia server answers) and recorded in `received` ({ body, quote, residentId,
 *                   idempotencyKey }); anything else (a bare quote) is refused with 422 as the server does
 * Resolves to { url, port, received, close() }.
 */
export async function serve(root, { port = 0, cors = false, extra = {}, acceptQuotesAt } = {}) {
  const base = resolve(root);
  const received = [];
  const server = createServer(async (req, res) => {
    const headers = cors
      ? { "access-control-allow-origin": "*", "access-control-allow-headers": "content-type, idempotency-key" }
      : {};
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (req.method === "OPTIONS") {
      res.writeHead(204, { ...headers, "access-control-allow-methods": "GET, POST" });
      return res.end();
    }
    if (acceptQuotesAt && path === acceptQuotesAt && req.method === "POST") {
      let body = "";
      for await (const chunk of req) body += chunk;
      const submitted = JSON.parse(body);
      if (typeof submitted.quote !== "object" || typeof submitted.resident_id !== "string") {
        // As the premia server refuses a submission without the number (a bare quote included).
        res.writeHead(422, { ...headers, "content-type": "application/json" });
        const message = { zh: "投保须提供被保险人的身份证号码", en: "an application needs the insured's resident ID number" };
        return res.end(JSON.stringify({ errors: [{ code: "required", field: "resident_id", message }] }));
      }
      const { quote, resident_id: residentId } = submitted;
      received.push({ body, quote, residentId, idempotencyKey: req.headers["idempotency-key"] });
      // The premia server's answer shape (crates/premia-server, POST /api/quotes).
      res.writeHead(201, { ...headers, "content-type": "application/json" });
      const application = `P20261125${String(received.length).padStart(6, "0")}`;
      return res.end(JSON.stringify({ application, status: "accepted", digest: received.at(-1).quote.digest }));
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(404, headers);
      return res.end();
    }
    if (extra[path]) {
      res.writeHead(200, { ...headers, "content-type": TYPES[".html"] });
      return res.end(extra[path]);
    }
    const file = normalize(join(base, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(base)) {
      res.writeHead(403, headers);
      return res.end();
    }
    try {
      if (!(await stat(file)).isFile()) throw new Error("not a file");
      const body = await readFile(file);
      res.writeHead(200, { ...headers, "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      res.writeHead(404, { ...headers, "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise((ok) => server.listen(port, "127.0.0.1", ok));
  const actual = server.address().port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    received,
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }),
  };
}

// `node tests/web/server.mjs DIR [PORT]`: serve DIR until interrupted (scripts/web-serve.sh).
if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir = "web/dist", port = "8080"] = process.argv.slice(2);
  const server = await serve(dir, { port: Number(port), cors: true });
  console.log(`Premia site:        ${server.url}/index.html`);
  console.log(`Widget demo page:   ${server.url}/widget-demo.html`);
  console.log("Ctrl-C to stop.");
}
