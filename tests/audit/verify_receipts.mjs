// Runs the JavaScript verifier on shared vectors: node verify_receipts.mjs VECTORS.json -> JSON results.
import { readFileSync } from "node:fs";
import { importPem, verifyReceipt } from "../../api/http/static/verify/verify.js";

const vectors = JSON.parse(readFileSync(process.argv[2], "utf8"));
const key = await importPem(vectors.public_key);
const results = [];
for (const c of vectors.cases) {
  const outcome = await verifyReceipt(c.receipt, key, c.witnesses ?? [], c.quorum ?? 0);
  results.push({ name: c.name, ok: outcome.ok, reason: outcome.reason });
}
console.log(JSON.stringify(results));
