"""C2SP signed notes (`signed-note.md`), checkpoints (`tlog-checkpoint.md`) and cosignatures
(`tlog-cosignature.md`, cosignature/v1): the text a log signs and witnesses cosign. No database.

A checkpoint's body is three lines: origin, tree size (decimal), root hash (base64), each ending in a
newline. A signature line is "— <key name> base64(key id || signature)"; the key id is the first 4
bytes of SHA-256(name || 0x0A || type || public key), type 0x01 for an Ed25519 note signature over
the body, 0x04 for an Ed25519 cosignature/v1, whose signed message is "cosignature/v1\\ntime <t>\\n"
followed by the body, and whose signature bytes are the 8-byte big-endian time and then the signature.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519, COSIGNATURE_V1 = 0x01, 0x04
DASH = "\u2014"


class BadNote(ValueError):
    """The text is not a signed note or checkpoint."""


def raw(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(name: str, key: Ed25519PublicKey, kind: int = ED25519) -> bytes:
    """The 4-byte key id of a note verifier key."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + raw(key)).digest()[:4]


def verifier_key(name: str, key: Ed25519PublicKey, kind: int = ED25519) -> str:
    """The verifier key string "<name>+<hex key id>+base64(type || key)" of signed-note tools."""
    return f"{name}+{key_id(name, key, kind).hex()}+{base64.b64encode(bytes([kind]) + raw(key)).decode()}"


@dataclass(frozen=True)
class Signature:
    """One signature line: the signer's name, its key id and the signature bytes."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        """The line as it appears in a note."""
        return f"{DASH} {self.name} {base64.b64encode(self.key_id + self.signature).decode()}\n"


@dataclass(frozen=True)
class Note:
    """A signed note: its body (ending in a newline) and its signature lines."""

    body: str
    signatures: tuple[Signature, ...] = ()

    def text(self) -> str:
        """The note as text: body, blank line, one line per signature."""
        return self.body + "\n" + "".join(s.line() for s in self.signatures)

    def with_signature(self, signature: Signature) -> Note:
        """This note with one more signature (a signature by the same name and key id replaced)."""
        kept = tuple(s for s in self.signatures if (s.name, s.key_id) != (signature.name, signature.key_id))
        return Note(self.body, kept + (signature,))

    def by(self, name: str, identity: bytes) -> Signature | None:
        """The signature by the key with this name and id, if any."""
        return next((s for s in self.signatures if s.name == name and s.key_id == identity), None)


def parse_note(text: str) -> Note:
    """Read a signed note (`BadNote` when it is not one)."""
    if "\n\n" not in text:
        raise BadNote("a signed note has a blank line between the body and the signatures")
    body, _, rest = text.rpartition("\n\n")
    body += "\n"
    signatures = []
    for line in rest.split("\n"):
        if not line:
            continue
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH or not parts[1]:
            raise BadNote(f"not a signature line: {line[:60]!r}")
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except ValueError:
            raise BadNote(f"not base64: {parts[2][:20]!r}") from None
        if len(blob) < 5:
            raise BadNote("a signature line too short for a key id and a signature")
        signatures.append(Signature(parts[1], blob[:4], blob[4:]))
    if not signatures:
        raise BadNote("a signed note carries at least one signature")
    return Note(body, tuple(signatures))


def sign_note(note: Note, name: str, key: Ed25519PrivateKey) -> Note:
    """The note with the log's Ed25519 note signature added."""
    return note.with_signature(Signature(name, key_id(name, key.public_key()), key.sign(note.body.encode())))


def signed_by(note: Note, name: str, key: Ed25519PublicKey) -> bool:
    """Whether `note` carries a valid note signature of `key` under `name`."""
    found = note.by(name, key_id(name, key))
    if found is None or len(found.signature) != 64:
        return False
    try:
        key.verify(found.signature, note.body.encode())
    except InvalidSignature:
        return False
    return True


def _cosigned_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + body.encode()


def cosign(note: Note, name: str, key: Ed25519PrivateKey, timestamp: int) -> Signature:
    """A witness's cosignature/v1 of the checkpoint `note` at `timestamp` (seconds since the epoch)."""
    signature = key.sign(_cosigned_message(note.body, timestamp))
    return Signature(name, key_id(name, key.public_key(), COSIGNATURE_V1), struct.pack(">Q", timestamp) + signature)


def cosigned_at(note: Note, name: str, key: Ed25519PublicKey) -> int | None:
    """The time of a valid cosignature/v1 of `key` (named `name`) on `note`; None when there is none."""
    found = note.by(name, key_id(name, key, COSIGNATURE_V1))
    if found is None or len(found.signature) != 72:
        return None
    timestamp: int = struct.unpack(">Q", found.signature[:8])[0]
    try:
        key.verify(found.signature[8:], _cosigned_message(note.body, timestamp))
    except InvalidSignature:
        return None
    return timestamp


@dataclass(frozen=True)
class TreeHead:
    """A checkpoint's body: origin, size and root hash, and any extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        """The checkpoint body that is signed."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(), *self.extensions]
        return "".join(line + "\n" for line in lines)

    def note(self) -> Note:
        """An unsigned note of this tree head."""
        return Note(self.body())


def tree_head(note: Note) -> TreeHead:
    """The tree head in a checkpoint note (`BadNote` when its body is not a checkpoint)."""
    lines = note.body.split("\n")[:-1]
    if len(lines) < 3 or not lines[0]:
        raise BadNote("a checkpoint has an origin, a size and a root hash")
    size = lines[1]
    if not size.isdigit() or (size != "0" and size.startswith("0")):
        raise BadNote(f"the tree size {size!r} is not a decimal number")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except ValueError:
        raise BadNote("the root hash is not base64") from None
    if len(root) != 32:
        raise BadNote("the root hash is not 32 bytes")
    return TreeHead(lines[0], int(size), root, tuple(lines[3:]))
