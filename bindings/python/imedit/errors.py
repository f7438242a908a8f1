"""``ImeditError``, with types a checker can see.

At run time this is the class UniFFI generates: every variant is a nested subclass
(``ImeditError.InvalidInput``, ``ImeditError.Api``, …) with its fields as attributes, and every
variant has the methods ``code()``, ``retry_advice()``, ``fault()``, ``http_status()`` and
``describe()``. The generated module builds the variants in a way type checkers cannot follow, so
for them this module declares the same classes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from .imedit import ApiErrorKind, Fault, RetryAdvice, Vendor
    from .imedit import ImeditError as _Generated

    class ImeditError(_Generated):
        """Every error imedit reports. Match on the variant; ``code()`` is the stable code shared
        by every language, ``retry_advice()`` says what to do next."""

        InvalidInput: type[_InvalidInput]
        MessageNotEditable: type[_MessageNotEditable]
        BodyTooLarge: type[_BodyTooLarge]
        Api: type[_Api]
        MalformedResponse: type[_MalformedResponse]
        Transport: type[_Transport]

        def code(self) -> str:
            """The stable, machine-readable code (``invalid_input``, ``token_invalid``, …)."""

        def retry_advice(self) -> RetryAdvice:
            """What the caller should do next."""

        def fault(self) -> Fault:
            """Who is at fault."""

        def http_status(self) -> Optional[int]:
            """The HTTP status of the reply, when there was one."""

        def describe(self) -> str:
            """A one-line description, without any secret."""

    class _InvalidInput(ImeditError):
        field: str
        reason: str

        def __init__(self, field: str, reason: str) -> None: ...

    class _MessageNotEditable(ImeditError):
        message_type: str

        def __init__(self, message_type: str) -> None: ...

    class _BodyTooLarge(ImeditError):
        size: int
        limit: int

        def __init__(self, size: int, limit: int) -> None: ...

    class _Api(ImeditError):
        vendor: Vendor
        kind: ApiErrorKind
        status: int
        vendor_code: Optional[str]
        vendor_code_n: Optional[int]
        exception: Optional[str]
        vendor_message: Optional[str]
        request_id: Optional[str]
        timestamp: Optional[int]
        duration: Optional[int]
        retry: RetryAdvice

        def __init__(
            self,
            vendor: Vendor,
            kind: ApiErrorKind,
            status: int,
            vendor_code: Optional[str],
            vendor_code_n: Optional[int],
            exception: Optional[str],
            vendor_message: Optional[str],
            request_id: Optional[str],
            timestamp: Optional[int],
            duration: Optional[int],
            retry: RetryAdvice,
        ) -> None: ...

    class _MalformedResponse(ImeditError):
        vendor: Vendor
        status: int
        reason: str
        excerpt: str
        retry: RetryAdvice

        def __init__(self, vendor: Vendor, status: int, reason: str, excerpt: str, retry: RetryAdvice) -> None: ...

    class _Transport(ImeditError):
        reason: str

        def __init__(self, reason: str) -> None: ...

else:
    from .imedit import ImeditError

__all__ = ["ImeditError"]
