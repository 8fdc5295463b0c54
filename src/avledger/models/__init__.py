"""Persistence: peewee models, queries and migrations. Nothing here knows the UI."""
