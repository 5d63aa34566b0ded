// swift-tools-version:6.0
import PackageDescription

// The tree is the pipeline (see docs/architecture.md):
// Policy ─▶ Resolve ─▶ Certify ─▶ Discover ─▶ Publish, and Verify for the hook.
// `daneverify` links only DANECore, DANEDigest, DANESystem and DANEResolve so that it starts fast.
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
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // C libraries from Debian packages.
        .systemLibrary(name: "CUnbound", pkgConfig: "libunbound", providers: [.apt(["libunbound-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        // libevent behind opaque pointers, for libunbound's event mode (see its header).
        .target(name: "CEventBase", linkerSettings: [.linkedLibrary("event")]),
        // DNS messages from libunbound's event mode, parsed by ldns.
        .target(name: "CDNSAnswer", linkerSettings: [.linkedLibrary("ldns")]),
        .target(name: "COpenSSLShim", linkerSettings: [.linkedLibrary("crypto")]),
        .target(name: "CCurlShim", linkerSettings: [.linkedLibrary("curl")]),
        .target(name: "CNettleShim", linkerSettings: [.linkedLibrary("nettle"), .linkedLibrary("hogweed")]),
        // The /metrics endpoint: libmicrohttpd (Debian's libmicrohttpd-dev), see docs/architecture.md.
        .target(name: "CMicroHTTPDShim", linkerSettings: [.linkedLibrary("microhttpd")]),
        .target(name: "CMallocShim"),
        // libunbound's random numbers from arc4random, for the static hook only (see its header).
        // DWARF 4: valgrind 3.19 (callgrind, for instruction counts) cannot read clang's DWARF 5.
        .target(name: "CUnboundRandom", cSettings: [.unsafeFlags(["-gdwarf-4"])]),
        // libunbound's ECDSA verifications through OpenSSL, for the agent only (see its header).
        .target(
            name: "CValidatorECDSA",
            linkerSettings: [.linkedLibrary("crypto"), .linkedLibrary("hogweed"), .linkedLibrary("gmp")]),

        // Pure core: values and rules, no I/O, no Foundation.
        .target(name: "DANECore", dependencies: ["CYAML"]),
        // POSIX edges without Foundation: whole-file reads, memory maps, a spawner with a deadline.
        .target(name: "DANESystem"),
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
        // The Resolver protocol's real implementation (libunbound) and the one-shot lookups of the hook.
        .target(name: "DANEResolve", dependencies: ["DANECore", "DANESystem", "CUnbound", "CEventBase", "CDNSAnswer"]),
        // The agent's Resolver: libunbound contexts in event mode, one thread each (not linked
        // into the hook, which makes one lookup with DANEResolve's UnboundLookup).
        .target(
            name: "DANEResolvePool",
            dependencies: ["DANECore", "DANESystem", "DANEResolve", "CUnbound", "CEventBase"]),
        // CA chain discovery over HTTPS (libcurl).
        .target(name: "DANEDiscover", dependencies: ["DANECore", "DANECertify", "CCurlShim"]),
        // Atomic writers: ca.pem, ca.d/, trustmap, status.json.
        .target(name: "DANEPublish", dependencies: ["DANECore", "DANEDigest", "DANECertify", "COpenSSLShim"]),
        // One pass and the service loop.
        .target(
            name: "DANESync",
            dependencies: [
                "DANECore", "DANEDigest", "DANECertify", "DANEResolve", "DANEResolvePool", "DANEDiscover", "DANEPublish",
                "DANESystem", "CMicroHTTPDShim", "CMallocShim",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .executableTarget(
            name: "danesync",
            // The command line renders what DANESync decides; it reaches no stage below it.
            dependencies: [
                "DANESync", "CValidatorECDSA",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // Exported, so the dynamic linker binds libunbound's nettle_ecdsa_verify to ours.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic-symbol=nettle_ecdsa_verify"])]),
        .executableTarget(
            name: "daneverify",
            dependencies: ["DANECore", "DANEDigest", "DANESystem", "DANEResolve", "CUnboundRandom"],
            // A fully static executable: no dynamic loader work at start-up (libstdc++ and
            // libunbound's relocations were most of the hook's time). lld, because gold warns
            // about glibc NSS functions libunbound links but the hook never calls.
            linkerSettings: [
                .unsafeFlags([
                    "-static-executable", "-use-ld=lld", "-Xlinker", "--start-group", "-lunbound", "-lhogweed",
                    "-lnettle", "-lgmp",
                    "-levent", "-lldns", "-lcrypto", "-lyaml", "-Xlinker", "--end-group",
                ])
            ]),

        .executableTarget(
            name: "ResolveBench", dependencies: ["DANECore", "DANEResolvePool"], path: "Benchmarks/ResolveBench"),
        // Test doubles and helpers shared by the test targets (doubles live only under Tests/).
        .target(
            name: "DANETestSupport",
            dependencies: [
                "DANECore", "DANESystem", "DANEDigest", "DANECertify", "DANEResolve", "DANEResolvePool", "DANEDiscover",
                "DANEPublish", "DANESync",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            path: "Tests/DANETestSupport"),
        .testTarget(name: "DANECoreTests", dependencies: ["DANECore", "DANETestSupport"]),
        // hogweed's ECDSA beside the agent's, on the same nettle structures (test support only).
        .target(name: "CECDSAReference", dependencies: ["CValidatorECDSA"], path: "Tests/CECDSAReference"),
        .testTarget(
            name: "DANECertifyTests",
            dependencies: [
                "DANECertify", "DANEDigest", "DANECore", "DANETestSupport", "CECDSAReference",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        // A pass as values: the doubles in place of DNS, HTTPS and files; no lab.
        .testTarget(
            name: "SyncPassTests",
            dependencies: ["DANESync", "DANEPublish", "DANEDiscover", "DANECertify", "DANECore", "DANETestSupport"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "DANESync", "DANEResolve", "DANEResolvePool", "DANEDiscover", "DANEPublish", "DANECertify", "DANECore",
                "DANEDigest", "DANESystem", "DANETestSupport",
            ]),
    ],
    swiftLanguageModes: [.v6]
)
