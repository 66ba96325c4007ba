"""Run settings: one frozen object every stage reads, with commented defaults.

The CLI builds it from its flags; library users construct it directly. Nothing in
here touches the file system.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    # Largest input file read, in bytes. Larger files are reported in errors.csv,
    # never read into memory. Raise with --max-mb.
    max_bytes: int = 50 * MB
    # Most PDF pages extracted from one file (--max-pages).
    max_pages: int = 300
    # Wall-clock seconds allowed to extract text from one PDF or HTML file (--timeout).
    timeout_s: float = 120.0
    # Address-space cap for the process that extracts one PDF/HTML file: a
    # decompression bomb fails there instead of exhausting the machine (--max-memory-mb).
    max_memory_bytes: int = 3072 * MB
    # Documents per spaCy batch.
    batch_size: int = 16
    # Show a progress bar on stderr (only ever when stderr is a terminal).
    progress: bool = True
