"""``python -m twosample`` runs the command line."""

import sys

from twosample.app.cli import main

sys.exit(main())
