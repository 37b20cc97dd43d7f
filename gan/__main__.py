import sys

from gan.app.cli import main

sys.exit(main())
