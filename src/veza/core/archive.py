"""The encrypted container of `veza backup`: compressed lines, sealed in authenticated chunks.

Layout: a 61-byte header (magic, format version, a random 32-byte salt, a 16-byte key check), then
chunks of at most 1 MiB, each `length (4 bytes) || AES-256-GCM ciphertext`. The archive's own key
is derived from the backup key and the salt (HKDF-SHA256), so no two archives share a key and the
chunk counter can serve as nonce. The nonce also carries a "last chunk" flag and every chunk
authenticates the header, so a changed, removed, reordered or appended chunk and a cut-off file
all fail to open. The key check tells a wrong backup key apart from a damaged archive.

No Django here: the container knows nothing of what it holds.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "ArchiveDamagedError",
    "ArchiveError",
    "ArchiveKeyError",
    "ArchiveWriter",
    "archive_lines",
    "file_sha256",
]

MAGIC = b"VEZA-BACKUP\n"
VERSION = 1
HEADER_SIZE = len(MAGIC) + 1 + 32 + 16
CHUNK = 1 << 20
MAX_CIPHERTEXT = CHUNK + 16


class ArchiveError(Exception):
    """The file is not a Veza backup archive that this version can read."""


class ArchiveKeyError(ArchiveError):
    """The archive was made with another backup key."""


class ArchiveDamagedError(ArchiveError):
    """The archive was changed or cut off: its authentication fails."""


def _derive(key: bytes, salt: bytes) -> tuple[bytes, bytes]:
    if len(key) != 32:
        raise ArchiveKeyError("a backup key is 32 bytes")
    material = HKDF(algorithm=hashes.SHA256(), length=64, salt=salt, info=b"veza backup v1").derive(
        key
    )
    check = hmac.new(material[32:], b"key check", hashlib.sha256).digest()[:16]
    return material[:32], check


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class ArchiveWriter:
    """Write lines (bytes without a newline) into an encrypted archive at `path`.

    The file is written beside its final name and moved into place by `close()`, so a backup
    that fails half-way never leaves a file that looks like an archive."""

    def __init__(self, path: Path, key: bytes):
        self.path = Path(path)
        salt = secrets.token_bytes(32)
        self._key, check = _derive(key, salt)
        self._header = MAGIC + bytes([VERSION]) + salt + check
        self._aead = AESGCM(self._key)
        self._counter = 0
        self._compress = zlib.compressobj(6)
        self._pending = bytearray()
        self._temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.part")
        fd = os.open(self._temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._file = os.fdopen(fd, "wb")
        self._file.write(self._header)

    def write_line(self, line: bytes) -> None:
        self._pending += self._compress.compress(line + b"\n")
        while len(self._pending) > CHUNK:
            self._seal(bytes(self._pending[:CHUNK]), last=False)
            del self._pending[:CHUNK]

    def _seal(self, plain: bytes, *, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._counter, last), plain, self._header)
        self._file.write(struct.pack(">I", len(sealed)) + sealed)
        self._counter += 1

    def close(self) -> None:
        self._pending += self._compress.flush()
        while len(self._pending) > CHUNK:
            self._seal(bytes(self._pending[:CHUNK]), last=False)
            del self._pending[:CHUNK]
        self._seal(bytes(self._pending), last=True)
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        try:
            # A hard link never replaces a file that appeared meanwhile at the final name.
            os.link(self._temporary, self.path)
        finally:
            self._temporary.unlink(missing_ok=True)

    def abort(self) -> None:
        self._file.close()
        self._temporary.unlink(missing_ok=True)


def _chunks(path: Path, key: bytes) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        header = handle.read(HEADER_SIZE)
        if len(header) < HEADER_SIZE or not header.startswith(MAGIC):
            raise ArchiveError("this is not a Veza backup archive")
        if header[len(MAGIC)] != VERSION:
            raise ArchiveError(f"archive format {header[len(MAGIC)]} is not known here")
        salt = header[len(MAGIC) + 1 : len(MAGIC) + 33]
        derived, check = _derive(key, salt)
        if not hmac.compare_digest(check, header[len(MAGIC) + 33 :]):
            raise ArchiveKeyError("the archive was made with another backup key")
        aead = AESGCM(derived)
        counter = 0
        while True:
            size = handle.read(4)
            if len(size) < 4:
                raise ArchiveDamagedError("the archive is cut off (its last part is missing)")
            (length,) = struct.unpack(">I", size)
            if not 16 <= length <= MAX_CIPHERTEXT:
                raise ArchiveDamagedError("the archive was changed (a part has a wrong length)")
            sealed = handle.read(length)
            if len(sealed) < length:
                raise ArchiveDamagedError("the archive is cut off")
            plain = None
            for last in (False, True):
                try:
                    plain = aead.decrypt(_nonce(counter, last), sealed, header)
                except InvalidTag:
                    continue
                break
            if plain is None:
                raise ArchiveDamagedError(
                    f"the archive was changed: part {counter + 1} fails its authentication"
                )
            yield plain
            counter += 1
            if last:
                if handle.read(1):
                    raise ArchiveDamagedError("the archive was changed: data after its end")
                return


def archive_lines(path: Path, key: bytes) -> Iterator[bytes]:
    """Every line of the archive, each only after the part that holds it was authenticated.

    A caller that must not act on a damaged archive reads it through once before acting."""
    decompress = zlib.decompressobj()
    rest = b""
    for plain in _chunks(Path(path), key):
        try:
            data = rest + decompress.decompress(plain)
        except zlib.error as exc:
            raise ArchiveDamagedError("the archive's content is not readable") from exc
        *lines, rest = data.split(b"\n")
        yield from lines
    if not decompress.eof or rest:
        raise ArchiveDamagedError("the archive's content is incomplete")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
