"""Sources: the files an ingest must read so that no document the index holds is lost.

An ingest reuses the chunks and vectors of the live version. When they cannot be reused (a setting that
changes chunks or vectors, such as `MENTOR_CHUNK_TOKENS` or the embedding model; a damaged version), every
document the newest readable manifest names is read again from its kept source (uploads under
`<data_dir>/uploads/`, the configured folders), beside the files given. When no manifest can be read at all,
the uploads folder and the configured guides folder are those sources. A document whose source is gone
makes the ingest refuse (`RebuildRefused`), and the old version stays: an upload never becomes the whole
index.
"""

from __future__ import annotations

from pathlib import Path

from assistant.errors import RebuildRefused
from assistant.retrieval.index import IndexStore

FileEntry = tuple[Path, Path, bool]  # (file, the folder its id is relative to, that folder was ingested whole)


def shown(path: Path | str, root: Path | str) -> str:
    """A file as a report names it: relative to its folder, never an absolute server path."""
    path, root = Path(path), Path(root)
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def is_under(source: str, root: str) -> bool:
    return source == root or source.startswith(root.rstrip("/") + "/")


def kept_sources(
    store: IndexStore,
    files: list[FileEntry],
    folders: list[str],
    reused: dict,
    rebuild: str | None,
    fallback: list[FileEntry],
) -> list[FileEntry]:
    """`files` plus the source of every held document that is neither reused nor among them.

    `folders` are the folders ingested whole (a document gone from one of them is removed, not lost),
    `reused` the documents whose chunks are reused, `rebuild` why nothing could be reused (None when the
    live version was), `fallback` what to read when a rebuild finds no readable manifest.
    """
    if not store.has_versions():
        return files  # the first ingest here: the index is what was given
    held = next(store.manifests(), None)
    given = {str(path) for path, _, _ in files}
    if held is None:
        return files + [f for f in fallback if str(f[0]) not in given] if rebuild else files
    extra: list[FileEntry] = []
    lost: list[str] = []
    for key, entry in sorted(held.get("documents", {}).items()):
        source = entry.get("source", "")
        if key in reused or source in given or any(is_under(source, folder) for folder in folders):
            continue
        path = Path(source)
        if path.is_file():
            extra.append((path, Path(entry.get("root") or path.parent), False))
            given.add(source)
        else:
            lost.append(key)
    if lost:
        listed = ", ".join(lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
        raise RebuildRefused(
            f"the index must be rebuilt ({rebuild or 'its live version is incomplete'}), but the files of "
            f"{len(lost)} document(s) it holds are gone ({listed}); nothing was changed: restore them, or "
            "ingest their folder again with `mentor ingest`"
        )
    return files + extra
