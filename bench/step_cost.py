"""What one membership-form step costs, against the least an aiogram bot can do with an update.

    .venv/bin/python -m bench.step_cost [--rounds 20] [--postgres]

Both go through a real aiogram Dispatcher, the same Bot and the fake Bot API server in this
process (``tests/harness.py``), one update at a time:

- the bot's own dispatcher, a chair answering the membership form: the update's transaction
  (is it applied already?), the chair and the draft read, the answer validated, the draft
  written, the update id recorded, the commit, the next question sent through the limiter;
- a Dispatcher with one handler that answers the text back (``message.answer``);
- between the two, the bot's dispatcher with a handler of the same kind added in front: what
  the update's transaction, its recorded id and the held reply cost without the form.

The bot's limits are lifted (``LIFTED``): at Telegram's 30 a second, a bot answering as fast
as it can would measure the limit's waits, not what a step costs; and each of the ten chairs
answers again within a second, so its reply would wait out the chat's spacing
(``Pacer.chat_spacing``). Prints the median and mean wall time of each per step and their ratio.
``--rounds`` rounds of the nine answers per chair (opening the form and cancelling it are not
counted). A figure-printing benchmark, not a test.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from aiogram import Dispatcher, F
from aiogram.types import Message

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fake server and the harness live with the tests

from bench.answer_stream import MEASURED, ROUND  # noqa: E402
from bench.databases import arguments, on_database  # noqa: E402
from bench.kill_answers import build_database  # noqa: E402
from bot.wiring.config import DeliverySettings  # noqa: E402
from harness import Harness, running_harness  # noqa: E402
from storage.engine import create_engine  # noqa: E402

CHAIRS = 10
LIFTED = DeliverySettings(global_per_second=1000, per_chat_per_second=100)


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def echo_dispatcher() -> Dispatcher:
    dp = Dispatcher()
    dp.message.register(echo)
    return dp


async def echo(message: Message) -> None:
    await message.answer(message.text or "")


async def form_steps(h: Harness, chairs: list[int], rounds: int) -> list[float]:
    """Seconds per form step, chairs taking turns."""
    steps: list[float] = []
    for _ in range(rounds):
        for position, text in enumerate(ROUND):
            for chair in chairs:
                update = h.server.get_update(h.server.message(chair, text))
                started = time.perf_counter()
                await h.dp.feed_raw_update(h.bot, update)
                if position in MEASURED:
                    steps.append(time.perf_counter() - started)
    return steps


async def echo_steps(h: Harness, dp: Dispatcher, chairs: list[int], count: int) -> list[float]:
    steps = []
    for n in range(count):
        update = h.server.get_update(h.server.message(chairs[n % len(chairs)], "ping"))
        started = time.perf_counter()
        await dp.feed_raw_update(h.bot, update)
        steps.append(time.perf_counter() - started)
    return steps


def line(name: str, steps: list[float]) -> str:
    median, mean = statistics.median(steps) * 1000, statistics.fmean(steps) * 1000
    return f"  {name:28} median {median:6.2f} ms   mean {mean:6.2f} ms   ({len(steps)} steps)"


async def measure(url: str, rounds: int) -> None:
    engine = create_engine(url)
    chairs = await build_database(engine, CHAIRS)
    await engine.dispose()
    async with running_harness(url, Clock(), LIFTED) as h:
        plain = echo_dispatcher()
        h.dp.message.register(echo, F.text == "ping")  # tried before the bot's routers
        await form_steps(h, chairs, 2)  # warm up: imports, caches, the pool
        await echo_steps(h, plain, chairs, 100)
        await echo_steps(h, h.dp, chairs, 100)
        form = await form_steps(h, chairs, rounds)
        echoes = await echo_steps(h, plain, chairs, len(form))
        in_bot = await echo_steps(h, h.dp, chairs, len(form))
    print(line("membership form step", form))
    print(line("echo in the bot's dispatcher", in_bot))
    print(line("aiogram echo handler", echoes))
    ratio = statistics.median(form) / statistics.median(echoes)
    mean_ratio = statistics.fmean(form) / statistics.fmean(echoes)
    print(f"  form step / aiogram echo     median {ratio:.2f}x   mean {mean_ratio:.2f}x")


def main() -> None:
    parser = arguments(__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    on_database(args.postgres, lambda url: measure(url, args.rounds))


if __name__ == "__main__":
    main()
