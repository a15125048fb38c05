// Runs the JavaScript consistency verifier on vectors: node verify_consistency.mjs VECTORS.json -> JSON booleans.
import { readFileSync } from "node:fs";
import { b64decode, verifyConsistency } from "../../api/http/static/verify/verify.js";

const vectors = JSON.parse(readFileSync(process.argv[2], "utf8"));
const results = [];
for (const [old, nu, r1, r2, proof] of vectors) {
  results.push(await verifyConsistency(old, nu, b64decode(r1), b64decode(r2), proof.map(b64decode)));
}
console.log(JSON.stringify(results));
