//! UniFFI exports: type conversions only.
