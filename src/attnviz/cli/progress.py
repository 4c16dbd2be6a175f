"""Training progress on stderr: a live bar on terminals, one summary line per epoch."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, TextIO

import click

if TYPE_CHECKING:  # the CLI starts without torch; training imports it when it runs
    from attnviz.training.trainer import EpochRecord


class ProgressDisplay:
    """A `TrainingCallback` for the CLI. The live bar only draws on a terminal; `quiet` hides all."""

    def __init__(self, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.live = not quiet and self.stream.isatty()
        self.epoch, self.batches, self.done = 0, 0, 0
        self.loss, self.accuracy, self.last_draw = 0.0, 0.0, 0.0

    def on_epoch_start(self, epoch: int, batches: int) -> None:
        self.epoch, self.batches, self.done = epoch, batches, 0
        self.loss = self.accuracy = 0.0

    def on_batch_end(self, loss: float, accuracy: float) -> None:
        self.done += 1
        # Running means over the epoch so far, so the bar does not flicker batch to batch.
        self.loss += (loss - self.loss) / self.done
        self.accuracy += (accuracy - self.accuracy) / self.done
        now = time.monotonic()
        if self.live and (now - self.last_draw > 0.1 or self.done == self.batches):
            self.last_draw = now
            self._draw()

    def _draw(self) -> None:
        width = 30
        filled = int(width * self.done / max(self.batches, 1))
        bar = "#" * filled + "-" * (width - filled)
        line = f"\repoch {self.epoch} [{bar}] {self.done}/{self.batches} loss {self.loss:.4f} acc {self.accuracy:.3f}"
        self.stream.write(line)
        self.stream.flush()

    def on_epoch_end(self, record: EpochRecord, improved: bool) -> None:
        if self.quiet:
            return
        if self.live:
            self.stream.write("\r\033[K")
        click.echo(
            f"epoch {record.epoch}: train loss {record.train_loss:.4f}, valid loss {record.valid_loss:.4f}, "
            f"valid accuracy {record.valid_accuracy:.4f}, {record.seconds:.1f}s, "
            f"{record.tokens_per_second:,.0f} tokens/s{' (best so far)' if improved else ''}",
            file=self.stream,
        )
