#if canImport(Glibc)
import Glibc
#endif
import FastCGI
import HTTPTypes
import Synchronization

/// Set by SIGTERM: finish the request in flight, then exit.
private let stopRequested = Atomic<Bool>(false)

/// A function as a long-lived FastCGI responder: it accepts one connection at a time, answers
/// its requests one at a time with the same handler a CGI invocation runs, and keeps its
/// process (and so its open database and parsed settings) between them.
///
/// Settings come from the process's own environment, read once at start; each request's
/// meta-variables come from its FastCGI parameters. SIGTERM ends the process once the request
/// in flight is answered; LEADWIRE_FASTCGI_MAX_REQUESTS ends it after that many requests, for
/// hosts that start a fresh one.
struct FastCGIResponder {
    let context: FunctionContext
    let handler: Handler
    let listener: Int32
    let settings: FastCGISettings

    func run() -> Never {
        installStopHandler()
        context.logger.info("fastcgi_ready", ["max_requests": JSONValue(settings.maxRequests.map(Int64.init))])
        var served = 0
        while !stopRequested.load(ordering: .relaxed) {
            if let parent = settings.parentPID {
                guard waitForConnection(whileParentIs: parent) else {
                    context.logger.info("fastcgi_parent_gone", ["requests": JSONValue(Int64(served))])
                    exit(0)
                }
                // Woken by SIGTERM rather than a connection: accept() would wait for one.
                if stopRequested.load(ordering: .relaxed) { break }
            }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                if errno == EINTR || errno == ECONNABORTED { continue }
                context.logger.error("fastcgi_accept_failed", ["message": .string(String(cString: strerror(errno)))])
                exit(1)
            }
            var timeout = timeval(tv_sec: settings.readTimeoutSeconds, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var noDelay: Int32 = 1  // fails harmlessly on a Unix socket
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
            serve(connection, served: &served)
            close(connection)
            if let limit = settings.maxRequests, served >= limit {
                context.logger.info("fastcgi_recycled", ["requests": JSONValue(Int64(served))])
                exit(0)
            }
        }
        context.logger.info("fastcgi_stopped", ["requests": JSONValue(Int64(served))])
        exit(0)
    }

    /// Answers requests on one connection until it closes, is not to be kept, breaks the
    /// protocol, or the process should stop.
    private func serve(_ connection: Int32, served: inout Int) {
        var decoder = RecordDecoder()
        var state = ResponderConnection(limits: .init(maxParamsBytes: settings.maxParamsBytes, maxBodyBytes: settings.maxBodyBytes))
        var keptIdle = false
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            do {
                while let record = try decoder.next() {
                    switch try state.receive(record) {
                    case nil: continue
                    case .send(let bytes):
                        guard FileDescriptorIO.writeAll(bytes, to: connection) else { return }
                    case .aborted(let bytes, let keep):
                        guard FileDescriptorIO.writeAll(bytes, to: connection), keep else { return }
                    case .answer(let request):
                        keptIdle = false
                        let delivered = answer(request, on: connection)
                        served += 1
                        let limitReached = settings.maxRequests.map { served >= $0 } ?? false
                        guard delivered, request.keepConnection, !limitReached, !stopRequested.load(ordering: .relaxed) else { return }
                        keptIdle = true
                    }
                }
            } catch {
                context.logger.error("fastcgi_protocol_error", ["message": .string(error.description)])
                return
            }
            // A kept connection that sits idle while another host connection waits would
            // stall that one: one connection at a time is all this process serves.
            if keptIdle, decoder.pendingByteCount == 0, !waitForData(on: connection) { return }
            let count = chunk.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR {
                if stopRequested.load(ordering: .relaxed), keptIdle { return }
                continue
            }
            guard count > 0 else {
                if count < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                    context.logger.error("fastcgi_read_timeout", ["seconds": JSONValue(Int64(settings.readTimeoutSeconds))])
                }
                return
            }
            decoder.append(chunk[..<count])
        }
    }

    /// Waits until a connection is ready to accept; false when the process that started this
    /// one has gone (an orphaned pool process would otherwise wait forever).
    private func waitForConnection(whileParentIs parent: Int32) -> Bool {
        var descriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        while getppid() == parent {
            if poll(&descriptor, 1, 1000) > 0 || stopRequested.load(ordering: .relaxed) { return true }
        }
        return false
    }

    /// Waits for the next request on a kept connection; false when the connection should be
    /// closed instead (another connection is waiting to be accepted, or the process is stopping).
    private func waitForData(on connection: Int32) -> Bool {
        var descriptors = [pollfd(fd: connection, events: Int16(POLLIN), revents: 0), pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
        while true {
            let ready = poll(&descriptors, 2, Int32(settings.readTimeoutSeconds) * 1000)
            if ready < 0, errno == EINTR {
                if stopRequested.load(ordering: .relaxed) { return false }
                continue
            }
            // Silence past the read timeout, or only the listener ready: close this one.
            return ready > 0 && descriptors[0].revents != 0
        }
    }

    /// Runs the handler for one request and writes its answer. False when the connection failed.
    private func answer(_ complete: ResponderConnection.CompleteRequest, on connection: Int32) -> Bool {
        let started = Timestamp.now()
        var values: [String: String] = [:]
        for (name, value) in complete.params {
            values[String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        }
        if complete.bodyByteCount > settings.maxBodyBytes {
            // A body over the limit, whatever CONTENT_LENGTH claimed: refused as too large.
            values["CONTENT_LENGTH"] = String(complete.bodyByteCount)
        }
        let meta = Environment(values)
        let requestID = RequestID.of(meta)
        let context = context.handling(request: requestID)
        var response = FunctionMain.respond(context: context, handler: handler) { settings throws(HTTPError) in
            try CGIRequest.request(from: meta, maxBodyBytes: settings.maxBodyBytes) { _ in complete.body }
        }
        response.headers[.requestID] = requestID
        let output = StdoutRecordWriter(connection: connection, requestID: complete.requestID)
        var delivered = true
        do {
            try CGIResponse.write(response, to: output)
            try output.finish()
        } catch {
            delivered = false
            context.logger.error("response_incomplete", ["message": .string(String(describing: error))])
        }
        FunctionMain.logRequest(context.logger, meta: meta, status: response.status.code, started: started)
        return delivered
    }

    private func installStopHandler() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in stopRequested.store(true, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: a blocked accept() returns EINTR and sees the flag
        sigaction(SIGTERM, &action, nil)
        sigaction(SIGINT, &action, nil)
        // Some starters hand down a mask with these blocked; a responder must hear them.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        sigprocmask(SIG_UNBLOCK, &stopSignals, nil)
    }
}

/// FastCGI settings, read once when the process starts.
struct FastCGISettings {
    /// LEADWIRE_FASTCGI_MAX_REQUESTS: requests a process serves before it exits (unset: no limit).
    var maxRequests: Int?
    /// LEADWIRE_FASTCGI_MAX_PARAMS_BYTES: the most bytes of parameters (headers) one request may send.
    var maxParamsBytes: Int
    /// LEADWIRE_FASTCGI_READ_TIMEOUT_SECONDS: how long a connection may stay silent.
    var readTimeoutSeconds: Int
    /// LEADWIRE_MAX_BODY_BYTES, as for CGI.
    var maxBodyBytes: Int
    /// LEADWIRE_FASTCGI_PARENT_PID: exit when this process is no longer the parent (set by
    /// `runtime serve` for its pools; hosts that restart their processes need not set it).
    var parentPID: Int32?

    init(_ environment: Environment) throws(ConfigurationError) {
        maxRequests = environment["LEADWIRE_FASTCGI_MAX_REQUESTS"] == nil ? nil : try environment.integer("LEADWIRE_FASTCGI_MAX_REQUESTS", default: 0)
        maxParamsBytes = try environment.integer("LEADWIRE_FASTCGI_MAX_PARAMS_BYTES", default: 65_536)
        readTimeoutSeconds = try environment.integer("LEADWIRE_FASTCGI_READ_TIMEOUT_SECONDS", default: 60)
        maxBodyBytes = try FunctionSettings(environment).maxBodyBytes
        parentPID = environment["LEADWIRE_FASTCGI_PARENT_PID"] == nil ? nil : Int32(try environment.integer("LEADWIRE_FASTCGI_PARENT_PID", default: 1))
    }
}
