// Parse each Mermaid file given on the command line with the real Mermaid parser.
// Mermaid expects a browser; jsdom provides enough of one for parse(), which draws nothing.
// Prints "ok FILE" or "FAIL FILE message" per file; exits 1 if any failed.
import { JSDOM } from "jsdom";
import { readFileSync } from "node:fs";

const dom = new JSDOM("<!DOCTYPE html><body></body>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    await mermaid.parse(readFileSync(file, "utf8"));
    console.log(`ok ${file}`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${file} ${String(error.message || error).replaceAll("\n", " ")}`);
  }
}
process.exit(failed ? 1 : 0);
