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
    # Worker processes for the per-report work (-j). 1 runs everything in this process;
    # 0 means one per CPU core (the CLI's default). Output does not depend on it.
    jobs: int = 1
    # Reports per task handed to a worker (the worker runs spaCy over them as one batch).
    # Small enough to balance the load, large enough for nlp.pipe to batch.
    task_size: int = 8
    # Folder of the incremental cache (--cache-dir), or None for no cache (--no-cache).
    # Library default: no cache; the CLI's default is .cache/caseextract.
    cache_dir: str | None = None
    # "local" (this machine, `jobs` processes) or "dask" (a Dask distributed cluster).
    engine: str = "local"
    # Dask scheduler address (tcp://host:port); None starts a local cluster of `jobs` workers.
    scheduler: str | None = None
    # Table format: "csv" (the contract) or "parquet" (same columns and types).
    output_format: str = "csv"
    # Print how long each phase of the run took to stderr (--timings; also the
    # environment variable CASEEXTRACT_TIMING=1). Output does not depend on it.
    timings: bool = False

    def output_key(self) -> str:
        """The settings that can change a report's result (part of every cache key)."""
        return f"max_bytes={self.max_bytes};max_pages={self.max_pages};timeout_s={self.timeout_s};max_memory_bytes={self.max_memory_bytes}"
