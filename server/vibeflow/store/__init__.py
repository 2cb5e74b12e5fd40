"""Persistence: SQLAlchemy async models, the database engine, migrations and the content-addressed artifact store."""
