//! wasm-bindgen exports: type conversions only.
