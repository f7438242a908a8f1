// swift-tools-version:5.9
// imedit for Swift: the UniFFI bindings of the Rust library (module `IMEdit`) and thin synchronous
// clients on URLSession.
//
// The Swift sources and the C header are generated from the built library (`generate.sh`, or
// `build-xcframework.sh` on macOS); they are not kept in the repository.
//
// - Apple platforms: `IMEditFFI` is the XCFramework that `build-xcframework.sh` makes
//   (static library + header + module map for macOS, iOS and the iOS simulator).
// - Linux: `IMEditFFI` is a system library target over the generated header, linked against
//   `libimedit.so` (pass `-Xlinker -L<dir>` and set `LD_LIBRARY_PATH`; see `test-linux.sh`).
import PackageDescription

#if os(Linux)
let ffi: Target = .systemLibrary(name: "IMEditFFI", path: "Sources/IMEditFFI")
#else
let ffi: Target = .binaryTarget(name: "IMEditFFI", path: "IMEditFFI.xcframework")
#endif

let package = Package(
    name: "IMEdit",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "IMEdit", targets: ["IMEdit"]),
    ],
    targets: [
        ffi,
        .target(name: "IMEdit", dependencies: ["IMEditFFI"], path: "Sources/IMEdit"),
        .testTarget(name: "IMEditTests", dependencies: ["IMEdit"], path: "Tests/IMEditTests"),
    ]
)
