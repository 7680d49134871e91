"""Hang guards: upper bounds after which a test fails instead of blocking the
suite. They bound waiting, never speed: a test asserts what happened, and a
busy machine only makes it wait longer before the same answer."""

# Any single network operation or CLI call.
TIMEOUT = 15.0
# From spawning the server to it listening.
STARTUP_TIMEOUT = 10.0
