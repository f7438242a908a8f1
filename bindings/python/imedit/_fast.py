"""Faster conversions between Python and Rust than the ones UniFFI generates.

The code UniFFI generates for Python moves every value through a byte buffer that it fills and
reads field by field, allocating and growing the Rust-side buffer as it goes and entering a
``contextlib`` context manager for every field; a simple call costs tens of microseconds, far more
than the work done in Rust. This module changes how those buffers are filled and read, never
what goes in them:

- every call: the buffer is filled in a Python ``bytearray`` and copied to Rust in one
  allocation, and a returned buffer is copied out once and read with precompiled ``struct``
  formats (the generated converters still decide every byte);
- ``Signer.modify_message_request``, the call worth making fast (build and sign a
  ``ModifyMessage``): the argument is written and the request read in the UniFFI serialization
  format (big-endian integers, ``i32`` lengths, ``u8`` option and boolean tags) in one pass.

Every check and every byte of a request still comes from the Rust core. The changes are made only
when the generated module has exactly the expected declarations (UniFFI is pinned to 0.32.2); an
argument the fast path cannot convert goes to the generated code (which raises the usual error);
the tests run every shared vector through both. Set ``IMEDIT_PYTHON_FAST=0`` to use the generated
code only.
"""

from __future__ import annotations

import ctypes
import os
import struct
from typing import Any, Callable

from .imedit import imedit as _gen

__all__ = ["ACTIVE", "install"]

#: Whether the faster conversions are installed.
ACTIVE = False

_I32 = struct.Struct(">i")
_HEAD = struct.Struct(">qqqi")
_SOME = struct.Struct(">Bi")


def _encode(edit: Any) -> bytes:
    """The UniFFI serialization of a ``ModifyMessage`` record."""
    ext = edit.ext
    parts = [_HEAD.pack(edit.app_id, edit.conversation_short_id, edit.message_id, len(ext))]
    for kv in ext:
        key = kv.key.encode("utf-8")
        value = kv.value.encode("utf-8")
        parts += (_I32.pack(len(key)), key, _I32.pack(len(value)), value)
    content = edit.content
    if content is None:
        parts.append(b"\x00")
    else:
        text = content.encode("utf-8")
        parts += (_SOME.pack(1, len(text)), text)
    return b"".join(parts)


def _decode(raw: bytes) -> Any:
    """An ``HttpRequest`` record from its UniFFI serialization."""
    unpack = _I32.unpack_from
    header = _gen.HttpHeader
    (n,) = unpack(raw, 0)
    o = 4 + n
    method = raw[4:o].decode("utf-8")
    (n,) = unpack(raw, o)
    url = raw[o + 4 : o + 4 + n].decode("utf-8")
    o += 4 + n
    (count,) = unpack(raw, o)
    o += 4
    headers = []
    for _ in range(count):
        (n,) = unpack(raw, o)
        name = raw[o + 4 : o + 4 + n].decode("utf-8")
        o += 4 + n
        (n,) = unpack(raw, o)
        value = raw[o + 4 : o + 4 + n].decode("utf-8")
        o += 4 + n
        headers.append(header(name=name, value=value, sensitive=raw[o] != 0))
        o += 1
    (n,) = unpack(raw, o)
    body = raw[o + 4 : o + 4 + n]
    o += 4 + n
    if o + 1 != len(raw):
        raise _gen.InternalError("unexpected length of a serialized HttpRequest")
    return _gen.HttpRequest(method=method, url=url, headers=headers, body=body, body_sensitive=raw[o] != 0)


_I8, _U8, _I16, _U16 = struct.Struct(">b"), struct.Struct(">B"), struct.Struct(">h"), struct.Struct(">H")
_U32, _I64, _U64 = struct.Struct(">I"), struct.Struct(">q"), struct.Struct(">Q")
_F32, _F64 = struct.Struct(">f"), struct.Struct(">d")


class _Builder:
    """Fills a buffer in Python; ``finalize`` copies it into one Rust allocation."""

    __slots__ = ("buf",)

    def __init__(self) -> None:
        self.buf = bytearray()

    def finalize(self) -> Any:
        data = bytes(self.buf)
        alloc: Any = _gen._UniffiRustBuffer.alloc
        rbuf = alloc(len(data))
        if data:
            ctypes.memmove(rbuf.data, data, len(data))
        rbuf.len = len(data)
        return rbuf

    def discard(self) -> None:
        self.buf = bytearray()

    def write(self, value: bytes) -> None:
        self.buf += value

    def write_i8(self, v: int) -> None:
        self.buf += _I8.pack(v)

    def write_u8(self, v: int) -> None:
        self.buf += _U8.pack(v)

    def write_i16(self, v: int) -> None:
        self.buf += _I16.pack(v)

    def write_u16(self, v: int) -> None:
        self.buf += _U16.pack(v)

    def write_i32(self, v: int) -> None:
        self.buf += _I32.pack(v)

    def write_u32(self, v: int) -> None:
        self.buf += _U32.pack(v)

    def write_i64(self, v: int) -> None:
        self.buf += _I64.pack(v)

    def write_u64(self, v: int) -> None:
        self.buf += _U64.pack(v)

    def write_float(self, v: float) -> None:
        self.buf += _F32.pack(v)

    def write_double(self, v: float) -> None:
        self.buf += _F64.pack(v)

    def write_c_size_t(self, v: int) -> None:
        self.buf += struct.pack("@N", v)


class _Stream:
    """Reads a buffer copied out of Rust once."""

    __slots__ = ("data", "len", "offset")

    def __init__(self, data: bytes, length: int) -> None:
        self.data = data
        self.len = length
        self.offset = 0

    @classmethod
    def from_rust_buffer(cls, buf: Any) -> "_Stream":
        n = int(buf.len)
        return cls(ctypes.string_at(buf.data, n) if n else b"", n)

    def remaining(self) -> int:
        return self.len - self.offset

    def read(self, size: int) -> bytes:
        o = self.offset
        if o + size > self.len:
            raise _gen.InternalError("read past end of rust buffer")
        self.offset = o + size
        return self.data[o : o + size]

    def _unpack(self, s: struct.Struct) -> Any:
        o = self.offset
        if o + s.size > self.len:
            raise _gen.InternalError("read past end of rust buffer")
        self.offset = o + s.size
        return s.unpack_from(self.data, o)[0]

    def read_i8(self) -> int:
        return int(self._unpack(_I8))

    def read_u8(self) -> int:
        return int(self._unpack(_U8))

    def read_i16(self) -> int:
        return int(self._unpack(_I16))

    def read_u16(self) -> int:
        return int(self._unpack(_U16))

    def read_i32(self) -> int:
        return int(self._unpack(_I32))

    def read_u32(self) -> int:
        return int(self._unpack(_U32))

    def read_i64(self) -> int:
        return int(self._unpack(_I64))

    def read_u64(self) -> int:
        return int(self._unpack(_U64))

    def read_float(self) -> float:
        return float(self._unpack(_F32))

    def read_double(self) -> float:
        return float(self._unpack(_F64))


class _Building:
    """``_UniffiRustBuffer.alloc_with_builder()`` without ``contextlib``."""

    __slots__ = ("builder",)

    def __enter__(self) -> _Builder:
        self.builder = _Builder()
        return self.builder

    def __exit__(self, kind: Any, value: Any, tb: Any) -> None:
        if kind is not None:
            self.builder.discard()


class _Consuming:
    """``_UniffiRustBuffer.consume_with_stream()`` without ``contextlib``: reads, then frees."""

    __slots__ = ("rbuf", "stream")

    def __init__(self, rbuf: Any) -> None:
        self.rbuf = rbuf

    def __enter__(self) -> _Stream:
        try:
            self.stream = _Stream.from_rust_buffer(self.rbuf)
        except BaseException:
            self.rbuf.free()
            raise
        return self.stream

    def __exit__(self, kind: Any, value: Any, tb: Any) -> None:
        self.rbuf.free()
        if kind is None and self.stream.remaining() != 0:
            raise RuntimeError(f"junk data left in buffer at end of consume_with_stream {self.stream.remaining()}")


def _building(*args: Any) -> _Building:
    return _Building()


def _consuming(self: Any) -> _Consuming:
    return _Consuming(self)


def _expected_declarations() -> bool:
    lib = _gen._UniffiLib
    buffer, status = _gen._UniffiRustBuffer, _gen._UniffiRustCallStatus
    call = lib.uniffi_imedit_fn_method_signer_modify_message_request
    expected_call = (ctypes.c_uint64, ctypes.c_uint64, buffer, ctypes.c_uint64, ctypes.POINTER(status))
    clone = (ctypes.c_uint64, ctypes.POINTER(status))
    return (
        tuple(call.argtypes) == expected_call
        and call.restype is buffer
        and tuple(lib.uniffi_imedit_fn_clone_signer.argtypes) == clone
        and tuple(lib.uniffi_imedit_fn_clone_endpoint.argtypes) == clone
        and tuple(lib.ffi_imedit_rustbuffer_alloc.argtypes) == (ctypes.c_uint64, ctypes.POINTER(status))
        and lib.ffi_imedit_rustbuffer_alloc.restype is buffer
        and tuple(lib.ffi_imedit_rustbuffer_free.argtypes) == (buffer, ctypes.POINTER(status))
        and [f[0] for f in buffer._fields_] == ["capacity", "len", "data"]
        and _has_methods(
            _gen._UniffiRustBufferBuilder,
            ["finalize", "discard", "write"] + [f"write_{t}" for t in _TYPES],
        )
        and _has_methods(
            _gen._UniffiRustBufferStream,
            ["from_rust_buffer", "remaining", "read"] + [f"read_{t}" for t in _TYPES],
        )
        and callable(buffer.alloc_with_builder)
        and callable(buffer.consume_with_stream)
        and [f.name for f in _fields(_gen.ModifyMessage)] == [
            "app_id",
            "conversation_short_id",
            "message_id",
            "ext",
            "content",
        ]
    )


_TYPES = ["i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "float", "double"]


def _has_methods(cls: Any, names: list[str]) -> bool:
    return all(callable(getattr(cls, name, None)) for name in names)


def _fields(cls: Any) -> list[Any]:
    import inspect

    return list(inspect.signature(cls).parameters.values())


def _make(generated: Callable[..., Any]) -> Callable[..., Any]:
    lib = _gen._UniffiLib
    status_type = _gen._UniffiRustCallStatus
    byref, memmove, string_at = ctypes.byref, ctypes.memmove, ctypes.string_at
    alloc, free = lib.ffi_imedit_rustbuffer_alloc, lib.ffi_imedit_rustbuffer_free
    clone_signer, clone_endpoint = lib.uniffi_imedit_fn_clone_signer, lib.uniffi_imedit_fn_clone_endpoint
    call = lib.uniffi_imedit_fn_method_signer_modify_message_request
    check: Any = _gen._uniffi_check_call_status
    error_converter = _gen._UniffiFfiConverterTypeImeditError
    signer_type, endpoint_type, edit_type = _gen.Signer, _gen.Endpoint, _gen.ModifyMessage

    def modify_message_request(self: Any, endpoint: Any, params: Any, time: int) -> Any:
        if (
            type(endpoint) is not endpoint_type
            or type(params) is not edit_type
            or type(time) is not int
            or not 0 <= time < 2**64
            or not isinstance(self, signer_type)
        ):
            return generated(self, endpoint, params, time)
        try:
            data = _encode(params)
        except (struct.error, AttributeError, TypeError, UnicodeError):
            return generated(self, endpoint, params, time)  # it raises the usual error
        status = status_type()
        buffer = alloc(len(data), byref(status))
        check(None, status)
        memmove(buffer.data, data, len(data))
        buffer.len = len(data)
        signer_handle = clone_signer(self._handle, byref(status))
        check(None, status)
        endpoint_handle = clone_endpoint(endpoint._handle, byref(status))
        check(None, status)
        out = call(signer_handle, endpoint_handle, buffer, time, byref(status))
        check(error_converter, status)
        try:
            raw = string_at(out.data, out.len)
        finally:
            free(out, byref(status))
        return _decode(raw)

    modify_message_request.__doc__ = generated.__doc__
    modify_message_request.__name__ = "modify_message_request"
    modify_message_request.__qualname__ = "Signer.modify_message_request"
    return modify_message_request


def install() -> bool:
    """Installs the faster conversions when the generated module is the expected one."""
    global ACTIVE
    if ACTIVE or os.environ.get("IMEDIT_PYTHON_FAST", "1") == "0":
        return ACTIVE
    try:
        ok = _expected_declarations()
    except (AttributeError, TypeError, ValueError):
        ok = False
    if ok:
        setattr(_gen, "_UniffiRustBufferBuilder", _Builder)
        setattr(_gen, "_UniffiRustBufferStream", _Stream)
        setattr(_gen._UniffiRustBuffer, "alloc_with_builder", staticmethod(_building))
        setattr(_gen._UniffiRustBuffer, "consume_with_stream", _consuming)
        generated = _gen.Signer.modify_message_request
        setattr(_gen.Signer, "modify_message_request", _make(generated))
        setattr(_gen.Signer, "_generated_modify_message_request", generated)
        ACTIVE = True
    return ACTIVE
