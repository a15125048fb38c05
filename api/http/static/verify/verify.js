// An independent verifier of Mutasi's decree receipts and signed tree heads: no framework, no
// dependencies, WebCrypto only (SHA-256 and Ed25519), in a browser or under Node 20+.
//   RFC 9162: leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right), inclusion proofs.
//   C2SP signed notes: key id = SHA-256(name || 0x0A || type || key)[:4]; type 0x01 note signature
//   over the body, type 0x04 cosignature/v1 over "cosignature/v1\ntime <t>\n" || body.
//   RFC 8785 (JCS) canonical JSON of the signed statement.

const subtle = globalThis.crypto.subtle;
const enc = new TextEncoder();

export function b64decode(text) {
  const bin = atob(text);
  if (btoa(bin) !== text) throw new Error("not canonical base64");
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

const b64encode = (bytes) => btoa(String.fromCharCode(...bytes));
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const sha256 = async (bytes) => new Uint8Array(await subtle.digest("SHA-256", bytes));

export const leafHash = (data) => sha256(concat(Uint8Array.of(0), data));
const nodeHash = (l, r) => sha256(concat(Uint8Array.of(1), l, r));

// RFC 8785: JSON.stringify spells strings and numbers as JCS does; keys sorted by UTF-16 code units.
export function canonical(value) {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new Error("not JSON");
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
  return "{" + Object.keys(value).sort().map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
}

// RFC 9162 section 2.1.3.2; sizes and indexes as BigInt-free numbers (below 2**53).
export async function rootFromInclusion(index, size, leaf, proof) {
  if (!(index < size) || leaf.length !== 32 || proof.some((p) => p.length !== 32)) return null;
  let fn = index, sn = size - 1, r = leaf;
  const half = (x) => Math.floor(x / 2);
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) while (fn !== 0 && fn % 2 === 0) { fn = half(fn); sn = half(sn); }
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn); sn = half(sn);
  }
  return sn === 0 ? r : null;
}

// RFC 9162 section 2.1.4.2: does the tree (second, secondRoot) extend (first, firstRoot)?
export async function verifyConsistency(first, second, firstRoot, secondRoot, proof) {
  if (first > second || proof.some((p) => p.length !== 32)) return false;
  if (first === second) return equal(firstRoot, secondRoot) && proof.length === 0;
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : [...proof];
  const half = (x) => Math.floor(x / 2);
  let fn = first - 1, sn = second - 1;
  while (fn % 2 === 1) { fn = half(fn); sn = half(sn); }
  let fr = path[0], sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(c, fr); sr = await nodeHash(c, sr);
      if (fn % 2 === 0) while (fn !== 0 && fn % 2 === 0) { fn = half(fn); sn = half(sn); }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = half(fn); sn = half(sn);
  }
  return equal(fr, firstRoot) && equal(sr, secondRoot) && sn === 0;
}

// A signed tree head (checkpoint text) of the log with `key`: its size and root, or null.
export async function verifyTreeHead(text, key) {
  let note;
  try { note = parseNote(text); } catch { return null; }
  return (await noteSignedBy(note, note.origin, key)) ? { origin: note.origin, size: note.size, root: note.root } : null;
}

async function keyId(name, type, raw) {
  return (await sha256(concat(enc.encode(name + "\n"), Uint8Array.of(type), raw))).slice(0, 4);
}

export function parseNote(text) {
  const cut = text.lastIndexOf("\n\n");
  if (cut < 0) throw new Error("a signed note has a blank line before its signatures");
  const body = text.slice(0, cut + 1);
  const signatures = text.slice(cut + 2).split("\n").filter((l) => l).map((line) => {
    const parts = line.split(" ");
    if (parts.length !== 3 || parts[0] !== "\u2014") throw new Error("not a signature line");
    const blob = b64decode(parts[2]);
    return { name: parts[1], keyId: blob.slice(0, 4), signature: blob.slice(4) };
  });
  const lines = body.split("\n").slice(0, -1);
  if (lines.length < 3 || !/^(0|[1-9][0-9]*)$/.test(lines[1])) throw new Error("not a checkpoint");
  const root = b64decode(lines[2]);
  if (root.length !== 32) throw new Error("the root hash is not 32 bytes");
  return { body, signatures, origin: lines[0], size: Number(lines[1]), root };
}

export async function importPem(pem) {
  const der = b64decode(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""));
  return subtle.importKey("spki", der, { name: "Ed25519" }, true, ["verify"]);
}

const raw = async (key) => new Uint8Array(await subtle.exportKey("raw", key));
const verify = (key, signature, data) => subtle.verify({ name: "Ed25519" }, key, signature, data);

export async function noteSignedBy(note, name, key) {
  const id = await keyId(name, 0x01, await raw(key));
  const found = note.signatures.find((s) => s.name === name && equal(s.keyId, id));
  return !!found && found.signature.length === 64 && verify(key, found.signature, enc.encode(note.body));
}

// A witness key as "<name>+<hex key id>+base64(0x04 || key)"; returns its name if it cosigned `note`.
export async function cosignedBy(note, vkey) {
  const [name, id, encoded] = [vkey.split("+")[0], vkey.split("+")[1], vkey.split("+").slice(2).join("+")];
  const blob = b64decode(encoded);
  const key = await subtle.importKey("raw", blob.slice(1), { name: "Ed25519" }, true, ["verify"]);
  const expected = await keyId(name, 0x04, blob.slice(1));
  if (blob[0] !== 0x04 || [...expected].map((b) => b.toString(16).padStart(2, "0")).join("") !== id) return null;
  const found = note.signatures.find((s) => s.name === name && equal(s.keyId, expected));
  if (!found || found.signature.length !== 72) return null;
  let time = 0n;
  for (const b of found.signature.slice(0, 8)) time = time * 256n + BigInt(b);
  const message = concat(enc.encode(`cosignature/v1\ntime ${time}\n`), enc.encode(note.body));
  return (await verify(key, found.signature.slice(8), message)) ? name : null;
}

function code(leaf) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const b of leaf.slice(0, 10)) bits += b.toString(2).padStart(8, "0");
  let text = "";
  for (let i = 0; i < 80; i += 5) text += alphabet[parseInt(bits.slice(i, i + 5), 2)];
  return text.match(/.{4}/g).join("-");
}

// The same checks, in the same order, as application/audit/receipts.py `verify_receipt`.
export async function verifyReceipt(receipt, key, witnesses = [], quorum = 0) {
  const fail = (reason) => ({ ok: false, reason });
  let note, proof, statement;
  try {
    statement = receipt.statement;
    note = parseNote(String(receipt.checkpoint));
    proof = receipt.inclusion.map(b64decode);
    if (typeof statement.event.hash !== "string") throw new Error("no event hash");
  } catch (error) {
    return fail(`not a readable receipt (${error.message})`);
  }
  if (receipt.format !== "mutasi-receipt/1") return fail("not a mutasi-receipt/1 receipt");
  if (!(await noteSignedBy(note, note.origin, key))) return fail("the tree head is not signed by the log's public key");
  let signature;
  try { signature = b64decode(String(receipt.statement_signature)); } catch { signature = new Uint8Array(); }
  if (!(await verify(key, signature, enc.encode(canonical(statement))))) {
    return fail("the decree statement is not signed by the log's public key: it was altered");
  }
  const leaf = await leafHash(enc.encode(`${statement.event.position}:${statement.event.hash}`));
  if (receipt.code !== code(leaf) || statement.code !== code(leaf)) return fail("the receipt's code is not the code of its event");
  if (note.size !== receipt.tree_size) return fail(`the proof is for a tree of ${receipt.tree_size} events, the tree head is of ${note.size}`);
  const root = await rootFromInclusion(receipt.leaf_index, receipt.tree_size, leaf, proof);
  if (root === null || !equal(root, note.root)) {
    return fail("the inclusion proof does not lead to the signed root: the event is not in the log");
  }
  const cosigners = [];
  for (const vkey of witnesses) {
    const name = await cosignedBy(note, vkey).catch(() => null);
    if (name) cosigners.push(name);
  }
  if (cosigners.length < quorum) return { ...fail(`the tree head is cosigned by ${cosigners.length} of the given witnesses`), cosigners };
  return { ok: true, reason: null, index: receipt.leaf_index, size: receipt.tree_size, cosigners, b64: b64encode(leaf) };
}
