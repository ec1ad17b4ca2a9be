"""PNS Assistant: shared kernel (settings, errors, domain types) and the `pns` command line."""

import os

# numpy's OpenBLAS threads keep spinning after each matrix product and starve the e5 engine's OpenMP threads on a
# small machine (an e5 query took 60 ms instead of 16 ms on 2 cores); the encoders parallelise by themselves.
# Set before numpy is imported by anything of the project; a user's own value wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
