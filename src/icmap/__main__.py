"""``python -m icmap``: the same as the ``icmap`` command."""

from icmap.cli import main

main()
