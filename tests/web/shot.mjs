// Take screenshots of a page (for looking at it during development): node shot.mjs URL OUT.png [width] [height] [fullPage]
import { chromium } from "playwright-core";
const [url, out, width = "1280", height = "900", full = "1"] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage({ viewport: { width: Number(width), height: Number(height) } });
page.on("console", (m) => console.log("console:", m.type(), m.text()));
page.on("pageerror", (e) => console.log("pageerror:", e.message));
await page.goto(url);
await page.waitForTimeout(800);
if (process.env.SCRIPT) await page.evaluate(process.env.SCRIPT);
await page.waitForTimeout(300);
await page.screenshot({ path: out, fullPage: full === "1" });
await browser.close();
