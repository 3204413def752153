"""Errors a tool call can end with. Each message is written for the agent to relay to a shopper."""

from __future__ import annotations


class ToolError(Exception):
    """A refusal or failure with a clear, relayable message. Nothing was written."""

    code = "invalid_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArguments(ToolError):
    code = "invalid_arguments"


class NotFound(ToolError):
    code = "not_found"


class PolicyViolation(ToolError):
    """The store policy forbids this (wrong status, wrong refund method, balance too low…)."""

    code = "policy"


class AuthenticationRequired(ToolError):
    code = "authentication_required"


class Forbidden(ToolError):
    """The data belongs to another customer than the one this session is verified as."""

    code = "forbidden"


class Conflict(ToolError):
    """Another write changed the record first; re-read and try again."""

    code = "conflict"


class Unavailable(ToolError):
    """The store database cannot be reached right now."""

    code = "unavailable"


class Internal(ToolError):
    """Something unexpected failed on the store's side; the transaction was rolled back."""

    code = "internal"
