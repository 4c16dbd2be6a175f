from __future__ import annotations

import io

from attnviz.cli.progress import ProgressDisplay
from attnviz.training.trainer import EpochRecord

RECORD = EpochRecord(1, 0.5, 0.4, 0.9, 2.0, 1234.0)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_live_bar_with_loss_and_accuracy_then_the_epoch_line() -> None:
    stream = Terminal()
    display = ProgressDisplay(stream=stream)
    display.on_epoch_start(1, 2)
    display.on_batch_end(0.6, 0.5)
    display.on_batch_end(0.4, 1.0)
    display.on_epoch_end(RECORD, improved=True)
    assert "\repoch 1 [" in stream.getvalue() and "2/2 loss 0.5000 acc 0.750" in stream.getvalue()
    assert "epoch 1: train loss 0.5000, valid loss 0.4000, valid accuracy 0.9000" in stream.getvalue()


def test_a_pipe_gets_no_live_bar_only_epoch_lines_and_quiet_gets_nothing() -> None:
    stream = io.StringIO()
    display = ProgressDisplay(stream=stream)
    display.on_epoch_start(1, 1)
    display.on_batch_end(0.6, 0.5)
    display.on_epoch_end(RECORD, improved=False)
    assert "\r" not in stream.getvalue() and "1,234 tokens/s" in stream.getvalue()
    quiet = ProgressDisplay(quiet=True, stream=Terminal())
    quiet.on_epoch_start(1, 1)
    quiet.on_batch_end(0.6, 0.5)
    quiet.on_epoch_end(RECORD, improved=False)
    assert quiet.stream.getvalue() == ""
