"""Why a frame or a message is refused. Each error is a ValueError with a stable ``code``."""

from __future__ import annotations


class ProtocolError(ValueError):
    """The input does not follow JT/T 808; ``code`` names the reason for the log."""

    code = "protocol_error"


class FrameTooLong(ProtocolError):
    code = "frame_too_long"


class BadEscape(ProtocolError):
    code = "bad_escape"


class BadFrame(ProtocolError):
    """Too short for a header, or the check code differs."""

    code = "bad_frame"


class BadMessage(ProtocolError):
    """The header or the body does not have the layout its message id requires."""

    code = "bad_message"
