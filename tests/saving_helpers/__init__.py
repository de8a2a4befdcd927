"""Helpers and subprocess targets of the persistence tests."""
