"""``python -m pictify_raster`` runs the command line."""

from pictify_raster.cli import main

raise SystemExit(main())
