/// FastCGI settings, read once when the process starts.
struct FastCGISettings {
    /// LEADWIRE_FASTCGI_MAX_REQUESTS: requests a process serves before it exits (unset: no limit).
    var maxRequests: Int?
    /// LEADWIRE_FASTCGI_MAX_PARAMS_BYTES: the most bytes of parameters (headers) one request may send.
    var maxParamsBytes: Int
    /// LEADWIRE_FASTCGI_READ_TIMEOUT_SECONDS: how long a connection may stay silent.
    var readTimeoutSeconds: Int
    /// LEADWIRE_FASTCGI_CONNECTIONS: the connections one process serves at once. A host sends
    /// one request per connection at a time, so this is also how many requests can be ready
    /// together, to be committed as a group.
    var connections: Int
    /// LEADWIRE_GROUP_COMMIT_MAX_REQUESTS: the most requests committed together in one group
    /// (1 commits each request on its own).
    var groupMaxRequests: Int
    /// LEADWIRE_GROUP_COMMIT_WAIT_MS: how long a group that is not full waits for more requests
    /// to arrive before it commits, in milliseconds. 0 (the default) waits for none: a group is
    /// what arrived while the previous one was being answered, so it grows with the load and
    /// adds no latency to a lone request.
    var groupWait: Duration
    /// LEADWIRE_MAX_BODY_BYTES, as for CGI.
    var maxBodyBytes: Int
    /// LEADWIRE_FASTCGI_PARENT_PID: exit when this process is no longer the parent (set by
    /// `runtime serve` for its pools; hosts that restart their processes need not set it).
    var parentPID: Int32?

    init(_ environment: Environment) throws(ConfigurationError) {
        maxRequests = environment["LEADWIRE_FASTCGI_MAX_REQUESTS"] == nil ? nil : try environment.integer("LEADWIRE_FASTCGI_MAX_REQUESTS", default: 0)
        maxParamsBytes = try environment.integer("LEADWIRE_FASTCGI_MAX_PARAMS_BYTES", default: 65_536)
        readTimeoutSeconds = try environment.integer("LEADWIRE_FASTCGI_READ_TIMEOUT_SECONDS", default: 60)
        connections = try environment.integer("LEADWIRE_FASTCGI_CONNECTIONS", default: 16)
        groupMaxRequests = try environment.integer("LEADWIRE_GROUP_COMMIT_MAX_REQUESTS", default: 16)
        groupWait = .milliseconds(try environment.integer("LEADWIRE_GROUP_COMMIT_WAIT_MS", default: 0, allowingZero: true))
        maxBodyBytes = try FunctionSettings(environment).maxBodyBytes
        parentPID = environment["LEADWIRE_FASTCGI_PARENT_PID"] == nil ? nil : Int32(try environment.integer("LEADWIRE_FASTCGI_PARENT_PID", default: 1))
    }
}
