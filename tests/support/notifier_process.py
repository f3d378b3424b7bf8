"""A notifier process on simulated time, for the reminders test: the real notifier
(``services.notifier``) with the settings from the environment, whose clock is the
moment the test writes to ``NOTIFIER_CLOCK_FILE``; after each round it writes the
moment that round ran at to ``NOTIFIER_STATUS_FILE``, so the test knows every live
notifier has looked at the present before it moves time on."""

from __future__ import annotations

import logging
import os
import time
from datetime import datetime
from pathlib import Path

from services.command.bootstrap import bootstrap as bootstrap_commands
from services.command.reminder_log import CommandReminderLog
from services.notifier.bootstrap import bootstrap as bootstrap_notifier
from services.projection.projectors import WORK
from services.projection.readmodel.database import create_engines
from services.projection.readmodel.store import ReadModelStore
from shared.clock import FixedClock
from shared.settings import Settings


def main() -> None:
    settings = Settings.from_env()
    moments, status = (
        Path(os.environ["NOTIFIER_CLOCK_FILE"]),
        Path(os.environ["NOTIFIER_STATUS_FILE"]),
    )
    clock = FixedClock(datetime.fromisoformat(moments.read_text()), settings.timezone)
    writer, reader = create_engines(settings.read_database_url)
    store = ReadModelStore(writer, reader)
    store.ensure(WORK)
    commands = bootstrap_commands(settings, clock)
    notifier = bootstrap_notifier(settings, store, CommandReminderLog(commands.bus), clock).notifier
    while True:
        moment = datetime.fromisoformat(moments.read_text())
        clock.advance(moment - clock.now())
        try:
            notifier.tick()
        except Exception:  # as the service's loop: the next round tries again
            logging.getLogger(__name__).exception("round failed")
            continue
        written = status.with_suffix(".tmp")
        written.write_text(moment.isoformat())
        written.replace(status)
        time.sleep(0.02)


if __name__ == "__main__":
    main()
