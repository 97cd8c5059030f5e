// swift-tools-version:6.2
import PackageDescription

// Every Leadwire module opts into the same strictness: explicit `any`, imports that are
// deliberate (and internal unless declared public), Swift 6 language mode, and no warnings
// (a warning in the project's own code fails the build; dependencies are not affected).
let strictness: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .treatAllWarnings(as: .error),
]

/// Every function: one small executable per HTTP endpoint (Functions/<name>/main.swift), and the
/// module that holds its handler. Its product and target are made from this line; its routes,
/// settings and documentation come from its entry in Shared/FunctionCatalog/Catalog.swift.
let functions: [(name: String, module: String)] = [
    ("kommo-webhook", "Kommo"),
    ("kommo-oauth", "KommoOAuth"),
    ("widget-request", "KommoWidget"),
    ("amocrm-webhook", "AmoCRM"),
    ("knowlarity-webhook", "Knowlarity"),
    ("admin-webhook-logs", "WebhookLogs"),
    ("export", "Export"),
    ("leads", "Leads"),
    ("metrics", "Metrics"),
    ("dashboard", "Dashboard"),
    ("health", "Health"),
    ("webhook-subscriptions", "WebhookSubscriptions"),
]

func function(_ name: String, module: String) -> Target {
    .executableTarget(
        name: name, dependencies: ["FunctionKit", .target(name: module)], path: "Functions/\(name)", swiftSettings: strictness,
        linkerSettings: startUpLinking)
}

/// The functions and the runtime link the C++ runtime into themselves (see Linking/libstdc++.so):
/// a process per request should not load and bind libstdc++.so on every start.
let startUpLinking: [LinkerSetting] = [.unsafeFlags(["-L", Context.packageDirectory + "/Linking"], .when(platforms: [.linux]))]

/// A library shared by the functions and the runtime (see Shared/<Module>/).
func shared(_ name: String, dependencies: [Target.Dependency] = []) -> Target {
    .target(name: name, dependencies: dependencies, path: "Shared/\(name)", swiftSettings: strictness)
}

let httpTypes: Target.Dependency = .product(name: "HTTPTypes", package: "swift-http-types")

let package = Package(
    name: "Leadwire",
    platforms: [.macOS(.v15)],
    products: functions.map { .executable(name: $0.name, targets: [$0.name]) } + [
        .executable(name: "runtime", targets: ["runtime"]),
        .executable(name: "fuzz", targets: ["fuzz"]),
        .executable(name: "parse-bodies", targets: ["parse-bodies"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0", traits: []),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: functions.map { function($0.name, module: $0.module) } + [
        // The system SQLite library (libsqlite3-dev), linked through a module map.
        .systemLibrary(name: "CSQLite", path: "Shared/CSQLite", providers: [.apt(["libsqlite3-dev"])]),

        // The system libpq (PostgreSQL's client library, libpq-dev), linked through a module map:
        // a C library keeps a function's cold start small where a Swift driver would pull in NIO.
        .systemLibrary(name: "CPostgres", path: "Shared/CPostgres", providers: [.apt(["libpq-dev"])]),

        // The system libcrypto (OpenSSL, libssl-dev): its declarations only, for SystemCrypto,
        // which loads the library when a digest, an HMAC or a cipher is first needed.
        .systemLibrary(name: "CLibCrypto", path: "Shared/CLibCrypto", providers: [.apt(["libssl-dev"])]),

        // glibc calls Swift's Glibc module leaves out (pipe2, closefrom for posix_spawn).
        .target(name: "CGlibcExtras", path: "Shared/CGlibcExtras"),

        // The OpenAPI document of every endpoint, from the catalog and each function's operations.
        shared("APIDescription", dependencies: ["FunctionCatalog", "FunctionKit"]),
        // The FastCGI 1.0 protocol: records, name-value pairs, a responder's connection logic. No I/O.
        shared("FastCGI"),
        // SHA-256, HMAC-SHA256/512 and AES-256-GCM from the system's libcrypto; random bytes,
        // constant-time comparison, hexadecimal text.
        shared("SystemCrypto", dependencies: ["CLibCrypto"]),
        // Starting a child process with posix_spawn: pipes, closed descriptors, default signals.
        .target(name: "ProcessSpawning", dependencies: ["CGlibcExtras"], path: "Shared/ProcessSpawning", swiftSettings: strictness),
        // What every module shares, below the HTTP contract and the store: JSON, time and time
        // zones, the environment and its settings, base64, saturating numbers, whole reads and
        // writes on descriptors, the logger.
        shared("LeadwireCore"),
        // The invocation contract: Request and Response, CGI and FastCGI, bodies, the function's context.
        shared("FunctionKit", dependencies: ["LeadwireCore", "FastCGI", "FunctionCatalog", "SystemCrypto", httpTypes]),
        // The store, below the HTTP contract: SQLite or PostgreSQL, migrations, the outbox.
        shared("LeadwireStore", dependencies: ["CSQLite", "CPostgres", "SystemCrypto", "LeadwireCore"]),
        // A function's store: opened once per process, its failures as HTTP answers.
        shared("FunctionStore", dependencies: ["FunctionKit", "LeadwireStore"]),
        shared("FunctionCatalog"),
        shared("WebhookIntake", dependencies: ["FunctionStore", "FunctionKit", "FunctionCatalog", "LeadwireStore", httpTypes]),
        shared("Kommo", dependencies: ["FunctionKit", "FunctionCatalog", "LeadwireStore", "WebhookIntake", httpTypes]),
        shared("AmoCRM", dependencies: ["FunctionKit", "FunctionCatalog", "LeadwireStore", "WebhookIntake", httpTypes]),
        shared("Admin", dependencies: ["FunctionKit", "LeadwireStore", "SystemCrypto", httpTypes]),
        shared("WebhookLogs", dependencies: ["ProcessSpawning", "FunctionStore", "FunctionKit", "FunctionCatalog", "LeadwireStore", "Admin", httpTypes]),
        shared("People", dependencies: ["FunctionStore", "FunctionKit", "LeadwireStore", "Admin", httpTypes]),
        shared("Dashboard", dependencies: ["FunctionStore", "FunctionKit", "LeadwireStore", "Admin", httpTypes]),
        shared("Metrics", dependencies: ["FunctionStore", "FunctionKit", "LeadwireStore", "Admin", httpTypes]),
        shared("Leads", dependencies: ["FunctionStore", "FunctionKit", "LeadwireStore", "Admin", httpTypes]),
        shared("Export", dependencies: ["FunctionStore", "FunctionKit", "LeadwireStore", "Admin", "People", "SystemCrypto", httpTypes]),
        shared("Health", dependencies: ["FunctionStore", "FunctionKit", "LeadwireStore", httpTypes]),
        // Secrets at rest: AES-256-GCM under LEADWIRE_SECRET_KEY.
        shared("SecretSealing", dependencies: ["SystemCrypto", "FunctionKit"]),
        // URLs for requests out (to subscribers, Kommo, Knowlarity, Telegram), checked against
        // server-side request forgery. Apart from the client, so validating a URL links no SwiftNIO.
        shared("OutboundURLCheck"),
        // One HTTP/1.1 client on SwiftNIO with TLS, connecting only to the addresses a URL check allowed.
        shared(
            "OutboundHTTP",
            dependencies: [
                "FunctionKit", "OutboundURLCheck", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        // Outbound webhooks: signing secrets and signatures, the delivery queue, the retry schedule.
        shared("Outbound", dependencies: ["FunctionKit", "LeadwireStore", "SystemCrypto", "SecretSealing", "OutboundURLCheck"]),
        shared("WebhookSubscriptions", dependencies: ["FunctionStore", "FunctionKit", "LeadwireStore", "Admin", "Outbound", "SecretSealing", httpTypes]),
        shared("Knowlarity", dependencies: ["FunctionKit", "FunctionCatalog", "LeadwireStore", "WebhookIntake", "People", "SystemCrypto", httpTypes]),

        // Kommo OAuth: connections, sealed tokens, refresh under a lease, the API proxy.
        shared("KommoOAuth", dependencies: ["FunctionStore", "FunctionKit", "LeadwireStore", "Admin", "SystemCrypto", "SecretSealing", "OutboundURLCheck", "OutboundHTTP", httpTypes]),
        // The Salesbot widget step: the signed token, the fast answer, the reply the worker sends.
        shared("KommoWidget", dependencies: ["FunctionStore", "FunctionKit", "FunctionCatalog", "LeadwireStore", "WebhookIntake", "SystemCrypto", httpTypes]),

        .executableTarget(
            name: "runtime",
            dependencies: [
                "APIDescription", "FunctionCatalog", "FunctionKit", "FunctionStore", "LeadwireStore", "Admin", "CGlibcExtras", "ProcessSpawning", "Outbound", "OutboundURLCheck", "OutboundHTTP", "SecretSealing", "Knowlarity", "AmoCRM", "KommoOAuth", "KommoWidget", "WebhookLogs",
                httpTypes,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "runtime",
            swiftSettings: strictness,
            linkerSettings: startUpLinking
        ),

        // Every parser and every function's handler under a fuzzer (scripts/fuzz builds it with
        // -D LEADWIRE_FUZZ and --sanitize=fuzzer), or, as built here, the runner of saved inputs
        // the tests use.
        .executableTarget(
            name: "fuzz",
            dependencies: [
                "FastCGI", "FunctionKit", "FunctionStore", "LeadwireStore", "Admin", "SystemCrypto", "WebhookIntake", "OutboundURLCheck", httpTypes,
            ] + functions.map { .target(name: $0.module) },
            path: "Fuzz", exclude: ["regressions", "seeds.py"], swiftSettings: strictness),

        // The parse benchmark's program (Benchmarks/parse_bodies.py runs its release build).
        .executableTarget(name: "parse-bodies", dependencies: ["FunctionKit", httpTypes], path: "Benchmarks/ParseBodies", swiftSettings: strictness),

        // Linux's page-cache counts, which the durability tests read (glibc does not wrap the call).
        .systemLibrary(name: "CPageCache", path: "Tests/CPageCache"),
        .target(name: "TestSupport", dependencies: ["FunctionKit", "LeadwireStore", httpTypes], path: "Tests/TestSupport", swiftSettings: strictness),
        .testTarget(name: "FunctionKitTests", dependencies: ["FunctionKit", "TestSupport"], swiftSettings: strictness),
        .testTarget(name: "FastCGITests", dependencies: ["FastCGI"], swiftSettings: strictness),
        // swift-crypto is the independent reference SystemCrypto is checked against.
        .testTarget(name: "SystemCryptoTests", dependencies: ["SystemCrypto", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: strictness),
        .testTarget(name: "LeadwireStoreTests", dependencies: ["LeadwireStore", "FunctionKit", "TestSupport", "CPageCache"], swiftSettings: strictness),
        // swift-crypto again the independent reference: it opens what SecretSealing seals, and back.
        .testTarget(
            name: "SecretSealingTests", dependencies: ["SecretSealing", "FunctionKit", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictness),
        .testTarget(name: "OutboundTests", dependencies: ["Outbound", "OutboundURLCheck", "OutboundHTTP", "FunctionKit", "LeadwireStore", "TestSupport"], swiftSettings: strictness),
        // swift-crypto signs the test tokens: an HMAC independent of the one checking them.
        .testTarget(
            name: "KommoWidgetTests", dependencies: ["KommoWidget", "FunctionKit", "LeadwireStore", "TestSupport", httpTypes, .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictness),
        .testTarget(name: "KommoTests", dependencies: ["Kommo", "FunctionKit", "LeadwireStore", "TestSupport", "WebhookIntake"], swiftSettings: strictness),
        .testTarget(name: "KnowlarityTests", dependencies: ["Knowlarity", "FunctionKit", "LeadwireStore", "TestSupport", httpTypes, .product(name: "Crypto", package: "swift-crypto")], swiftSettings: strictness),
        .testTarget(
            name: "AdminTests",
            dependencies: [
                "Admin", "WebhookLogs", "Export", "Leads", "Metrics", "Dashboard", "People", "Kommo", "AmoCRM", "Knowlarity", "FunctionKit", "LeadwireStore", "TestSupport",
                "WebhookIntake", httpTypes, .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictness),
        .testTarget(name: "AmoCRMTests", dependencies: ["AmoCRM", "FunctionKit", "LeadwireStore", "TestSupport", httpTypes], swiftSettings: strictness),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "TestSupport", "APIDescription", "FunctionCatalog", "FunctionKit", "LeadwireStore", "Admin", "FastCGI", "ProcessSpawning", "CPageCache", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictness),
    ],
    swiftLanguageModes: [.v6]
)
