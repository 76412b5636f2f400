"""What callers ask of the roster: one typed command per RPC."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PutChunk:
    file_hash: str  # sha256 of the whole file, hex
    index: int
    data: bytes


@dataclass(frozen=True)
class StartImport:
    org_id: str
    file_hash: str
    size: int
    chunks: int
    filename: str


@dataclass(frozen=True)
class ListProblems:
    import_id: str
    cursor: str | None = None
    limit: int = 50


@dataclass(frozen=True)
class ExportMembers:
    org_id: str
    subtree: bool = False
    status: str | None = None
    full: bool = False  # personal data in full (staff, with a reason; audited)
    reason: str | None = None


@dataclass(frozen=True)
class ReadFileChunk:
    file_id: str
    index: int
