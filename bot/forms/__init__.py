"""Guided forms: the engine and the forms it drives."""
