//! Generates the Python, Kotlin and Swift sources from the built library:
//! `cargo run --features uniffi-cli --bin uniffi-bindgen -- generate <lib> --language python --out-dir <dir>`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
