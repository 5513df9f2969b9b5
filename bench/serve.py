"""Start `parley serve` with the file limit raised (scenario c holds 10,000+ sockets)."""

import sys

from .loadgen import raise_nofile

if __name__ == "__main__":
    raise_nofile()
    from parley.cli import main

    main(sys.argv[1:])
