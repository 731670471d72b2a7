// Checking a receipt in the browser, offline but for the log key: the checkpoint's key id
// and Ed25519 signature (a C2SP signed note), the leaf's hash, and its RFC 9162 inclusion
// proof up to the checkpoint's root. A receipt is
// {"event_id", "leaf", "index", "checkpoint", "proof": [base64 hashes]}.
const enc = new TextEncoder();

export function b64(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function cat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

function same(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function hex(bytes) {
  return [...bytes].map((x) => x.toString(16).padStart(2, '0')).join('');
}

// "NAME+KEYID+BASE64(0x01 || key)" -> {name, keyid, raw}; null when malformed.
export function parseKey(text) {
  // The base64 part may hold '+' itself: only the first two separate.
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(text.trim());
  if (!m) return null;
  const parts = m.slice(1);
  try {
    const raw = b64(parts[2]);
    return raw.length === 33 && raw[0] === 1 ? { name: parts[0], keyid: parts[1], raw } : null;
  } catch {
    return null;
  }
}

// The checkpoint note -> {origin, size, root, body, sigs: [{name, keyid, sig}]}; null when
// malformed.
export function parseCheckpoint(note) {
  const cut = note.indexOf('\n\n');
  if (cut < 0) return null;
  const body = note.slice(0, cut + 1);
  const lines = body.split('\n');
  if (lines.length < 4 || !/^\d+$/.test(lines[1])) return null;
  const sigs = [];
  for (const l of note.slice(cut + 2).split('\n')) {
    const m = /^— (\S+) (\S+)$/.exec(l);
    if (!m) continue;
    try {
      const raw = b64(m[2]);
      if (raw.length === 68) sigs.push({ name: m[1], keyid: hex(raw.slice(0, 4)), sig: raw.slice(4) });
    } catch {
      // A signature line that is not base64 is not one of ours: skipped like others' lines.
    }
  }
  let root;
  try {
    root = b64(lines[2]);
  } catch {
    return null;
  }
  return { origin: lines[0], size: Number(lines[1]), root, body, sigs };
}

// RFC 9162 2.1.3.2: the root that proof folds leafHash into, for leaf index of a tree of
// size; null when the proof does not fit the tree.
export async function inclusionRoot(index, size, leafHash, proof) {
  if (index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(cat([1], p, r));
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await sha256(cat([1], r, p));
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

// Every check of receipt against keysText (one log key a line: during a key rotation the log
// has two, and a checkpoint signed by either holds), in order: [{check, ok}], and the leaf
// decoded when it parses. A check after a failed one is not run.
export async function verifyReceipt(receipt, keysText) {
  const out = [];
  const step = (check, ok) => {
    out.push({ check, ok: Boolean(ok) });
    return Boolean(ok);
  };
  const keys = keysText.split('\n').map((l) => l.trim()).filter(Boolean).map(parseKey);
  if (!step('key', keys.length && keys.every(Boolean))) return { checks: out };
  let ids = true;
  for (const k of keys) {
    ids = ids && hex((await sha256(cat(enc.encode(k.name + '\n'), k.raw))).slice(0, 4)) === k.keyid;
  }
  if (!step('key_id', ids)) return { checks: out };
  const r = receipt || {};
  const shape = typeof r.leaf === 'string' && Number.isInteger(r.index) && r.index >= 0 &&
    typeof r.checkpoint === 'string' && Array.isArray(r.proof) &&
    r.proof.every((p) => typeof p === 'string');
  if (!step('shape', shape)) return { checks: out };
  const cp = parseCheckpoint(r.checkpoint);
  if (!step('checkpoint', cp && keys.some((k) => k.name === cp.origin))) return { checks: out };
  let good = false;
  for (const k of keys) {
    const sig = cp.sigs.find((s) => s.name === k.name && s.keyid === k.keyid);
    if (!sig || good) continue;
    const pub = await crypto.subtle.importKey('raw', k.raw.slice(1), { name: 'Ed25519' }, false,
      ['verify']);
    good = await crypto.subtle.verify({ name: 'Ed25519' }, pub, sig.sig, enc.encode(cp.body));
  }
  if (!step('signature', good)) return { checks: out };
  const leafHash = await sha256(cat([0], enc.encode(r.leaf)));
  let proof;
  try {
    proof = r.proof.map(b64);
  } catch {
    proof = null;
  }
  const root = proof && await inclusionRoot(r.index, cp.size, leafHash, proof);
  if (!step('inclusion', root && same(root, cp.root))) return { checks: out };
  let leaf = null;
  try {
    leaf = JSON.parse(r.leaf);
  } catch {
    leaf = null;
  }
  step('event', leaf && (!r.event_id || leaf.event_id === r.event_id));
  return { checks: out, leaf, size: cp.size };
}
