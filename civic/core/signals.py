"""Every reaction of one domain to another, as a named signal declared here.

A service that does something other domains may react to sends a signal after its own work
(inside the caller's transaction: receivers flush, the view commits once); the domains that
react connect their receivers in one place, `civic.wiring.connect_signals()`, called by the app
factory. Nothing is connected by importing a module, so a script that builds the app with
`create_app()` gets every reaction, whatever it imports.

Receivers are plain module-level functions taking the sender first and keyword arguments
(`def receiver(sender, *, user, idea, **_)`): a new keyword argument can be added to a signal
without breaking them. They run in the order they were connected, and an exception raised by
one stops the others and reaches the sender (that is how `idea_moving` refuses a move).

The table of signals, with who sends and who receives them, is in docs/ARCHITECTURE.md.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable, Generator
from typing import Any

from blinker import NamedSignal


class Signal(NamedSignal):
    """A blinker signal whose receivers run in the order they were connected (blinker's own order
    comes from a set, so it could change from one process to the next)."""

    def receivers_for(self, sender: Any) -> Generator[Callable[..., Any], None, None]:
        wanted = set(super().receivers_for(sender))  # the live ones, for this sender or for any
        if not wanted:
            return
        for receiver in list(self.receivers.values()):
            strong = receiver() if isinstance(receiver, weakref.ref) else receiver
            if strong is not None and strong in wanted:
                yield strong


ALL: dict[str, Signal] = {}


def _signal(name: str, doc: str) -> Signal:
    made = Signal(name, doc)
    ALL[name] = made
    return made


account_registered = _signal("account-registered", """An account has been created.

Sent by `civic.accounts.services.register_user()` once the account is flushed (registration, an
administrator's command, the demo), in the caller's transaction.
Sender: the new `User`.
Keyword arguments: `privacy_version` (the version of the privacy notice the person accepted while
registering, or None for an account made by someone else, whose owner is asked at the first login).
Received by: privacy, which records the acceptance.
""")

idea_submitting = _signal("idea-submitting", """An idea is about to be submitted to a call.

Sent by `civic.posts.services.create_idea()` when the author chose a call, after the idea's own
checks and before it is added.
Sender: the new `Idea` (not yet flushed).
Keyword arguments: `author`, `city` (the idea's), `call_id` (the call chosen, as sent by the form).
A receiver refuses by raising a `RuleError` on the field "call". Received by: calls, which refuse a
call that does not exist, is of another city or is not collecting ideas today.
""")

idea_moving = _signal("idea-moving", """An idea is about to move in its lifecycle.

Sent by `civic.posts.lifecycle.perform()` after the lifecycle's own checks (the move exists, the
user may make it, the reason is given) and before the status changes.
Sender: the action's name (`"fund"`, `"reject"` …): connect with `sender="fund"` to hear one move.
Keyword arguments: `user` (who moves it), `idea`.
A receiver refuses the move by raising a `civic.core.errors.RuleError` (or a subclass): nothing
has been written yet. Received by: start-up support, which refuses "fund" while a stage gate of
the idea's plan is not passed.
""")

idea_moved = _signal("idea-moved", """An idea has moved in its lifecycle.

Sent by `civic.posts.lifecycle.perform()` once the status is changed, its step (`PostEvent`)
recorded and the audit written, in the same transaction.
Sender: the status the idea entered (a `PostStatus`): connect with `sender=PostStatus.FUNDED` to
hear the moves into one status.
Keyword arguments: `user` (who moved it), `idea`, `event` (the `PostEvent`, with the action and
the public answer), `action` (the move's name), `reason` (the public answer, plain text).
Received by: co-design (selected, in co-design: the idea's process is opened; rejected: it is
closed), start-up support (in start-up support: the plan is opened), funded projects (funded:
the project is created), and the ideas' own notices (any status: the author and the followers
are told).
""")

background_round = _signal("background-round", """The email worker has finished a round.

Sent by `flask notifications send --loop` between two deliveries of the outgoing emails, outside
any request.
Sender: None. No keyword arguments.
Received by: privacy, which prepares the copies of personal data people asked for; opendata, which
builds the files whose content changed.
""")
