"""How a secret shows where it must not be usable: API tokens in listings, service credentials to non-admins."""

SHOWN_ENDS = 4  # characters shown at each end
MIN_HIDDEN = 16  # a shorter secret would show too much of itself: it shows as stars only


def masked(secret: str) -> str:
    """Enough to tell secrets apart, never enough to use one: the first and last four characters, every other
    one a ``*``; all stars when fewer than 16 would stay hidden (a short webhook secret, a chosen token)."""
    if len(secret) - 2 * SHOWN_ENDS < MIN_HIDDEN:
        return "*" * len(secret)
    return f"{secret[:SHOWN_ENDS]}{'*' * (len(secret) - 2 * SHOWN_ENDS)}{secret[-SHOWN_ENDS:]}"
