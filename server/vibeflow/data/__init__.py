"""Data import, schema detection, chat normalisation, quality scoring, fixes, versions and splits."""
