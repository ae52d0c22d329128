"""``python -m restoration.cli``: the same as the ``restoration`` command."""
from . import main

main()
