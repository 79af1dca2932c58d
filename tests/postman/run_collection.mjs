// Runs one of Binance's Postman collections, unmodified on disk, against the fake with newman.
//
// Usage: node run_collection.mjs COLLECTION.json ENVIRONMENT.json BASE_URL API_KEY API_SECRET OUT.json
//
// Only one change is made, in memory: the collection-level pre-request script signs with
// top-level `await crypto.subtle...` over `TextEncoder` bytes, neither of which newman's sandbox
// has (postmanlabs/newman#3288). Those signing statements (TextEncoder, importKey, sign, hex)
// are replaced by the equivalent CryptoJS HMAC-SHA256 line; the run stops with an error if the
// script no longer holds them exactly, so a changed collection is seen, not silently run.
// The environment's `api-key` / `api-secret` and the collection's `prod_url` are pointed at
// the fake. Each request's method, path, status and parsed body go to OUT.json, in run order.
import { readFileSync, writeFileSync } from "node:fs";
import newman from "newman";

const [collectionFile, environmentFile, baseUrl, apiKey, apiSecret, outFile] = process.argv.slice(2);
const collection = JSON.parse(readFileSync(collectionFile, "utf8"));
const environment = JSON.parse(readFileSync(environmentFile, "utf8"));

const SIGN_WITH_CRYPTOJS =
  "    const signature = CryptoJS.HmacSHA256(totalParams, api_secret).toString(CryptoJS.enc.Hex);";

//: The statements the patch removes, in order; `pm.request.url.query.clear();` between them stays.
const SUBTLE_SIGNING = [
  "const encoder = new TextEncoder();",
  "const keyData = encoder.encode(api_secret);",
  "const msgData = encoder.encode(totalParams);",
  "const cryptoKey = await crypto.subtle.importKey('raw', keyData, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);",
  "const signatureBuffer = await crypto.subtle.sign('HMAC', cryptoKey, msgData);",
  "const signature = Array.from(new Uint8Array(signatureBuffer))",
  ".map((b) => b.toString(16).padStart(2, '0'))",
  ".join('');",
];

function patchPreRequest(lines) {
  const found = SUBTLE_SIGNING.map((statement) => lines.findIndex((l) => l.trim() === statement));
  if (found.some((i) => i < 0) || found.some((i, n) => n > 0 && i <= found[n - 1])) {
    throw new Error("the collection's pre-request script no longer has the crypto.subtle signing lines to patch");
  }
  const removed = new Set(found);
  const patched = [];
  lines.forEach((line, i) => {
    if (i === found[5]) patched.push(SIGN_WITH_CRYPTOJS);
    if (!removed.has(i)) patched.push(line);
  });
  return patched;
}

const prerequest = (collection.event ?? []).find((e) => e.listen === "prerequest");
if (!prerequest) throw new Error("the collection has no collection-level pre-request script");
prerequest.script.exec = patchPreRequest(prerequest.script.exec);
for (const variable of collection.variable ?? []) {
  if (variable.key === "prod_url") variable.value = baseUrl;
}
for (const value of environment.values ?? []) {
  if (value.key === "api-key") value.value = apiKey;
  if (value.key === "api-secret") value.value = apiSecret;
}

const results = [];
newman.run({ collection, environment, reporters: [] }, (err, summary) => {
  if (err) {
    console.error(err);
    process.exit(2);
  }
  for (const execution of summary.run.executions) {
    const request = execution.request;
    const response = execution.response;
    let body = null;
    let text = "";
    if (response) {
      text = response.stream ? response.stream.toString("utf8") : "";
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
    }
    results.push({
      name: execution.item.name,
      method: request.method,
      path: "/" + request.url.path.join("/"),
      query: request.url.getQueryString(),
      status: response ? response.code : null,
      weight: response ? response.headers.get("X-MBX-USED-WEIGHT-1M") ?? null : null,
      body,
      text: body === null ? text.slice(0, 500) : undefined,
      error: execution.requestError ? String(execution.requestError) : undefined,
    });
  }
  for (const failure of summary.run.failures) {
    if (failure.error && failure.error.name !== "AssertionError") {
      results.push({ name: failure.source?.name ?? "?", scriptError: String(failure.error.message) });
    }
  }
  writeFileSync(outFile, JSON.stringify(results, null, 1));
});
