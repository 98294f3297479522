"""The union's rules as plain functions: periods, coverage, forms' effects, calendar jobs.

Nothing here knows Telegram.
"""
