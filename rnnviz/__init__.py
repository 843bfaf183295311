"""rnnviz: look inside recurrent networks while they learn.

Importing the package pins PyTorch to one thread per process unless the caller already chose:
a small model training in a web server's worker thread runs several times slower with two
threads fighting over two cores than with one.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

__version__ = "0.1.0"
