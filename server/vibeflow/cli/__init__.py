"""Command-line interface: argparse subcommands kept light so `vibeflow --help` starts fast."""
