"""Everything leaving the bot: the outbox sender, its rate limiter, replies held until commit."""
