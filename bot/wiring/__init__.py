"""Wiring: settings, the Bot and Dispatcher, per-update middlewares, the scheduler."""
