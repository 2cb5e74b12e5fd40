"""Maintenance scripts for the trainer's shipped assets."""
