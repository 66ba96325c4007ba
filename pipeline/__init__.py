"""caseextract: turn medical case reports into normalised, auditable tables.

Stages (one module each): ingest -> clean -> nlp -> normalise -> write, orchestrated
by `pipeline.run`. `python -m pipeline --help` lists the commands.
"""

__version__ = "0.1.0"
