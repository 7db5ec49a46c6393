"""Notices and to-dos for every workflow of the app (one table, one service)."""
