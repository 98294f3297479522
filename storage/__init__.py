"""The database: models, engine and sessions, queries. Knows nothing of Telegram."""
