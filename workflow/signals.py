"""What the domain announces to whoever watches it (the metrics), without knowing who does.

`change_written` is sent by the one write path (`operations.write_change`) for every change it writes to a
dossier, a step or an edit, with the session it was written in: a watcher that counts only what is kept
waits for that session's commit.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Session; keyword arguments: event, from_state, to_state.
change_written = _signals.signal("change-written")
