// swift-tools-version:6.0
import PackageDescription

// The tree is the pipeline (see docs/architecture.md):
// Policy ─▶ Resolve ─▶ Certify ─▶ Discover ─▶ Publish, and Verify for the hook.
// `daneverify` links only DANECore, DANEDigest and DANEResolve so that it starts fast.
let package = Package(
    name: "danesync",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "danesync", targets: ["danesync"]),
        .executable(name: "daneverify", targets: ["daneverify"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // C libraries from Debian packages.
        .systemLibrary(name: "CUnbound", pkgConfig: "libunbound", providers: [.apt(["libunbound-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .target(name: "COpenSSLShim", linkerSettings: [.linkedLibrary("crypto")]),
        .target(name: "CCurlShim", linkerSettings: [.linkedLibrary("curl")]),
        .target(name: "CNettleShim", linkerSettings: [.linkedLibrary("nettle"), .linkedLibrary("hogweed")]),

        // Pure core: values and rules, no I/O, no Foundation.
        .target(name: "DANECore", dependencies: ["CYAML"]),
        // Digests, PEM and SPKI over nettle (shared by the agent and the hook).
        .target(name: "DANEDigest", dependencies: ["DANECore", "CNettleShim"]),
        // Certificate facts (SAN, AKI, SKI, cA, signatures) via swift-certificates.
        .target(
            name: "DANECertify",
            dependencies: [
                "DANECore", "DANEDigest",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]),
        // The Resolver protocol's real implementation (libunbound).
        .target(name: "DANEResolve", dependencies: ["DANECore", "CUnbound"]),
        // CA chain discovery over HTTPS (libcurl).
        .target(name: "DANEDiscover", dependencies: ["DANECore", "DANECertify", "CCurlShim"]),
        // Atomic writers: ca.pem, ca.d/, trustmap, status.json.
        .target(name: "DANEPublish", dependencies: ["DANECore", "DANEDigest", "DANECertify", "COpenSSLShim"]),
        // One pass and the service loop.
        .target(
            name: "DANESync",
            dependencies: [
                "DANECore", "DANEDigest", "DANECertify", "DANEResolve", "DANEDiscover", "DANEPublish",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .executableTarget(
            name: "danesync",
            dependencies: [
                "DANESync", "DANECertify", "DANEDiscover", "DANEResolve", "DANEPublish",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(
            name: "daneverify",
            dependencies: ["DANECore", "DANEDigest", "DANEResolve"],
            // A fully static executable: no dynamic loader work at start-up (libstdc++ and
            // libunbound's relocations were most of the hook's time). lld, because gold warns
            // about glibc NSS functions libunbound links but the hook never calls.
            linkerSettings: [
                .unsafeFlags([
                    "-static-executable", "-use-ld=lld", "-Xlinker", "--start-group", "-lunbound", "-lhogweed", "-lnettle", "-lgmp",
                    "-levent", "-lyaml", "-Xlinker", "--end-group",
                ])
            ]),

        .executableTarget(name: "ResolveBench", dependencies: ["DANECore", "DANEResolve"], path: "Benchmarks/ResolveBench"),
        .testTarget(name: "DANECoreTests", dependencies: ["DANECore"]),
        .testTarget(name: "DANECertifyTests", dependencies: ["DANECertify", "DANEDigest", "DANECore"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["DANESync", "DANEResolve", "DANEDiscover", "DANEPublish", "DANECertify", "DANECore", "DANEDigest"]),
    ],
    swiftLanguageModes: [.v6]
)
