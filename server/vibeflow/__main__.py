"""`python -m vibeflow` runs the CLI."""

from vibeflow.cli.main import main

raise SystemExit(main())
