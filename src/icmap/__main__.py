"""``python -m icmap``: the same as the ``icmap`` command."""

from icmap.cli import main

if __name__ == "__main__":
    main()
