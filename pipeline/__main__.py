"""`python -m pipeline ...`: delegates to the command-line interface."""

import sys

from pipeline.cli import main

sys.exit(main())
