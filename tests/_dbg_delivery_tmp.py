import asyncio, traceback
import bot.delivery as d
orig = d.Deliverer._refill
async def _refill(self, schedule):
    try:
        return await orig(self, schedule)
    except asyncio.CancelledError:
        print("CANCELLED IN REFILL"); raise
d.Deliverer._refill = _refill
